/* The estate pass: counts down the code's seconds and fetches the next code (and its QR)
   when they run out, so the screen always shows a code the guard will take. */
(function () {
  "use strict";
  var pass = document.querySelector("[data-pass-code-url]");
  if (!pass) return;
  var left = parseInt(pass.getAttribute("data-seconds-left"), 10) || 30;
  var seconds = pass.querySelector(".seconds");
  var code = pass.querySelector(".code");
  var qr = pass.querySelector(".qr");
  function refresh() {
    fetch(pass.getAttribute("data-pass-code-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 410) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (!answer) { left = 5; return; }  // offline or a hiccup: try again shortly
        code.textContent = answer.code;
        qr.innerHTML = answer.qr_svg;
        left = answer.seconds_left;
      }, function () { left = 5; });
  }
  setInterval(function () {
    left -= 1;
    if (left <= 0) { left = 30; refresh(); }
    if (seconds) seconds.textContent = String(Math.max(left, 0));
  }, 1000);
})();
