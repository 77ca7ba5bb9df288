// Staff pages of the residents' side. No inline scripts (the CSP forbids them).
// A button with data-copy="text" copies the text (the notice's link for WeChat groups) and says
// so; hidden until this script runs, since without it the button could do nothing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    var label = button.textContent;
    var done = function (ok) {
      button.textContent = ok ? button.getAttribute("data-copied") : button.getAttribute("data-copy-failed");
      window.setTimeout(function () { button.textContent = label; }, 2500);
    };
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
        return;
      }
      // Plain http on an intranet has no clipboard API: copy from a selected field instead.
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.className = "offscreen";
      document.body.appendChild(field);
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(field);
      done(ok);
    });
  });
});
