/* Forms written without a network: micro-wishes (/m/wishes/new/, issue 15 §1) and
 * suggestions and reports (/m/report/, issue 16 §2).
 *
 * A form marked data-offline-queue="<name>" is sent in the background. If the network
 * drops (a basement, a lift, a rider between towers), what was written is kept on this
 * phone under the key the page made for it, and sent when the phone is online again: on
 * the `online` event or from the next page of ours that loads this script. The server
 * takes the same key twice as one record, so a replay never makes two; a replay says so
 * (replayed=1), so the server does not stop to ask a question nobody is there to answer.
 * A record the server refuses on replay is shown once, with the reason, in the page's
 * [data-queue-refused="<name>"] box; [data-queue-waiting="<name>"] shows how many wait.
 * Kept in localStorage: only pages send these (no background sync), and WeChat's browser
 * keeps it. A photo is not kept offline (the record goes without it).
 * Without this script the form posts normally.
 */
(function () {
  "use strict";
  var QUEUES = ["wish", "case"];  // every queue a page flushes, whichever form it shows

  function queueKey(name) { return "warmstations." + name + "Queue"; }
  function refusedKey(name) { return "warmstations." + name + "Refused"; }
  function read(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function write(key, items) {
    try { window.localStorage.setItem(key, JSON.stringify(items)); } catch (e) { /* full or off */ }
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }
  /* `body`: the form's own FormData (with its photos) when sent at once; the text fields
   * kept on the phone when replayed. */
  function post(url, body, token) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() || token || "" },
      body: body
    });
  }

  function showWaiting(name) {
    var note = document.querySelector('[data-queue-waiting="' + name + '"]');
    var waiting = read(queueKey(name)).length;
    if (note) {
      note.hidden = !waiting;
      var count = note.querySelector(".count");
      if (count) count.textContent = waiting;
    }
    var refusedBox = document.querySelector('[data-queue-refused="' + name + '"]');
    var refused = read(refusedKey(name));
    if (refusedBox && refused.length) {
      refused.forEach(function (item) {
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = "“" + (item.fields.text || "") + "”: " + item.error;
        refusedBox.appendChild(p);
      });
      refusedBox.hidden = false;
      write(refusedKey(name), []);
    }
  }

  var flushing = {};
  function flush(name) {
    if (flushing[name] || navigator.onLine === false) return Promise.resolve();
    var items = read(queueKey(name));
    if (!items.length) return Promise.resolve();
    flushing[name] = true;
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        var fields = new URLSearchParams(item.fields);
        fields.set("replayed", "1");
        return post(item.url, fields, item.csrf).then(function (response) {
          var left = read(queueKey(name)).filter(function (i) { return i.fields.client_key !== item.fields.client_key; });
          if (response.status === 201) return write(queueKey(name), left);
          if (response.status !== 400) return undefined;  // logged out, a server error: later
          return response.json().then(function (answer) {
            write(refusedKey(name), read(refusedKey(name)).concat([{ fields: item.fields, error: answer.error }]));
            write(queueKey(name), left);
          }, function () { /* not our answer: keep it */ });
        }, function () { /* still no network: keep it */ });
      });
    }, Promise.resolve()).then(function () { flushing[name] = false; showWaiting(name); });
  }

  function flushAll() { QUEUES.forEach(flush); }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-queue]"), function (form) {
    var name = form.getAttribute("data-offline-queue");
    // A page opened from the phone's saved copy carries the key of the day it was saved.
    form.elements.client_key.value = newKey();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var sent = new FormData(form);
      if (event.submitter && event.submitter.name) sent.set(event.submitter.name, event.submitter.value);
      var fields = {};
      sent.forEach(function (value, field) { if (typeof value === "string") fields[field] = value; });
      var url = form.getAttribute("action") || window.location.pathname;
      post(url, sent).then(function (response) {
        if (response.status === 201) {
          return response.json().then(function (answer) { window.location.href = answer.next; });
        }
        form.submit();  // refused, or a question first: the page itself says it
      }, function () {
        var item = { url: url, fields: fields, csrf: csrfToken(), made_at: new Date().toISOString() };
        write(queueKey(name), read(queueKey(name)).concat([item]));
        form.reset();
        form.elements.client_key.value = newKey();
        var saved = document.getElementById(form.getAttribute("data-saved-note"));
        if (saved) saved.hidden = false;
        showWaiting(name);
      });
    });
  });

  window.addEventListener("online", flushAll);
  QUEUES.forEach(showWaiting);
  flushAll();
})();
