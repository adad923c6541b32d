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
    // The page's own words, in its language: the server writes them into data-ui-text.
    var text = JSON.parse(form.dataset.uiText || "{}");
    function fill(message, values) {
      return message.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
    }
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

    // "Certificate check" follows the form as it is edited, not the saved settings.
    var trustTexts = JSON.parse(form.dataset.trustTexts || "{}");
    var trustStatus = document.getElementById("trust-status");
    function refreshTrust() {
      var ignore = form.querySelector("#ignore_verification");
      var forget = form.querySelector("#forget_pinned");
      var ca = form.querySelector("#ca_certificates");
      var pinned = trustStatus.dataset.pinned;
      var trust = "system";
      if (ignore && ignore.checked) { trust = "any"; }
      else if (pinned && !(forget && forget.checked)) { trust = "pinned"; }
      else if (ca && ca.value.trim() !== "") { trust = "ca"; }
      trustStatus.className = "trust trust-" + trust;
      trustStatus.querySelector("strong").textContent = text.certificate_check;
      document.getElementById("trust-text").textContent = trustTexts[trust];
      document.getElementById("trust-badge").hidden = trust !== "any";
      var pin = document.getElementById("trust-pin");
      pin.textContent = pinned;
      pin.hidden = trust !== "pinned";
    }
    ["#ignore_verification", "#forget_pinned", "#ca_certificates"].forEach(function (selector) {
      var input = form.querySelector(selector);
      if (input) { input.addEventListener("input", refreshTrust); input.addEventListener("change", refreshTrust); }
    });

    // OAuth: show what the chosen authentication and provider need, and preset the server.
    var providers = JSON.parse(form.dataset.providers || "{}");
    var auth = form.querySelector("#auth_method");
    var provider = form.querySelector("#oauth_provider");
    function refreshAuth() {
      var oauth = auth.value === "oauth";
      document.getElementById("password-auth").hidden = oauth;
      document.getElementById("oauth-auth").hidden = !oauth;
      document.getElementById("oauth-tenant").hidden = provider.value !== "microsoft";
      document.getElementById("oauth-other").hidden = provider.value !== "other";
    }
    auth.addEventListener("change", refreshAuth);
    provider.addEventListener("change", function () {
      var preset = providers[provider.value];
      if (preset && preset[0]) {
        form.querySelector("#host").value = preset[0];
        port.value = preset[1];
        security.value = preset[2];
        portTyped = false;
        refreshWarnings();
      }
      refreshAuth();
    });
    var copy = document.getElementById("copy-callback");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(document.getElementById("callback-url").value);
        copy.textContent = text.copied;
      });
    }

    var result = document.getElementById("test-result");
    // Buttons inside the result panel (Trust this certificate) come and go: delegate.
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button.sends");
      if (!button) { return; }
      event.preventDefault();
      send(button);
    });

    function send(button) {
      var sendButtons = form.querySelectorAll("button.sends");
      if (button.disabled) { return; }
      sendButtons.forEach(function (other) { other.disabled = true; });
      button.setAttribute("aria-busy", "true");
      var label = button.textContent;
      button.textContent = text.sending;
      result.className = "result result-pending";
      result.textContent = text.sending;
      var body = new FormData(form);
      if (button.name) { body.append(button.name, button.value); }
      fetch(button.getAttribute("formaction"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        // In place: the typed values, the password among them, stay in the form.
        headers: { "Accept": "text/html", "X-Dues-In-Place": "1" }
      }).then(function (response) {
        return response.text();
      }).then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        showFieldErrors(page);
        var freshTrust = page.getElementById("trust-status");
        if (freshTrust) { trustStatus.dataset.pinned = freshTrust.dataset.pinned; refreshTrust(); }
        var fresh = page.getElementById("test-result");
        result.className = fresh ? fresh.className : "result result-failed";
        result.innerHTML = fresh ? fresh.innerHTML : "";
        if (!fresh || !fresh.textContent.trim()) {
          result.className = "result result-failed";
          result.textContent = text.fix;
        }
      }).catch(function (error) {
        result.className = "result result-failed";
        result.textContent = fill(text.no_answer, { error: error.message });
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
      note.textContent = fill(text.copied_settings, {
        security: security.options[security.selectedIndex].text,
        port: port.value
      });
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
    refreshTrust();
    refreshAuth();
  });
})();
