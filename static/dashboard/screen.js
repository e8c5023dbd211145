/* The 大屏: a dark, full-screen view for a command centre (1920×1080). It draws from the
   figures embedded in the page, then fetches them again every minute and redraws in place
   (no reload, no flash). A revoked token or an ended staff session shows a notice; a
   failed fetch keeps the last figures and says since when. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("screen-config").textContent);
  var text = config.text;
  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var number = WarmCharts.number;
  var textColour = "#cfe3ff";
  var axis = { color: "#8fb2d9" };
  var split = { lineStyle: { color: "rgba(120,160,220,.15)" } };

  function chart(id) {
    return echarts.init(document.getElementById(id), "dark", { renderer: "svg" });
  }
  var funnel = chart("screen-funnel");
  var coverage = chart("screen-coverage");
  var hours = chart("screen-hours");
  var trend = chart("screen-trend");

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; });
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
    });
  }

  var base = { backgroundColor: "transparent", animation: false, textStyle: { fontSize: 16 } };

  // --- The map: drawn once, stations redrawn at each refresh.
  var map = L.map("screen-map", { zoomControl: false, zoomSnap: 0.25, attributionControl: true, dragging: false,
    scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false });
  L.tileLayer(data.map.tiles.url, { subdomains: data.map.tiles.subdomains, maxZoom: 18, attribution: data.map.tiles.attribution }).addTo(map);
  var fitted = false;
  var layers = L.layerGroup().addTo(map);

  function drawMap(m) {
    layers.clearLayers();
    var bounds = null;
    function extend(b) { if (!b || !b.isValid()) return; bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast()); }
    if (m.children.features.length) {
      var areas = L.geoJSON(m.children, { style: { color: "#4f8fd6", weight: 1.5, fillColor: "#1b3a5c", fillOpacity: 0.35 },
        onEachFeature: function (f, layer) { layer.bindTooltip(escapeHtml(f.properties.name), { permanent: false }); } });
      areas.addTo(layers); extend(areas.getBounds());
    } else if (m.outline) {
      var outline = L.geoJSON(m.outline, { style: { color: "#4f8fd6", weight: 2, fill: false } });
      outline.addTo(layers); extend(outline.getBounds());
    }
    var busiest = Math.max.apply(null, m.stations.map(function (s) { return s.visits; }).concat([1]));
    m.stations.forEach(function (s) {
      var radius = 7 + 9 * Math.sqrt(s.visits / busiest);
      L.circleMarker([s.lat, s.lng], {
        radius: radius, color: s.open_now ? "#ffffff" : s.colour, weight: s.open_now ? 2.5 : 1.5,
        fillColor: s.colour, fillOpacity: s.compliant === false ? 0.25 : 0.9
      }).bindTooltip(escapeHtml(s.name) + " · " + number(s.visits)).addTo(layers);
      extend(L.latLngBounds([[s.lat, s.lng], [s.lat, s.lng]]));
    });
    m.suggestions.forEach(function (s) {
      L.marker([s.lat, s.lng], { icon: L.divIcon({ className: "suggestion-icon", html: String(s.rank), iconSize: [28, 28] }) })
        .bindTooltip(escapeHtml(s.name) + " +" + s.workers).addTo(layers);
    });
    if (!fitted && bounds) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 }); fitted = true; }
    if (!bounds) map.setView(m.centre, 12);
  }

  function toplist(id, rows) {
    var list = document.getElementById(id);
    var max = Math.max.apply(null, rows.map(function (r) { return r.value; }).concat([1]));
    list.innerHTML = rows.length ? rows.map(function (r) {
      return '<li><span class="name">' + escapeHtml(r.name) + '</span><span class="bar"><i data-width="' +
        Math.round(100 * r.value / max) + '"></i></span><span class="value">' + number(r.value) + "</span></li>";
    }).join("") : '<li class="none">' + escapeHtml(text.nothing) + "</li>";
    // Widths set from script, not an inline style attribute in the markup.
    Array.prototype.forEach.call(list.querySelectorAll("i[data-width]"), function (bar) {
      bar.style.width = bar.getAttribute("data-width") + "%";
    });
  }

  function render(d) {
    document.getElementById("kpis").innerHTML = d.kpis.map(function (k) {
      return '<div class="kpi"><div class="kpi-value">' + escapeHtml(k.value) + '</div><div class="kpi-label">' + escapeHtml(k.label) + "</div></div>";
    }).join("");
    var fresh = format(text.computed, { at: d.computed_at });
    if (d.pending) fresh += " · " + format(text.pending, { count: d.pending });
    document.getElementById("freshness").textContent = fresh;
    document.getElementById("freshness").classList.remove("stale");

    funnel.setOption(Object.assign({}, base, {
      series: [{ type: "funnel", sort: "none", left: "2%", width: "46%", top: 6, bottom: 6, minSize: "14%",
        data: d.funnel.categories.map(function (name, i) { return { name: name, value: d.funnel.data[i] }; }),
        label: { position: "right", color: textColour, fontSize: 15, formatter: function (p) { return p.name + "  " + number(p.value); } },
        labelLine: { show: true, length: 10, lineStyle: { color: "rgba(160,200,255,.5)" } },
        itemStyle: { borderWidth: 0 }, color: ["#2f6fbf", "#3fa7c4", "#2a9d6f", "#c9a227"] }]
    }), true);

    var note = document.getElementById("coverage-note");
    if (d.coverage) {
      coverage.setOption(Object.assign({}, base, {
        series: [
          gauge(text.walking, d.coverage.walking, ["25%", "58%"], "#3fa7c4"),
          gauge(text.ebike, d.coverage.ebike, ["75%", "58%"], "#2a9d6f")
        ]
      }), true);
      note.textContent = format(text.coverage, {
        ebike: d.coverage.ebike === null ? "—" : d.coverage.ebike + "%",
        walking: d.coverage.walking === null ? "—" : d.coverage.walking + "%",
        gaps: d.coverage.gaps, at: d.coverage.computed_at
      });
    } else {
      coverage.clear();
      note.textContent = text.no_coverage;
    }

    hours.setOption(Object.assign({}, base, {
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.hours.categories, axisLabel: axis },
      yAxis: { type: "value", axisLabel: axis, splitLine: split, minInterval: 1 },
      series: [{ type: "bar", data: d.hours.data.map(function (v, h) {
        return { value: v, itemStyle: { color: h === d.hours.now ? "#ffb347" : "#3f8fe0" } };
      }), barMaxWidth: 26 }]
    }), true);
    trend.setOption(Object.assign({}, base, {
      grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.trend.categories, axisLabel: axis },
      yAxis: { type: "value", axisLabel: axis, splitLine: split, minInterval: 1 },
      series: [{ type: "line", data: d.trend.data, smooth: true, symbol: "none",
        lineStyle: { color: "#4fd1c5", width: 3 }, areaStyle: { color: "rgba(79,209,197,.18)" } }]
    }), true);

    toplist("busiest", d.busiest);
    document.getElementById("children-title").textContent = d.children_title;
    toplist("children", d.children);
    drawMap(d.map);
    resize(); // the texts just written may have changed the panels' heights
  }

  function resize() {
    [funnel, coverage, hours, trend].forEach(function (c) { c.resize(); });
    map.invalidateSize();
  }

  function gauge(name, value, centre, colour) {
    return {
      type: "gauge", center: centre, radius: "78%", startAngle: 210, endAngle: -30, min: 0, max: 100,
      progress: { show: true, width: 14, itemStyle: { color: colour } },
      axisLine: { lineStyle: { width: 14, color: [[1, "rgba(120,160,220,.2)"]] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, "62%"], color: textColour, fontSize: 16 },
      detail: { offsetCenter: [0, "0%"], color: "#fff", fontSize: 30, formatter: function (v) { return value === null ? "—" : v + "%"; } },
      data: [{ value: value === null ? 0 : value, name: name }]
    };
  }

  // The clock keeps China time whatever the screen's computer is set to.
  var clockFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: config.timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  function tick() {
    document.getElementById("clock").textContent = clockFormat.format(new Date()).replace(/\//g, "-");
  }

  function refresh() {
    fetch(config.dataUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; } // signed out: to the login
        if (response.status === 403 || response.status === 404) {
          document.getElementById("freshness").textContent = text.ended;
          document.body.classList.add("ended");
          return null;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (d) { if (d) { data = d; render(d); } })
      .catch(function () {
        var el = document.getElementById("freshness");
        el.textContent = format(text.stale, { at: data.computed_at });
        el.classList.add("stale");
      });
  }

  render(data);
  tick();
  setInterval(tick, 1000);
  setInterval(refresh, config.refreshSeconds * 1000);
  window.addEventListener("resize", resize);
})();
