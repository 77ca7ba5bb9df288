// Risk areas: once a province is typed, offer its cities and counties (GB/T 2260, the same
// data file the server checks against) in the city field's list.
(function () {
  "use strict";
  var script = document.getElementById("risk-areas-js");
  var data = null;

  function fill(provinceInput, list) {
    var typed = provinceInput.value.trim();
    list.textContent = "";
    if (!typed || !data) return;
    var province = data.filter(function (p) { return p.name.indexOf(typed) === 0; })[0];
    if (!province) return;
    (province.children || []).forEach(function (city) {
      var pseudo = /^(市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$/.test(city.name);
      if (!pseudo) list.appendChild(new Option(city.name));
      (city.children || []).forEach(function (county) {
        if (county.code.length !== 6) return;
        list.appendChild(new Option(pseudo ? county.name : city.name + county.name));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var province = document.querySelector("input[name=province]");
    var list = document.getElementById("divisions");
    if (!province || !list || !script) return;
    fetch(script.dataset.divisions).then(function (r) { return r.json(); }).then(function (d) {
      data = d;
      fill(province, list);
    });
    province.addEventListener("change", function () { fill(province, list); });
    province.addEventListener("input", function () { fill(province, list); });
  });
})();
