// The screening form: "nobody home" hides the member blocks (they are not recorded then).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-hides]").forEach(function (box) {
    var apply = function () {
      document.querySelectorAll(box.getAttribute("data-hides")).forEach(function (el) {
        el.classList.toggle("hidden", box.checked);
      });
    };
    box.addEventListener("change", apply);
    apply();
  });
});
