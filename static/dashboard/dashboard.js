/* The dashboard page: draws each chart from its spec, the map (stations by status and 六有,
   child areas shaded and clickable, the 一刻钟服务圈's gaps and suggested sites), and makes
   the period form show the fields of the kind chosen. Every number is also in the page's
   tables, so the page reads without this script. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var charts = [];

  data.charts.forEach(function (spec) {
    var element = document.getElementById("chart-" + spec.id);
    if (element) charts.push(WarmCharts.draw(element, spec));
  });

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("resize", resizeAll);
  // Printing: every table open, every chart at the paper's width.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    resizeAll();
  });
  window.addEventListener("afterprint", resizeAll);
  var printButton = document.getElementById("print-page");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });

  // --- The period form: a calendar period's code, or a range's two days.
  var kind = document.getElementById("id_kind");
  var periodInput = document.getElementById("id_period");
  var form = document.getElementById("period-form");
  var INPUT_TYPES = { day: "date", week: "week", month: "month", quarter: "text", year: "number" };
  function showFields() {
    var isRange = kind.value === "range";
    form.classList.toggle("is-range", isRange);
    form.classList.toggle("is-period", !isRange);
    var type = INPUT_TYPES[kind.value] || "text";
    // A browser without week/month pickers keeps a text field: the codes are typed as is.
    try { periodInput.type = type; } catch (e) { periodInput.type = "text"; }
    if (periodInput.type !== type) periodInput.type = "text";
  }
  if (kind && form) {
    var initialKind = kind.value;
    var initialValue = periodInput.value;
    kind.addEventListener("change", function () {
      periodInput.value = kind.value === initialKind ? initialValue : "";
      showFields();
    });
    showFields();
  }

  // --- Figures over a custom range still being counted by the job (reports.ranges): the
  // page reloads a few times while they come, then says to come back.
  var counting = document.getElementById("counting");
  var tries = "dashboard-counting:" + window.location.pathname + window.location.search;
  if (!counting) {
    window.sessionStorage.removeItem(tries); // counted: the next wait starts afresh
  } else {
    var done = Number(window.sessionStorage.getItem(tries) || 0);
    if (done < 8) {
      window.setTimeout(function () {
        window.sessionStorage.setItem(tries, String(done + 1));
        window.location.reload();
      }, 4000);
    } else {
      counting.textContent = counting.getAttribute("data-still");
    }
  }

  // --- The map
  var mapElement = document.getElementById("map");
  if (!mapElement || !window.L) return;
  var m = data.map;
  var text = m.text;
  var dark = WarmCharts.isDark();
  // zoomSnap: an area fills the map rather than the nearest whole zoom level.
  var map = L.map(mapElement, { scrollWheelZoom: false, zoomSnap: 0.25 }).setView(m.centre, 13);
  L.tileLayer(m.tiles.url, { subdomains: m.tiles.subdomains, maxZoom: 18, attribution: m.tiles.attribution }).addTo(map);

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  var bounds = [];
  var overlays = {};

  // Child areas, shaded by the ranked figure; a click opens the area's dashboard.
  var features = (m.children && m.children.features) || [];
  if (features.length) {
    var values = features.map(function (f) { return f.properties.value || 0; });
    var max = Math.max.apply(null, values.concat([0]));
    var shades = dark ? ["#233044", "#2c4a6e", "#356a9c", "#4a8fd0", "#7db7f0"]
      : ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
    var areas = L.geoJSON(m.children, {
      style: function (feature) {
        var v = feature.properties.value || 0;
        var step = max ? Math.min(4, Math.floor((v / max) * 4.999)) : 0;
        return { color: dark ? "#9fb3c8" : "#ffffff", weight: 1.5, fillColor: shades[step], fillOpacity: 0.55 };
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindTooltip(escapeHtml(p.name) + "：" + WarmCharts.number(p.value) + "（" + escapeHtml(m.choropleth_label) + "）", { sticky: true });
        layer.on("click", function () { window.location.href = p.url; });
        layer.on("mouseover", function () { layer.setStyle({ weight: 3 }); });
        layer.on("mouseout", function () { areas.resetStyle(layer); });
      }
    }).addTo(map);
    overlays[text.areas] = areas;
    bounds.push(areas.getBounds());
  } else if (m.outline) {
    var outline = L.geoJSON(m.outline, { style: { color: "#3182bd", weight: 2, fill: false } }).addTo(map);
    bounds.push(outline.getBounds());
  }

  // Stations: fill = status; hollow = not meeting 六有; dashed = never inspected; a white
  // ring = open now. Fetched after the page (a city's 2,000 would be most of it).
  var stations = L.layerGroup();
  overlays[text.stations] = stations;
  function drawStations(layer) {
    var points = [];
    layer.stations.forEach(function (s) {
      var status = layer.statuses[s.status] || { label: s.status, colour: "#8c8c8c" };
      var community = layer.areas[s.area] || { name: "", url: "#" };
      var style = {
        radius: 8, color: s.open_now ? (dark ? "#ffffff" : "#111111") : status.colour, weight: s.open_now ? 3 : 2,
        fillColor: status.colour, fillOpacity: s.compliant === false ? 0.15 : 0.95,
        dashArray: s.compliant === null ? "3 3" : null
      };
      var standard = s.compliant === true ? text.compliant : (s.compliant === false ? text.not_compliant : text.not_inspected);
      L.circleMarker([s.lat, s.lng], style).bindPopup(
        "<strong>" + escapeHtml(s.name) + "</strong><br>" + escapeHtml(community.name) + " · " + escapeHtml(status.label) +
        "<br>" + (s.open_now ? text.open_now : text.closed_now) + " · " + escapeHtml(standard) +
        "<br>" + text.visits + "：" + WarmCharts.number(s.visits) +
        '<br><a href="' + escapeHtml(community.url) + '">' + text.open_dashboard + "</a>"
      ).addTo(stations);
      points.push([s.lat, s.lng]);
    });
    mapElement.setAttribute("data-stations-drawn", String(points.length));
    // Where the page had no boundary to fit, the stations say where the area is.
    if (!bounds.length && points.length) map.fitBounds(L.latLngBounds(points), { padding: [16, 16], maxZoom: 15 });
  }
  stations.addTo(map);
  if (m.stations_url) {
    fetch(m.stations_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (layer) { if (layer) drawStations(layer); })
      .catch(function () { /* the page's table still lists the stations */ });
  }

  // The 一刻钟服务圈: places out of reach (triangles), and the suggested sites (numbered).
  if (m.coverage) {
    var places = L.layerGroup();
    m.coverage.places.forEach(function (p) {
      if (p.walking) return; // within reach on foot: nothing to show
      var icon = L.divIcon({ className: p.ebike ? "place-icon walking-gap" : "place-icon gap", iconSize: [14, 14] });
      L.marker([p.lat, p.lng], { icon: icon, keyboard: false }).bindPopup(
        "<strong>" + escapeHtml(p.name) + "</strong><br>" + (p.ebike ? text.walking_gap : text.gap) +
        "<br>" + p.workers + " " + text.workers +
        (p.nearest ? "<br>" + text.nearest + "：" + escapeHtml(p.nearest) + " " + p.nearest_m + " m" : "")
      ).addTo(places);
    });
    places.addTo(map);
    overlays[text.places] = places;
    if (m.coverage.suggestions.length) {
      var suggestions = L.layerGroup();
      m.coverage.suggestions.forEach(function (s) {
        var icon = L.divIcon({ className: "suggestion-icon", html: String(s.rank), iconSize: [24, 24] });
        L.marker([s.lat, s.lng], { icon: icon }).bindPopup(
          "<strong>" + escapeHtml(s.name) + "</strong><br>" +
          escapeHtml(text.suggestion.replace("%(rank)s", s.rank).replace("%(workers)s", s.workers))
        ).addTo(suggestions);
        L.circle([s.lat, s.lng], { radius: m.coverage.radius_m.ebike, color: "#c94f7c", weight: 1, fill: false, dashArray: "4 4" }).addTo(suggestions);
      });
      suggestions.addTo(map);
      overlays[text.suggestions] = suggestions;
    }
  }
  L.control.layers(null, overlays, { collapsed: true }).addTo(map);
  if (bounds.length) {
    var all = bounds[0];
    bounds.slice(1).forEach(function (b) { all.extend(b); });
    if (all.isValid()) map.fitBounds(all, { padding: [16, 16], maxZoom: 15 });
  }
  window.addEventListener("beforeprint", function () { map.invalidateSize(); });
})();
