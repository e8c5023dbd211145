/* The report form (/m/report/, issue 16 §2): the categories of the kind chosen, and the
 * place — the phone's own position (the browser's geolocation, WGS-84), or a point tapped
 * on the map (the tiles are WGS-84 / CGCS2000 too). Coordinates from WeChat's own location
 * API would come as GCJ-02 with system=gcj02; the server converts either. Without this
 * script the form still works: every category shows, and "not about one place" or "at
 * this station" need no position. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var config = JSON.parse(document.getElementById("report-config").textContent);
  var status = document.getElementById("location-status");
  var mapBox = document.getElementById("pick-map");
  var map = null, marker = null;

  function checked(name) {
    var input = form.querySelector("input[name=" + name + "]:checked");
    return input ? input.value : "";
  }
  function say(text) { status.textContent = text; status.hidden = !text; }
  function setPoint(lat, lng) {
    form.elements.lat.value = lat.toFixed(6);
    form.elements.lng.value = lng.toFixed(6);
    form.elements.system.value = "wgs84";
  }
  function clearPoint() { form.elements.lat.value = ""; form.elements.lng.value = ""; }

  function showKind() {
    var kind = checked("kind");
    Array.prototype.forEach.call(form.querySelectorAll(".category-group"), function (group) {
      var shown = !kind || group.dataset.kind === kind;
      group.hidden = !shown;
      if (!shown) Array.prototype.forEach.call(group.querySelectorAll("input"), function (i) { i.checked = false; });
    });
  }

  function locate() {
    if (!navigator.geolocation) { say(config.text.noLocation); return; }
    say(config.text.locating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPoint(pos.coords.latitude, pos.coords.longitude);
      say(config.text.located.replace("%(metres)s", Math.round(pos.coords.accuracy || 0)));
    }, function () { clearPoint(); say(config.text.noLocation); }, { timeout: 10000, maximumAge: 60000 });
  }

  function pickOnMap() {
    mapBox.hidden = false;
    say(config.text.tapMap);
    if (map || !window.L) return;
    map = L.map(mapBox).setView([config.lat, config.lng], 16);
    map.attributionControl.setPrefix(config.attributionPrefix || false);
    L.tileLayer(config.tileUrl, { subdomains: config.tileSubdomains, maxZoom: 18, attribution: config.attribution }).addTo(map);
    map.on("click", function (event) {
      setPoint(event.latlng.lat, event.latlng.lng);
      if (marker) marker.setLatLng(event.latlng); else marker = L.marker(event.latlng).addTo(map);
      say(config.text.picked);
    });
  }

  function showWhere() {
    var where = checked("where");
    if (where !== "map") mapBox.hidden = true;
    if (where === "here") locate();
    else if (where === "map") { clearPoint(); pickOnMap(); }
    else { clearPoint(); say(""); }
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") showKind();
    if (event.target.name === "where") showWhere();
  });
  showKind();
  if (!form.elements.lat.value) showWhere();
})();
