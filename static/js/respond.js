/* The respondent's pages: focus the error summary, save each answer as it is given, submit once.
   Progressive enhancement: without this script every page's buttons save the answers. */
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var once = document.querySelector("form[data-submit-once]");
  if (once) {
    once.addEventListener("submit", function () {
      var button = once.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  }

  var form = document.querySelector("form[data-autosave]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-save-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var counter = document.getElementById("progress-count");
  var bar = document.getElementById("progress");
  var queue = Promise.resolve();
  var pending = 0;

  function show(status, text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save(statement, value, status) {
    var body = new FormData();
    pending += 1;
    body.append("statement", statement);
    body.append("value", value);
    show(status, form.getAttribute("data-saving-text"));
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok && data.ok) {
          show(status, form.getAttribute("data-saved-text"));
          if (counter && bar && typeof data.answered === "number") {
            bar.value = data.answered;
            counter.textContent = counter.getAttribute("data-template").replace("__N__", data.answered);
          }
        } else {
          show(status, data.message || form.getAttribute("data-failed-text"));
        }
      });
    }).catch(function () {
      show(status, form.getAttribute("data-failed-text"));
    }).then(function () {
      pending -= 1;
    });
  }

  // Let answers still being saved arrive before the page itself is sent (at most a few seconds).
  form.addEventListener("submit", function (event) {
    if (pending === 0 || form.getAttribute("data-waited")) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    Promise.race([queue, timeout]).then(function () {
      form.setAttribute("data-waited", "1");
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        form.submit();
      }
    });
  });

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "radio") {
      return;
    }
    var fieldset = input.closest("fieldset[data-statement]");
    if (!fieldset) {
      return;
    }
    var status = fieldset.querySelector(".save-status");
    var statement = fieldset.getAttribute("data-statement");
    var value = input.value;
    // One request at a time, in the order given, so a later answer never loses to an earlier one.
    queue = queue.then(function () { return save(statement, value, status); });
  });
})();
