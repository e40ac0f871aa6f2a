/* The respondent's pages: focus the error summary, save the answers as they are given (coalesced), submit
   once.
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
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  // Autosave, coalesced: the answers changed on the page are sent together in one request, at most every
  // DELAY ms (counted from the first unsent change), and at once when the page is hidden or left
  // (navigator.sendBeacon, the CSRF token in the body). The page's own form carries every answer of the
  // page, so what is unsent when it is submitted goes with it. A failed save stays unsent: it is sent again
  // with the next one, on leaving the page, or by the form.
  function delay() {
    return parseInt(form.getAttribute("data-save-delay") || "3000", 10);
  }
  var url = form.getAttribute("data-save-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var token = form.getAttribute("data-save-token");
  var counter = document.getElementById("progress-count");
  var bar = document.getElementById("progress");
  var unsent = {};    // statement id → value, changed since the last request
  var inflight = null; // the answers of the request under way
  var beaconed = {};  // sent by a beacon while the page was hidden, not confirmed
  var timer = null;
  var inflightDone = Promise.resolve();
  var submitting = false;

  function status(statement) {
    var fieldset = form.querySelector('fieldset[data-statement="' + statement + '"]');
    return fieldset && fieldset.querySelector(".save-status");
  }

  function show(statement, text) {
    var element = status(statement);
    if (element) {
      element.textContent = text;
    }
  }

  function keys(object) {
    return Object.keys(object);
  }

  // URL-encoded (not multipart: cheaper to read on the server); the page's save token lets the server
  // find the draft without reading the session.
  function body(answers) {
    var data = new URLSearchParams();
    data.append("csrfmiddlewaretoken", csrf);
    if (token) {
      data.append("t", token);
    }
    keys(answers).forEach(function (statement) {
      data.append("s" + statement, answers[statement]);
    });
    return data;
  }

  function schedule(delay) {
    if (timer === null && !submitting) {
      timer = window.setTimeout(function () { timer = null; flush(); }, delay);
    }
  }

  function flush() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (inflight || submitting || keys(unsent).length === 0) {
      return; // one request at a time; what changes meanwhile goes with the next
    }
    var batch = unsent;
    unsent = {};
    inflight = batch;
    inflightDone = fetch(url, {
      method: "POST",
      body: body(batch),
      credentials: "same-origin",
      keepalive: true, // not cancelled when the page is left while it is under way
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) {
        return { ok: response.ok && data.ok, data: data };
      });
    }).catch(function () {
      return { ok: false, data: {} };
    }).then(function (result) {
      inflight = null;
      keys(batch).forEach(function (statement) {
        delete beaconed[statement];
        if (statement in unsent) {
          return; // changed again meanwhile: its own save tells
        }
        if (result.ok) {
          show(statement, form.getAttribute("data-saved-text"));
        } else {
          unsent[statement] = batch[statement]; // sent again with the next save, on leaving, or by the form
          show(statement, result.data.message || form.getAttribute("data-failed-text"));
        }
      });
      if (result.ok && counter && bar && typeof result.data.answered === "number") {
        bar.value = result.data.answered;
        counter.textContent = counter.getAttribute("data-template").replace("__N__", result.data.answered);
      }
      if (result.ok && keys(unsent).length) {
        schedule(delay());
      }
    });
  }

  // Leaving the page (closed, reloaded, another address, the phone locked): everything not confirmed goes
  // in one beacon, which the browser sends even after the page is gone.
  function leave() {
    if (submitting) {
      return;
    }
    var answers = {};
    [beaconed, inflight || {}, unsent].forEach(function (part) {
      keys(part).forEach(function (statement) { answers[statement] = part[statement]; });
    });
    if (keys(answers).length === 0) {
      return;
    }
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    var sent = navigator.sendBeacon && navigator.sendBeacon(url, body(answers));
    if (!sent) {
      fetch(url, { method: "POST", body: body(answers), credentials: "same-origin", keepalive: true });
    }
    keys(unsent).forEach(function (statement) { beaconed[statement] = unsent[statement]; });
    unsent = {};
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      leave();
    } else if (keys(beaconed).length) {
      // Back on the page: send the beaconed answers again (harmless) to show honestly that they are saved.
      keys(beaconed).forEach(function (statement) {
        if (!(statement in unsent)) {
          unsent[statement] = beaconed[statement];
        }
      });
      beaconed = {};
      flush();
    }
  });
  window.addEventListener("pagehide", leave);

  // The form carries every answer of the page: nothing unsent needs its own request. A request under way
  // is let arrive first (at most a few seconds), so it cannot overwrite a newer answer sent by the form.
  form.addEventListener("submit", function (event) {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (!inflight || form.getAttribute("data-waited")) {
      submitting = true;
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    var timeout = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
    Promise.race([inflightDone, timeout]).then(function () {
      form.setAttribute("data-waited", "1");
      if (form.requestSubmit) {
        form.requestSubmit(submitter || undefined);
      } else {
        submitting = true;
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
    var statement = fieldset.getAttribute("data-statement");
    unsent[statement] = input.value; // a later answer replaces an earlier unsent one
    show(statement, form.getAttribute("data-saving-text"));
    schedule(delay());
  });
})();
