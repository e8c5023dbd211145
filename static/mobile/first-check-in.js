/* A form that logs the phone in on its own page — the first check-in (issue 14 §2), an
   estate's pass — marks itself with data-code-url: "send me a code" asks for the code
   without leaving the page, so the phone number, the code and the rest are filled in on one
   page. Without this script the button posts the form and the page comes back with the
   code's field. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-code-url]");
  if (!form) return;
  var button = form.querySelector("button.send-code");
  var status = form.querySelector(".code-status");
  var phone = form.querySelector("input[name=phone]");
  var code = form.querySelector("input[name=code]");
  if (!button || !phone) return;
  var WAIT_SECONDS = 60;

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function waitBeforeAgain(label) {
    var left = WAIT_SECONDS;
    button.disabled = true;
    var timer = setInterval(function () {
      left -= 1;
      button.textContent = label + " (" + left + ")";
      if (left <= 0) { clearInterval(timer); button.disabled = false; button.textContent = label; }
    }, 1000);
  }

  button.addEventListener("click", function (event) {
    event.preventDefault();
    var label = button.textContent;
    button.disabled = true;
    fetch(form.dataset.codeUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ phone: phone.value })
    })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        status.textContent = answer.ok ? answer.body.message : answer.body.error;
        status.className = "code-status " + (answer.ok ? "ok" : "error");
        if (answer.ok) { waitBeforeAgain(label); if (code) code.focus(); } else { button.disabled = false; }
      })
      .catch(function () { button.disabled = false; form.requestSubmit(button); });
  });
})();
