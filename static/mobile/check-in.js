/* Check-in (签到) on the phone, and its offline queue.
 *
 * The check-in form is sent as JSON. When the phone has no network (a basement, a lift),
 * the check-in is kept in localStorage with the key the page made for it and the time of
 * the tap, and sent when the phone is online again — on the `online` event or the next
 * page of ours it opens. The server treats the same key twice as one check-in and taps
 * within 30 minutes at one station as one visit, so a replay never counts twice.
 * Without this script the form still posts normally.
 */
(function () {
  "use strict";
  var QUEUE = "warmstations.checkInQueue";
  var REFUSED = "warmstations.checkInRefused";
  var API = "/m/check-ins/";

  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function write(key, items) {
    try { localStorage.setItem(key, JSON.stringify(items)); } catch (e) { /* storage full or off */ }
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function send(payload) {
    return fetch(API, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload)
    });
  }
  function enqueue(payload) {
    var items = read(QUEUE).filter(function (i) { return i.client_key !== payload.client_key; });
    items.push(payload);
    write(QUEUE, items);
  }

  var flushing = false;
  /* Send what is queued, oldest first. Sent (200/201) or refused for good (400): off the
   * queue. Not logged in, a stale CSRF cookie, a server or network failure: kept. */
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    var items = read(QUEUE);
    if (!items.length) return Promise.resolve();
    flushing = true;
    var kept = [];
    var refused = read(REFUSED);
    var chain = Promise.resolve();
    items.forEach(function (item) {
      chain = chain.then(function () {
        return send(item).then(function (response) {
          if (response.status === 400) {
            return response.json().then(function (body) {
              refused.push({ at: item.made_at, station: item.station_name, error: body.error });
            }, function () { kept.push(item); });
          }
          if (!response.ok) kept.push(item);
        }, function () { kept.push(item); });
      });
    });
    return chain.then(function () {
      // Items queued while flushing are kept too.
      var now = read(QUEUE).filter(function (i) {
        return !items.some(function (j) { return j.client_key === i.client_key; });
      });
      write(QUEUE, kept.concat(now));
      write(REFUSED, refused.slice(-20));
      flushing = false;
      showPending();
    });
  }

  function showPending() {
    var box = document.querySelector(".pending-check-ins");
    if (!box) return;
    var waiting = read(QUEUE).length;
    var refused = read(REFUSED);
    var lines = [];
    if (waiting) lines.push(box.dataset.waiting.replace("%(n)s", waiting));
    refused.forEach(function (r) { lines.push(box.dataset.refused.replace("%(error)s", r.error)); });
    box.textContent = lines.join(" ");
    box.hidden = !lines.length;
    if (refused.length) write(REFUSED, []);  // shown once
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
      var tappedAt = new Date().toISOString();
      locate(form).then(function () {
        var payload = payloadOf(form);
        function queueIt() {
          payload.made_at = tappedAt;
          enqueue(payload);
          status.textContent = form.dataset.queued;
        }
        if (!navigator.onLine) return queueIt();
        return send(payload).then(function (response) {
          if (response.status === 403) return form.submit();  // CSRF: fall back to a plain post
          return response.json().then(function (body) {
            if (response.ok) {
              status.textContent = body.message;
              window.location.href = body.history;
            } else if (response.status === 401) {
              queueIt();
              window.location.href = body.login + "?next=" + encodeURIComponent(form.dataset.history);
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
    showPending();
    flush();
  });
  window.addEventListener("online", flush);
})();
