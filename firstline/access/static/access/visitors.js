// The visitor form (来访登记, access/visitors.html): one pass at the gate. No inline script
// (CSP). Without JavaScript every field shows and the server says every mistake at once.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("visit-form");
  if (!form) return;
  var subject = form.elements.subject;
  var vehicle = document.getElementById("visit-vehicle");
  var reason = form.elements.turned_back_reason;

  // A vehicle's plate shows when the kind is "vehicle", or when it holds a value or an error.
  function showVehicle() {
    if (!vehicle || !subject) return;
    var plate = form.elements.plate;
    vehicle.hidden = !(subject.value === "vehicle" || vehicle.querySelector(".error") ||
      (plate && plate.value.trim()));
  }
  if (subject) subject.addEventListener("change", showVehicle);
  showVehicle();

  // Turning back (劝返) asks for its reason before the page is sent (a courier's parcel
  // point needs none); the server asks too, for browsers without this script.
  function sayReason(text) {
    var label = reason.closest("label");
    var said = label.querySelector(".error[data-client]");
    if (!said) {
      said = document.createElement("span");
      said.className = "error";
      said.setAttribute("role", "alert");
      said.setAttribute("data-client", "");
      label.appendChild(said);
    }
    said.textContent = text;
    reason.setAttribute("aria-invalid", "true");
  }
  form.addEventListener("submit", function (ev) {
    var button = ev.submitter;
    if (!reason || !button || button.value !== "turn_back") return;
    if (subject && subject.value === "courier") return;
    if (reason.value.trim()) return;
    ev.preventDefault();
    sayReason(form.getAttribute("data-need-reason"));
    reason.focus();
  });

  // A refused form: the list of what to correct is at the top; read it out, and let its links
  // open what holds the field (the folded proof).
  var summary = document.getElementById("visit-errors");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (ev) {
      var a = ev.target.closest("a[href^='#']");
      if (!a) return;
      var target = document.getElementById(a.getAttribute("href").slice(1));
      if (!target) return;
      var details = target.closest("details");
      if (details) details.open = true;
      var group = target.closest("[hidden]");
      if (group) group.hidden = false;
      ev.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center" });
    });
  }
});
