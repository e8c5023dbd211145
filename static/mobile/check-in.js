/* Check-in (签到) on the phone, and its offline queue.
 *
 * The check-in form is sent as JSON. When the phone has no network (a basement, a lift),
 * the check-in is kept in localStorage with the key the page made for it and the time of
 * the tap, and sent when the phone is online again — on the `online` event or the next
 * page of ours it opens. The server treats the same key twice as one check-in and taps
 * within 30 minutes at one station as one visit, so a replay never counts twice.
 * Without this script the form still posts normally.
 */
/* Check-in (签到) on the phone, and its offline queue.
 *
 * The check-in form is sent as JSON. When the phone has no network (a basement, a lift),
 * the check-in is kept on the phone (check-in-queue.js) with a key made on the phone for
 * that tap and the time of the tap, and sent when the phone is online again: by the
 * service worker's background sync where the browser has one, else on the `online` event
 * or the next page of ours that opens. The server treats the same key twice as one
 * check-in and taps within 30 minutes at one station as one visit, so a replay never
 * counts twice. Without this script the form still posts normally.
 */
(function () {
  "use strict";
  var queue = window.WarmStationsCheckInQueue;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function send(form, payload) {
    return fetch(form.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    });
  }

  /* A new key for every tap, made here: a station page opened from the phone's cache
   * carries the key of the day it was saved, and two visits must not share one. */
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  /* Ask the service worker to send the queue when the network is back, even if no page
   * of ours is open then. Browsers without background sync rely on flush() below. */
  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(queue.SYNC_TAG);
    }).catch(function () { /* no sync: the pages send */ });
  }

  function showPending() {
    var box = document.querySelector(".pending-check-ins");
    if (!box) return Promise.resolve();
    return Promise.all([queue.count(), queue.takeRefused()]).then(function (found) {
      var waiting = found[0], refused = found[1], lines = [];
      if (waiting) lines.push(box.dataset.waiting.replace("%(n)s", waiting));
      refused.forEach(function (r) { lines.push(box.dataset.refused.replace("%(error)s", r.error)); });
      box.textContent = lines.join(" ");
      box.hidden = !lines.length;
    });
  }

  function flush() {
    return queue.flush().then(showPending, showPending);
  }

  function locate(form) {
    // The browser's own geolocation (WGS-84). Only the distance is kept, by the server.
    return new Promise(function (resolve) {
      if (!navigator.geolocation) return resolve();
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude;
        form.elements.lng.value = pos.coords.longitude;
        form.elements.accuracy.value = Math.round(pos.coords.accuracy || 0);
        form.elements.system.value = "wgs84";
        resolve();
      }, function () { resolve(); }, { timeout: 8000, maximumAge: 60000 });
    });
  }

  function payloadOf(form) {
    var services = Array.prototype.map.call(
      form.querySelectorAll("input[name=services]:checked"), function (i) { return i.value; });
    var payload = {
      station: form.dataset.station,
      station_name: form.dataset.stationName,
      client_key: form.elements.client_key.value,
      services: services
    };
    ["lat", "lng", "accuracy", "system"].forEach(function (name) {
      if (form.elements[name].value) payload[name] = form.elements[name].value;
    });
    return payload;
  }

  function setUpForm(form) {
    var status = form.querySelector(".check-in-status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = form.dataset.sending;
      form.elements.client_key.value = newKey();
      var tappedAt = new Date().toISOString();
      locate(form).then(function () {
        var payload = payloadOf(form);
        function queueIt() {
          payload.made_at = tappedAt;  // the visit's time, not the time it reaches us
          return queue.add(payload).then(function () {
            status.textContent = form.dataset.queued;
            askForSync();
          }, function () {
            status.textContent = form.dataset.notSaved;
            button.disabled = false;
          });
        }
        if (!navigator.onLine) return queueIt();
        return send(form, payload).then(function (response) {
          if (response.status === 403) return form.submit();  // CSRF: fall back to a plain post
          return response.json().then(function (body) {
            if (response.ok) {
              status.textContent = body.message;
              window.location.href = body.history;
            } else if (response.status === 401) {
              queueIt().then(function () {
                window.location.href = body.login + "?next=" + encodeURIComponent(form.dataset.history);
              });
            } else if (response.status === 400) {
              status.textContent = body.error;
              button.disabled = false;
            } else {
              queueIt();
            }
          }, queueIt);
        }, queueIt);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".check-in-form");
    if (form) setUpForm(form);
    queue.adoptOldQueue().then(flush, flush);
  });
  window.addEventListener("online", flush);
})();
