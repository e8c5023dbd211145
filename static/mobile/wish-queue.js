/* Micro-wishes written without a network (/m/wishes/new/, issue 15 §1).
 *
 * The wish form is sent in the background. If the network drops (a basement, a lift, a
 * rider between towers), the wish is kept on this phone under the key the page made for
 * it, and sent when the phone is online again: on the `online` event or from the next
 * page of ours that opens. The server takes the same key twice as one wish, so a replay
 * never makes two. A wish the server refuses on replay (the cap changed, a second open
 * wish) is shown once on the worker's wishes page with the reason. Kept in localStorage:
 * only pages send these (no background sync), and WeChat's browser keeps it.
 * Without this script the form posts normally.
 */
(function () {
  "use strict";
  var QUEUE = "warmstations.wishQueue";
  var REFUSED = "warmstations.wishRefused";

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
  /* `body`: the form's own FormData (with its photo) when sent at once; the text fields
   * kept on the phone when replayed (a photo is not kept: the wish goes without it). */
  function post(url, body, token) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() || token || "" },
      body: body
    });
  }

  function showWaiting() {
    var note = document.getElementById("wishes-waiting");
    var waiting = read(QUEUE).length;
    if (note) {
      note.hidden = !waiting;
      var count = note.querySelector(".count");
      if (count) count.textContent = waiting;
    }
    var refusedBox = document.getElementById("wishes-refused");
    var refused = read(REFUSED);
    if (refusedBox && refused.length) {
      refused.forEach(function (item) {
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = "“" + (item.fields.text || "") + "”: " + item.error;
        refusedBox.appendChild(p);
      });
      refusedBox.hidden = false;
      write(REFUSED, []);
    }
  }

  var flushing = false;
  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    var items = read(QUEUE);
    if (!items.length) return Promise.resolve();
    flushing = true;
    return items.reduce(function (chain, item) {
      return chain.then(function () {
        return post(item.url, new URLSearchParams(item.fields), item.csrf).then(function (response) {
          var left = read(QUEUE).filter(function (i) { return i.fields.client_key !== item.fields.client_key; });
          if (response.status === 201) return write(QUEUE, left);
          if (response.status !== 400) return undefined;  // logged out, a server error: later
          return response.json().then(function (answer) {
            write(REFUSED, read(REFUSED).concat([{ fields: item.fields, error: answer.error }]));
            write(QUEUE, left);
          }, function () { /* not our answer: keep it */ });
        }, function () { /* still no network: keep it */ });
      });
    }, Promise.resolve()).then(function () { flushing = false; showWaiting(); });
  }

  var form = document.getElementById("wish-form");
  if (form) {
    // A page opened from the phone's saved copy carries the key of the day it was saved.
    form.elements.client_key.value = newKey();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var sent = new FormData(form);
      var fields = {};
      sent.forEach(function (value, name) { if (typeof value === "string") fields[name] = value; });
      var url = form.getAttribute("action") || window.location.pathname;
      post(url, sent).then(function (response) {
        if (response.status === 201) {
          return response.json().then(function (answer) { window.location.href = answer.next; });
        }
        form.submit();  // refused: the page says why, by each field
      }, function () {
        var item = { url: url, fields: fields, csrf: csrfToken(), made_at: new Date().toISOString() };
        write(QUEUE, read(QUEUE).concat([item]));
        form.reset();
        form.elements.client_key.value = newKey();
        var saved = document.getElementById("wish-saved-offline");
        if (saved) saved.hidden = false;
        showWaiting();
      });
    });
  }

  window.addEventListener("online", flush);
  showWaiting();
  flush();
})();
