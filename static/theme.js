// Applies the remembered theme before the page paints, and wires the toggle.
(function () {
  "use strict";
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("dues-theme"); } catch (e) { /* storage disabled */ }
  if (saved === "light" || saved === "dark") { root.dataset.theme = saved; }

  function current() {
    if (root.dataset.theme) { return root.dataset.theme; }
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("theme-toggle");
    if (!toggle) { return; }
    function show() {
      var dark = current() === "dark";
      toggle.setAttribute("aria-pressed", dark ? "true" : "false");
    }
    toggle.hidden = false;
    show();
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("dues-theme", next); } catch (e) { /* storage disabled */ }
      show();
    });
  });
})();
