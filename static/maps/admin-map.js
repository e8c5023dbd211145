/* The admin's map widgets (core/admin_maps.py): Chinese tooltips and a place search.

   1. Before django-leaflet builds the map (it waits for window "load"), the texts the page
      carries as JSON replace leaflet.draw's English ones (L.drawLocal) and the zoom
      buttons' titles.
   2. When a map is built ("map:init"), the search box above it asks /admin/geocode/?q=…
      for places by name; choosing one pans the map there, and for a point field (a
      station's location) offers to put the point there.

   No inline script or handler: the Content-Security-Policy refuses them. */
(function () {
  "use strict";

  function merge(target, source) {
    Object.keys(source).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object") {
        if (!target[key] || typeof target[key] !== "object") target[key] = {};
        merge(target[key], value);
      } else {
        target[key] = value;
      }
    });
  }

  function textsFor(box) {
    var el = box && document.getElementById(box.getAttribute("data-texts"));
    return el ? JSON.parse(el.textContent) : null;
  }

  function localise() {
    var texts = textsFor(document.querySelector(".place-search"));
    if (!texts || !window.L) return;
    if (L.drawLocal) merge(L.drawLocal, { draw: texts.draw, edit: texts.edit });
    if (L.Control && L.Control.Zoom) {
      L.Control.Zoom.prototype.options.zoomInTitle = texts.zoomIn;
      L.Control.Zoom.prototype.options.zoomOutTitle = texts.zoomOut;
    }
    if (L.GeometryField) L.GeometryField.unsavedText = texts.unsaved;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function attach(box, map, fieldOf) {
    var texts = textsFor(box).search;
    var input = box.querySelector(".place-search-input");
    var button = box.querySelector(".place-search-button");
    var status = box.querySelector(".place-search-status");
    var list = box.querySelector(".place-search-results");
    var placesPoint = box.hasAttribute("data-places-point");
    var highlight = null;
    var timer = null;
    var asked = 0; // answers to older questions are dropped

    function say(message) { status.textContent = message || ""; }

    function clearList() {
      list.textContent = "";
      list.hidden = true;
    }

    function placePoint(place) {
      var field = fieldOf();
      if (!field) return;
      field.onCreated({ layer: L.marker([place.lat, place.lng]) });
      say(fill(texts.placed, { name: place.name }));
    }

    function show(place) {
      var at = L.latLng(place.lat, place.lng);
      // At once, not animated: on a slow or busy machine the animated pan left the old view
      // showing for seconds (and a browser test waiting for it failed in CI).
      map.setView(at, place.zoom || 16, { animate: false });
      if (highlight) map.removeLayer(highlight);
      highlight = L.circleMarker(at, { radius: 10, color: "#c2410c", weight: 3, fill: false })
        .bindTooltip(place.name, { permanent: true, direction: "top", offset: [0, -10] })
        .addTo(map);
      clearList();
      say(fill(texts.shown, { name: place.name }));
      if (placesPoint && fieldOf()) {
        var put = document.createElement("button");
        put.type = "button";
        put.className = "button place-search-put";
        put.textContent = texts.placePoint;
        put.addEventListener("click", function () { placePoint(place); put.remove(); });
        status.appendChild(document.createTextNode(" "));
        status.appendChild(put);
      }
    }

    function render(places) {
      clearList();
      places.forEach(function (place) {
        var item = document.createElement("li");
        var choose = document.createElement("button");
        choose.type = "button";
        choose.className = "place-search-choice";
        var name = document.createElement("strong");
        name.textContent = place.name;
        var kind = document.createElement("span");
        kind.className = "place-search-kind";
        kind.textContent = place.kind;
        choose.appendChild(name);
        choose.appendChild(kind);
        if (place.description) {
          var about = document.createElement("span");
          about.className = "place-search-about";
          about.textContent = place.description;
          choose.appendChild(about);
        }
        choose.addEventListener("click", function () { show(place); });
        item.appendChild(choose);
        list.appendChild(item);
      });
      list.hidden = places.length === 0;
    }

    function search() {
      window.clearTimeout(timer);
      var query = input.value.trim();
      var mine = ++asked;
      if (!query) { clearList(); say(""); return; }
      say(texts.searching);
      var url = box.getAttribute("data-url") + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (answer) {
          if (mine !== asked) return;
          var places = (answer.body && answer.body.places) || [];
          render(places);
          if (!answer.ok || !places.length) say(answer.body.message || texts.none);
          else say(fill(texts.found, { n: places.length }));
        })
        .catch(function () {
          if (mine === asked) { clearList(); say(texts.failed); }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 400);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // Enter here searches; it must not save the admin form
        search();
      } else if (event.key === "Escape") {
        clearList();
      }
    });
    button.addEventListener("click", search);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", localise);
  } else {
    localise();
  }

  window.addEventListener("map:init", function (event) {
    var box = document.querySelector('.place-search[data-map="' + event.detail.id + '"]');
    if (!box) return;
    var map = event.detail.map;
    var field = null;
    // The geometry field is added right after map:init; keep it to place the point.
    map.on("map:loadfield", function (loaded) { field = loaded.field; });
    attach(box, map, function () { return field; });
  });
})();
