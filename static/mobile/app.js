/* Every phone page: install the service worker (the app on the home screen, the pages
 * saved for when there is no network), and say so when a page is shown without one. */
(function () {
  "use strict";
  var root = document.documentElement;
  if ("serviceWorker" in navigator && root.dataset.serviceWorker) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(root.dataset.serviceWorker, { scope: "/" })
        .catch(function () { /* no app, still a web page */ });
    });
  }
  function showNetworkState() {
    var note = document.querySelector(".offline-note");
    if (note) note.hidden = navigator.onLine !== false;
  }
  document.addEventListener("DOMContentLoaded", showNetworkState);
  window.addEventListener("online", showNetworkState);
  window.addEventListener("offline", showNetworkState);
})();
