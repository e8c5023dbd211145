/* The public hazard map (/m/hazards/, issue 16 §4): the hazards workers reported and
 * agreed to show, where their category allows it, red while open and green once fixed,
 * with a list under the map for reading without it. Never who reported. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("hazard-config").textContent);
  var status = document.getElementById("hazard-status");
  var list = document.getElementById("hazard-list");
  var map = L.map("hazard-map").setView([config.lat, config.lng], 12);
  map.attributionControl.setPrefix(config.attributionPrefix || false);
  L.tileLayer(config.tileUrl, { subdomains: config.tileSubdomains, maxZoom: 18, attribution: config.attribution }).addTo(map);

  function line(props) {
    var item = document.createElement("li");
    item.className = props.open ? "hazard-open" : "hazard-fixed";
    var title = document.createElement("strong");
    title.textContent = props.category + " · " + props.state;
    var text = document.createElement("p");
    text.textContent = props.text;
    var meta = document.createElement("small");
    meta.textContent = props.number + " · " + props.reported;
    item.appendChild(title); item.appendChild(text); item.appendChild(meta);
    return item;
  }

  fetch(config.dataUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var bounds = [];
    data.features.forEach(function (feature) {
      var props = feature.properties;
      var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      bounds.push(latlng);
      var marker = L.circleMarker(latlng, {
        radius: 9, weight: 2, color: "#fff", fillOpacity: 0.9,
        fillColor: props.open ? "#c62828" : "#2e7d32"
      }).addTo(map);
      var box = document.createElement("div");
      box.appendChild(line(props));
      marker.bindPopup(box);
      list.appendChild(line(props));
    });
    if (bounds.length) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
    status.textContent = bounds.length ? "" : config.text.none;
  }, function () { status.textContent = config.text.none; });
})();
