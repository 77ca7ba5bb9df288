// Firstline shared behaviour. No inline scripts anywhere (the CSP forbids them).
document.addEventListener("DOMContentLoaded", function () {
  // Elements with data-autofocus-always keep the focus (the gate scanner input).
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
});

// A filter that applies as soon as it is changed (an area picker, a checkbox): data-autosubmit
// submits its form on change (an inline onchange="" is refused by the CSP).
document.addEventListener("change", function (ev) {
  var el = ev.target;
  if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
});

// Lists as cards on phones (table.cards, see app.css): each cell without a data-label gets its
// column's name from the table's <th>, again after htmx swaps content in.
function firstlineCardLabels() {
  document.querySelectorAll("table.cards").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody > tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (td) {
        if (!td.hasAttribute("data-label") && heads[col] !== undefined && !td.hasAttribute("colspan")) {
          td.setAttribute("data-label", heads[col]);
        }
        col += td.colSpan || 1;
      });
    });
  });
}
document.addEventListener("DOMContentLoaded", firstlineCardLabels);
document.addEventListener("htmx:load", firstlineCardLabels);

// A tired finger taps twice, a slow network answers late: a form that posts is not posted
// again while its answer is on the way (until the next page, or 10 s for an answer that
// never replaces the page, such as a download). Back to the page (bfcache): it may post again.
// htmx forms are left to htmx.
var FIRSTLINE_POST_HOLD_MS = 10000;
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  // A page's own check stopped it (e.g. the visitor form asking for a reason): not posted.
  if (ev.defaultPrevented) return;
  if (!form || (form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  if (form.hasAttribute("hx-post") || form.hasAttribute("hx-put")) return;
  var now = Date.now();
  var last = Number(form.getAttribute("data-posted-at") || 0);
  if (now - last < FIRSTLINE_POST_HOLD_MS) {
    ev.preventDefault();
    return;
  }
  form.setAttribute("data-posted-at", String(now));
  form.setAttribute("aria-busy", "true");
});
window.addEventListener("pageshow", function (ev) {
  if (!ev.persisted) return;
  document.querySelectorAll("form[data-posted-at]").forEach(function (form) {
    form.removeAttribute("data-posted-at");
    form.removeAttribute("aria-busy");
  });
});

// Print pages (posters, pass sheets): a button with data-print opens the print dialogue, the
// only way to print from a phone (no Ctrl+P there).
document.addEventListener("click", function (ev) {
  var el = ev.target && ev.target.closest ? ev.target.closest("[data-print]") : null;
  if (el) { ev.preventDefault(); window.print(); }
});
