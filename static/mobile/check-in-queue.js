/* The phone's queue of check-ins (签到) made without a network, shared by our pages
 * (check-in.js) and the service worker (/sw.js, importScripts), so either can send them:
 * the page when it opens or the phone comes back online, the service worker on a
 * background sync where the browser has one (Chromium's; WeChat's browser has not).
 *
 * Kept in IndexedDB, one record per check-in under the key the phone made for it, so a
 * page and the service worker sending at once never overwrite each other's changes; in
 * localStorage where IndexedDB cannot be opened (then only pages send). The server takes
 * the same key twice as one check-in, so two senders racing count once.
 */
(function (scope) {
  "use strict";
  var DB_NAME = "warmstations";
  var QUEUED = "checkIns";       // waiting to be sent
  var REFUSED = "refusedCheckIns";  // refused by the server, shown once on a page
  var API = "/m/check-ins/";
  var OLD_LOCAL_QUEUE = "warmstations.checkInQueue";  // before IndexedDB (2026-11)

  var opened = null;
  function database() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        if (!scope.indexedDB) return reject(new Error("no IndexedDB"));
        var request = scope.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          [QUEUED, REFUSED].forEach(function (name) {
            if (!request.result.objectStoreNames.contains(name)) {
              request.result.createObjectStore(name, { keyPath: "client_key" });
            }
          });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opened;
  }

  /* The same four operations over localStorage, for pages where IndexedDB is refused. */
  var local = {
    read: function (store) {
      try { return JSON.parse(scope.localStorage.getItem("warmstations." + store) || "{}"); } catch (e) { return {}; }
    },
    write: function (store, items) {
      try { scope.localStorage.setItem("warmstations." + store, JSON.stringify(items)); } catch (e) { /* full or off */ }
    }
  };

  function run(store, mode, work) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var result = work(tx.objectStore(store));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    }, function () {
      if (!scope.localStorage) return mode === "readonly" ? [] : undefined;
      var items = local.read(store);
      var fake = {
        put: function (item) { items[item.client_key] = item; },
        delete: function (key) { delete items[key]; },
        getAll: function () { return { result: Object.keys(items).map(function (k) { return items[k]; }) }; }
      };
      var result = work(fake);
      if (mode !== "readonly") local.write(store, items);
      return result && "result" in result ? result.result : undefined;
    });
  }

  function put(store, item) { return run(store, "readwrite", function (s) { s.put(item); }); }
  function remove(store, key) { return run(store, "readwrite", function (s) { s.delete(key); }); }
  function all(store) { return run(store, "readonly", function (s) { return s.getAll(); }); }

  function cookieToken() {
    if (typeof document === "undefined") return "";
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* What the server is sent: the check-in without what only the phone needs. */
  function body(item) {
    var sent = {};
    Object.keys(item).forEach(function (k) { if (k !== "csrf" && k !== "station_name") sent[k] = item[k]; });
    return JSON.stringify(sent);
  }

  function send(item) {
    return fetch(API, {
      method: "POST",
      credentials: "same-origin",
      // A page reads the current token from its cookie; the service worker, which cannot,
      // uses the one the page had when it queued the check-in.
      headers: { "Content-Type": "application/json", "X-CSRFToken": cookieToken() || item.csrf || "" },
      body: body(item)
    });
  }

  var flushing = null;
  /* Send what is queued, oldest first. Sent (2xx) or refused for good (400): off the
   * queue, a refusal kept to be shown. Not logged in, a stale CSRF token, a server or
   * network failure: kept for the next try. Resolves to the number still waiting. */
  function flush() {
    if (flushing) return flushing;
    if (scope.navigator && scope.navigator.onLine === false) return count();
    flushing = all(QUEUED).then(function (items) {
      items.sort(function (a, b) { return (a.made_at || "").localeCompare(b.made_at || ""); });
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function (response) {
            if (response.ok) return remove(QUEUED, item.client_key);
            if (response.status !== 400) return undefined;
            return response.json().then(function (answer) {
              return put(REFUSED, { client_key: item.client_key, made_at: item.made_at, station_name: item.station_name, error: answer.error })
                .then(function () { return remove(QUEUED, item.client_key); });
            }, function () { /* not our JSON: keep it */ });
          }, function () { /* no network after all: keep it */ });
        });
      }, Promise.resolve());
    }).then(count, count).then(function (n) { flushing = null; return n; });
    return flushing;
  }

  function count() { return all(QUEUED).then(function (items) { return items.length; }); }

  /* Refusals not yet shown, forgotten once taken. */
  function takeRefused() {
    return all(REFUSED).then(function (items) {
      return Promise.all(items.map(function (i) { return remove(REFUSED, i.client_key); }))
        .then(function () { return items; });
    });
  }

  /* Check-ins queued by the earlier, localStorage-only version of check-in.js. */
  function adoptOldQueue() {
    if (!scope.localStorage) return Promise.resolve();
    var old;
    try { old = JSON.parse(scope.localStorage.getItem(OLD_LOCAL_QUEUE) || "[]"); } catch (e) { old = []; }
    if (!old.length) return Promise.resolve();
    return Promise.all(old.map(function (item) { return put(QUEUED, item); })).then(function () {
      scope.localStorage.removeItem(OLD_LOCAL_QUEUE);
    });
  }

  scope.WarmStationsCheckInQueue = {
    add: function (item) {
      item.csrf = cookieToken();
      return put(QUEUED, item);
    },
    flush: flush,
    count: count,
    waiting: function () { return all(QUEUED); },
    takeRefused: takeRefused,
    adoptOldQueue: adoptOldQueue,
    SYNC_TAG: "check-in-queue"
  };
})(self);
