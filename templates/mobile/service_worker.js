/* The phone app's service worker (core/pwa.py serves it at /sw.js).
 *
 * - Pages under /m/ a worker opens are saved on the phone as they come (the network
 *   first, always): without a network the saved copy opens instead, else the offline page.
 *   A few are never saved (logging in and out, the data export, deleting the account), and
 *   the saved pages are forgotten when someone logs in or out on this phone or deletes
 *   their account: the next person on a shared phone does not see them.
 * - A poster scanned without a network (/q/<token>/) opens the station's saved page: each
 *   saved station page carries a digest of its poster's token (never the token itself).
 * - Check-ins queued without a network (check-in-queue.js) are sent on a background sync.
 * - Static files with a hashed name never change: taken from the phone's cache first.
 * Nothing else (the admin, the API, the dashboards, other sites) is touched.
 */
"use strict";
importScripts({{ queue_script|safe }});

var SHELL_CACHE = "shell-__SHELL_VERSION__";
var STATIC_CACHE = "static";
var PAGES_CACHE = "pages";
var SHELL = {{ shell|safe }};
var OFFLINE_URL = {{ offline_url|safe }};
var POSTER_KEYS = "/__poster__/";  // saved-page cache entries: poster digest → station page
var NEVER_SAVED = /^\/m\/(login|logout|me\/data|me\/delete)\b/;
var FORGET_PAGES = /^\/m\/(login|logout|me\/delete)\b/;
var HASHED_STATIC = /^\/static\/.+\.[0-9a-f]{12}\.[a-z0-9]+$/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(SHELL.concat([OFFLINE_URL]));
  }).then(function () { return self.skipWaiting(); }));
});

// A new version (a deployment): the old shell goes, and the static files kept on the way
// go too, since their hashed names are no longer asked for (the cache would only grow).
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return (name.indexOf("shell-") === 0 && name !== SHELL_CACHE) || name === STATIC_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("sync", function (event) {
  if (event.tag === self.WarmStationsCheckInQueue.SYNC_TAG) {
    event.waitUntil(self.WarmStationsCheckInQueue.flush());
  }
});

function isSaveable(response) {
  return response.ok && response.type === "basic" && !response.redirected &&
    (response.headers.get("Content-Type") || "").indexOf("text/html") === 0 &&
    (response.headers.get("Cache-Control") || "").indexOf("no-store") < 0;
}

/* Keep a page under its path (a list's later pages replace its first: offline, the last
 * seen is shown), and for a station page the way from its poster. */
function savePage(path, response) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return response.clone().text().then(function (html) {
      var digest = html.match(/<meta name="poster-digest" content="([0-9a-f]{64})">/);
      return Promise.all([
        cache.put(path, response),
        digest ? cache.put(POSTER_KEYS + digest[1], new Response(path)) : null
      ]);
    });
  });
}

function savedOrOffline(path) {
  return caches.match(path, { cacheName: PAGES_CACHE }).then(function (saved) {
    return saved || caches.match(OFFLINE_URL);
  });
}

function sha256Hex(text) {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
  });
}

function posterOffline(path) {
  var token = decodeURIComponent(path.split("/")[2] || "");
  return sha256Hex(token).then(function (digest) {
    return caches.match(POSTER_KEYS + digest, { cacheName: PAGES_CACHE });
  }).then(function (found) {
    if (!found) return caches.match(OFFLINE_URL);
    return found.text().then(function (stationPath) {
      return Response.redirect(stationPath + "?from=poster", 302);
    });
  });
}

function page(event, path) {
  return fetch(event.request).then(function (response) {
    if (path.indexOf("/m/") === 0 && !NEVER_SAVED.test(path) && isSaveable(response)) {
      event.waitUntil(savePage(path, response.clone()));
    }
    return response;
  }, function () {
    return path.indexOf("/q/") === 0 ? posterOffline(path) : savedOrOffline(path);
  });
}

function keepStatic(event, response) {
  if (response.ok) {
    var copy = response.clone();
    event.waitUntil(caches.open(STATIC_CACHE).then(function (c) { return c.put(event.request, copy); }));
  }
  return response;
}

function staticFile(event, path) {
  if (HASHED_STATIC.test(path)) {
    return caches.match(event.request).then(function (found) {
      return found || fetch(event.request).then(function (response) { return keepStatic(event, response); });
    });
  }
  // Names without a hash (development, tests) may change: the network first.
  return fetch(event.request).then(function (response) { return keepStatic(event, response); }, function () {
    return caches.match(event.request).then(function (found) { return found || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (FORGET_PAGES.test(path) && event.request.method === "POST") {
    event.waitUntil(caches.delete(PAGES_CACHE));
  }
  if (event.request.method !== "GET") return;
  if (event.request.mode === "navigate" && (path.indexOf("/m/") === 0 || path.indexOf("/q/") === 0)) {
    event.respondWith(page(event, path));
  } else if (path.indexOf("/static/") === 0) {
    event.respondWith(staticFile(event, path));
  }
});
