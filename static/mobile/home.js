/* The workers' map: locate, ask /api/v1/stations/nearby/, draw the list and the markers.
   No framework on purpose: the page must load fast on a weak phone signal.

   "Open now" is a preference, not a filter that empties the page (issue 14 §1): the list
   shows the nearest stations with their state (open, 24 hours, opens at 08:00, temporarily
   closed), open ones first; when none is open within reach the answer's nearest_open names
   the nearest open station farther away. The chip "only open now" turns the filter on, and
   the hint names the filters that are really on. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var text = config.text;
  var statusEl = document.getElementById("status");
  var filtersEl = document.getElementById("filters-on");
  var nearestEl = document.getElementById("nearest-open");
  var resultsEl = document.getElementById("results");
  var openChip = document.getElementById("open-only");
  var chips = Array.prototype.slice.call(document.querySelectorAll(".chip[data-facility]"));
  var OPEN_ONLY_KEY = "warmstations:open-only";
  // The last answer, shown when there is no network (a basement car park at night).
  var LAST_ANSWER_KEY = "warmstations:last-nearby";
  var origin = null;
  var located = false;

  var map = L.map("map", { zoomControl: false }).setView([config.defaultLat, config.defaultLng], 14);
  // Leaflet's default prefix carries a flag icon; the deployment says what it wants there.
  map.attributionControl.setPrefix(config.attributionPrefix || false);
  L.tileLayer(config.tileUrl, {
    subdomains: config.tileSubdomains, maxZoom: 18, attribution: config.attribution
  }).addTo(map);
  var markers = L.layerGroup().addTo(map);
  var here = null;

  function pressed(chip) { return chip.getAttribute("aria-pressed") === "true"; }
  function selectedChips() { return chips.filter(pressed); }
  function fill(template, value) { return template.replace("%s", value); }
  function isOpen(s) { return s.state === "open" || s.state === "always_open"; }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function stateBadge(s) {
    return '<span class="state state-' + s.state + '">' + escapeHtml(s.state_label) + "</span>";
  }

  function card(s) {
    return '<a class="station-link" href="' + s.url + '"><div class="name">' + escapeHtml(s.name) + "</div>" +
      '<div class="meta">' + stateBadge(s) + " · " + escapeHtml(s.distance_text) + " · " +
      fill(text.walk, s.walking_minutes) + " · " + fill(text.ebike, s.ebike_minutes) + "</div>" +
      '<div class="meta">' + escapeHtml(s.address) + "</div></a>";
  }

  function addMarker(s) {
    // Tapping a marker opens the station's card; the card's link opens its page.
    var popup = '<div class="map-card"><strong>' + escapeHtml(s.name) + "</strong><br>" + stateBadge(s) +
      " · " + escapeHtml(s.distance_text) + '<br><a href="' + s.url + '">' + escapeHtml(text.view) + " ›</a></div>";
    return L.circleMarker([s.lat, s.lng], {
      radius: 10, color: "#fff", weight: 2, fillColor: isOpen(s) ? "#c0392b" : "#999", fillOpacity: 1
    }).bindPopup(popup).addTo(markers);
  }

  // What is really on, in words: the hint never blames filters nobody chose.
  function describeFilters() {
    var on = [];
    if (pressed(openChip)) on.push(text.openOnly);
    selectedChips().forEach(function (c) { on.push(c.dataset.name); });
    filtersEl.hidden = !on.length;
    filtersEl.textContent = on.length ? fill(text.filtersOn, on.join("、")) : "";
  }

  function emptyMessage(data) {
    var names = selectedChips().map(function (c) { return c.dataset.name; }).join("、");
    if (data.results.length) return text.noneOpen;  // some stations, none open
    if (names) return fill(pressed(openChip) ? text.noneOpenWith : text.noneWith, names);
    return pressed(openChip) ? text.noneOpen : text.noneAtAll;
  }

  function render(data) {
    markers.clearLayers();
    resultsEl.innerHTML = "";
    nearestEl.hidden = true;
    nearestEl.innerHTML = "";
    describeFilters();
    var stations = data.results.slice();
    // Open ones first, each group nearest first (the answer comes nearest first).
    stations.sort(function (a, b) { return (isOpen(b) ? 1 : 0) - (isOpen(a) ? 1 : 0) || a.distance_m - b.distance_m; });
    var anyOpen = stations.some(isOpen);
    statusEl.textContent = anyOpen ? (located ? text.located : text.fallback) : emptyMessage(data);
    var bounds = [origin];
    if (data.nearest_open) {
      nearestEl.innerHTML = '<p class="nearest-title">' + escapeHtml(text.nearestOpen) + "</p>" + card(data.nearest_open);
      nearestEl.hidden = false;
      addMarker(data.nearest_open);
      bounds.push([data.nearest_open.lat, data.nearest_open.lng]);
    }
    stations.forEach(function (s) {
      addMarker(s);
      bounds.push([s.lat, s.lng]);
      var li = document.createElement("li");
      li.innerHTML = card(s);
      resultsEl.appendChild(li);
    });
    // The worker's position and every station listed in view.
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  }

  function search() {
    var params = new URLSearchParams({ lat: origin[0], lng: origin[1], coord: "wgs84" });
    if (pressed(openChip)) params.set("open_now", "true");
    var facilities = selectedChips().map(function (c) { return c.dataset.facility; });
    if (facilities.length) params.set("facility", facilities.join(","));
    fetch(config.nearbyUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        render(data);
        try {
          window.localStorage.setItem(LAST_ANSWER_KEY, JSON.stringify({ at: new Date().toISOString(), origin: origin, data: data }));
        } catch (e) { /* private mode or full */ }
      })
      .catch(function () {
        var last = null;
        try { last = JSON.parse(window.localStorage.getItem(LAST_ANSWER_KEY) || "null"); } catch (e) { /* none */ }
        if (!last || navigator.onLine !== false) { statusEl.textContent = text.error; return; }
        origin = last.origin;
        render(last.data);
        var at = new Date(last.at);
        statusEl.textContent = fill(text.offline, at.toLocaleString("zh-CN", { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }));
      });
  }

  function start(lat, lng, fromBrowser) {
    origin = [lat, lng];
    located = fromBrowser;
    // Not animated: Leaflet ignores a new view asked for while it animates one, and the
    // answer (whose stations the map fits) can come back within the animation.
    map.setView(origin, 15, { animate: false });
    if (here) map.removeLayer(here);
    here = L.circleMarker(origin, { radius: 6, color: "#2471a3", fillColor: "#2471a3", fillOpacity: 1 }).addTo(map);
    search();
  }

  function toggle(chip) {
    chip.setAttribute("aria-pressed", pressed(chip) ? "false" : "true");
    if (origin) search();
  }

  try { if (window.localStorage.getItem(OPEN_ONLY_KEY) === "1") openChip.setAttribute("aria-pressed", "true"); } catch (e) { /* private mode */ }
  openChip.addEventListener("click", function () {
    toggle(openChip);
    try { window.localStorage.setItem(OPEN_ONLY_KEY, pressed(openChip) ? "1" : "0"); } catch (e) { /* private mode */ }
  });
  chips.forEach(function (chip) { chip.addEventListener("click", function () { toggle(chip); }); });

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (pos) { start(pos.coords.latitude, pos.coords.longitude, true); },
      function () { start(config.defaultLat, config.defaultLng, false); },
      { timeout: 6000, maximumAge: 60000 }
    );
  } else {
    start(config.defaultLat, config.defaultLng, false);
  }
})();
