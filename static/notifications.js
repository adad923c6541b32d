// Improves the notification settings page; without it the page works by plain POSTs.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("settings-form");
    if (!form) { return; }
    var security = form.querySelector("#security");
    var port = form.querySelector("#port");
    var username = form.querySelector("#username");
    var portWarning = document.getElementById("port-warning");
    var plainWarning = document.getElementById("plain-password-warning");
    var warnings = JSON.parse(form.dataset.portWarnings || "{}");
    var conventional = JSON.parse(form.dataset.conventionalPorts || "{}");
    var portTyped = false;

    function conventionalPorts() {
      return Object.keys(conventional).map(function (key) { return String(conventional[key]); });
    }

    function refreshWarnings() {
      var text = warnings[security.value + ":" + port.value.trim()] || "";
      portWarning.textContent = text;
      portWarning.hidden = !text;
      plainWarning.hidden = !(security.value === "none" && username.value.trim() !== "");
    }

    port.addEventListener("input", function () { portTyped = true; refreshWarnings(); });
    username.addEventListener("input", refreshWarnings);
    security.addEventListener("change", function () {
      var value = port.value.trim();
      // The port follows the encryption unless the user chose an unusual one themselves.
      if (!portTyped || value === "" || conventionalPorts().indexOf(value) !== -1) {
        port.value = conventional[security.value];
        portTyped = false;
      }
      refreshWarnings();
    });

    var result = document.getElementById("test-result");
    var sendButtons = form.querySelectorAll("button.sends");
    sendButtons.forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        send(button);
      });
    });

    function send(button) {
      if (button.disabled) { return; }
      sendButtons.forEach(function (other) { other.disabled = true; });
      button.setAttribute("aria-busy", "true");
      var label = button.textContent;
      button.textContent = "Sending…";
      result.className = "result result-pending";
      result.textContent = "Sending…";
      fetch(button.getAttribute("formaction"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "text/html" }
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        showFieldErrors(page);
        var fresh = page.getElementById("test-result");
        result.className = fresh ? fresh.className : "result result-failed";
        result.innerHTML = fresh ? fresh.innerHTML : "";
        if (!fresh || !fresh.textContent.trim()) {
          result.className = "result result-failed";
          result.textContent = "Not sent: correct the highlighted fields.";
        }
      }).catch(function (error) {
        result.className = "result result-failed";
        result.textContent = "Not sent: Dues did not answer (" + error.message + ").";
      }).finally(function () {
        sendButtons.forEach(function (other) { other.disabled = false; });
        button.removeAttribute("aria-busy");
        button.textContent = label;
      });
    }

    // "Use these settings" fills the form at once; without JavaScript the server does it.
    result.addEventListener("click", function (event) {
      var use = event.target.closest("button[data-use-security]");
      if (!use) { return; }
      event.preventDefault();
      security.value = use.dataset.useSecurity;
      port.value = use.dataset.usePort;
      portTyped = true;
      var ignore = form.querySelector("#ignore_verification");
      if (ignore) { ignore.checked = false; }
      refreshWarnings();
      var note = document.createElement("p");
      note.className = "result-title";
      note.textContent = security.options[security.selectedIndex].text + " on port " + port.value +
        " copied into the form: press Save to keep it.";
      result.appendChild(note);
    });

    function showFieldErrors(page) {
      form.querySelectorAll(".field").forEach(function (field) {
        var fresh = page.getElementById(field.id);
        if (!fresh) { return; }
        var error = field.querySelector(".field-error");
        var freshError = fresh.querySelector(".field-error");
        var input = field.querySelector("input, select, textarea");
        var invalid = fresh.classList.contains("has-error");
        field.classList.toggle("has-error", invalid);
        if (error && freshError) {
          error.textContent = freshError.textContent;
          error.hidden = !invalid;
        }
        if (input && error) {
          var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
            return id && id !== error.id;
          });
          if (invalid) { ids.push(error.id); input.setAttribute("aria-invalid", "true"); }
          else { input.removeAttribute("aria-invalid"); }
          if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
          else { input.removeAttribute("aria-describedby"); }
        }
      });
    }

    refreshWarnings();
  });
})();
