/* The guard's page: opened from a pass's QR code (?code=…), it checks at once — no tap. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-auto-submit]");
  if (form && form.elements.code && form.elements.code.value) form.submit();
})();
