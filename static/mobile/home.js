/* The workers' map: locate, ask /api/v1/stations/nearby/, draw the list and the markers.
   No framework on purpose: the page must load fast on a weak phone signal. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var text = config.text;
  var statusEl = document.getElementById("status");
  var resultsEl = document.getElementById("results");
  var chips = Array.prototype.slice.call(document.querySelectorAll(".chip"));
  var origin = null;
  var located = false;

  var map = L.map("map", { zoomControl: false }).setView([config.defaultLat, config.defaultLng], 14);
  L.tileLayer(config.tileUrl, {
    subdomains: config.tileSubdomains, maxZoom: 18, attribution: config.attribution
  }).addTo(map);
  var markers = L.layerGroup().addTo(map);
  var here = null;

  function selectedFacilities() {
    return chips.filter(function (c) { return c.getAttribute("aria-pressed") === "true"; })
      .map(function (c) { return c.dataset.facility; });
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  function render(data) {
    markers.clearLayers();
    resultsEl.innerHTML = "";
    if (!data.results.length) { statusEl.textContent = text.none; return; }
    statusEl.textContent = located ? text.located : text.fallback;
    data.results.forEach(function (s) {
      L.circleMarker([s.lat, s.lng], { radius: 9, color: "#fff", weight: 2, fillColor: s.open_now ? "#c0392b" : "#999", fillOpacity: 1 })
        .bindPopup('<a href="' + s.url + '">' + escapeHtml(s.name) + "</a>").addTo(markers);
      var li = document.createElement("li");
      li.innerHTML = '<a class="station-link" href="' + s.url + '"><div class="name">' + escapeHtml(s.name) + "</div>" +
        '<div class="meta"><span class="' + (s.open_now ? "open" : "closed") + '">' + (s.open_now ? text.open : text.closed) + "</span> · " +
        s.distance_m + " m · " + s.walking_minutes + " " + text.walk + " · " + s.ebike_minutes + " " + text.ebike + "</div>" +
        '<div class="meta">' + escapeHtml(s.address) + "</div></a>";
      resultsEl.appendChild(li);
    });
  }

  function search() {
    var params = new URLSearchParams({ lat: origin[0], lng: origin[1], open_now: "true", coord: "wgs84" });
    var facilities = selectedFacilities();
    if (facilities.length) params.set("facility", facilities.join(","));
    fetch(config.nearbyUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(render)
      .catch(function () { statusEl.textContent = text.error; });
  }

  function start(lat, lng, fromBrowser) {
    origin = [lat, lng];
    located = fromBrowser;
    map.setView(origin, 15);
    if (here) map.removeLayer(here);
    here = L.circleMarker(origin, { radius: 6, color: "#2471a3", fillColor: "#2471a3", fillOpacity: 1 }).addTo(map);
    search();
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function () {
      chip.setAttribute("aria-pressed", chip.getAttribute("aria-pressed") === "true" ? "false" : "true");
      if (origin) search();
    });
  });

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
