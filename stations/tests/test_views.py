"""Mobile pages, the poster entry and printable posters."""

import hashlib
import io
import zipfile

import pytest

from stations import services
from stations.models import Station

from .factories import StationFactory, add_facility

pytestmark = pytest.mark.django_db


def test_mobile_home_renders_in_chinese_with_facility_chips(client, db):
    response = client.get("/m/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-hans"' in html
    assert 'data-facility="ebike-charging"' in html
    assert "/static/leaflet/leaflet.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()


def test_root_redirects_to_the_mobile_map(client, db):
    assert client.get("/").url == "/m/"


def test_mobile_station_page_shows_hours_facilities_and_navigation(client, station_a):
    add_facility(station_a, "water")
    html = client.get(f"/m/stations/{station_a.pk}/").content.decode()
    assert "甲站" in html and "饮用水" in html
    assert "uri.amap.com" in html and "api.map.baidu.com" in html
    assert "正在开放" in html or "开放" in html


def test_closed_station_page_is_404(client, tree):
    s = StationFactory(area=tree.a["community"], status=Station.Status.CLOSED)
    assert client.get(f"/m/stations/{s.pk}/").status_code == 404


def test_poster_entry_with_current_key_opens_the_station(client, station_a):
    response = client.get(f"/q/{services.poster_token(station_a)}/")
    assert response.status_code == 302
    assert response.url == f"/m/stations/{station_a.pk}/?from=poster"


def test_rotated_poster_opens_a_friendly_out_of_date_page(client, trio, station_a):
    old_token = services.poster_token(station_a)
    services.station_rotate_poster_key(actor=trio.staff_a, station=station_a)
    response = client.get(f"/q/{old_token}/")
    assert response.status_code == 410
    html = response.content.decode()
    assert f"/m/stations/{station_a.pk}/" in html and "甲站" in html


def test_tampered_poster_token_is_a_friendly_404(client, station_a):
    response = client.get(f"/q/{station_a.poster_key}:forged/")
    assert response.status_code == 404
    assert "/m/" in response.content.decode()


def test_poster_qr_encodes_signed_url_without_raw_id(client, trio, station_a):
    client.force_login(trio.staff_a)
    html = client.get(f"/stations/{station_a.pk}/poster/").content.decode()
    assert "<svg" in html and "甲站" in html
    token = services.poster_token(station_a)
    assert f"/q/{token}/" in html


def test_poster_trio(client, trio, station_a):
    url = f"/stations/{station_a.pk}/poster/"
    client.force_login(trio.viewer_a)
    assert client.get(url).status_code == 200
    client.force_login(trio.staff_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_bulk_posters_for_a_street_as_pages_and_zip(client, trio, station_a):
    StationFactory(area=trio.tree.a["community2"], name="丁站")
    client.force_login(trio.staff_a)
    street = trio.tree.a["street"].code
    html = client.get("/stations/posters/", {"area": street}).content.decode()
    assert html.count('class="poster"') == 2
    response = client.get("/stations/posters/", {"area": street, "file": "zip"})
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 2


def test_bulk_posters_outside_reach_is_404(client, trio, station_a):
    client.force_login(trio.staff_b)
    assert client.get("/stations/posters/", {"area": trio.tree.a["street"].code}).status_code == 404


def test_rotate_poster_endpoint_refuses_get_and_viewer(client, trio, station_a):
    url = f"/stations/{station_a.pk}/rotate-poster/"
    client.force_login(trio.staff_a)
    assert client.get(url).status_code == 403
    client.force_login(trio.viewer_a)
    assert client.post(url).status_code == 403
    client.force_login(trio.staff_a)
    assert client.post(url).status_code == 302
    old_key = station_a.poster_key
    station_a.refresh_from_db()
    assert station_a.poster_key != old_key


def test_mobile_home_centres_on_a_district_given_by_code(client, tree):
    from django.contrib.gis.geos import Point

    district = tree.a["district"]
    district.centre = Point(107.61, 35.73, srid=4326)
    district.save()
    html = client.get("/m/", {"area": "621002"}).content.decode()
    assert '"defaultLat": 35.73' in html and '"defaultLng": 107.61' in html


def test_poster_of_a_closed_station_is_a_friendly_404(client, trio, station_a):
    token = services.poster_token(station_a)
    services.station_close(actor=trio.staff_a, station=station_a)
    response = client.get(f"/q/{token}/")
    assert response.status_code == 404
    assert "/m/" in response.content.decode()


def test_a_station_page_carries_its_poster_digest_not_its_token(client, tree):
    station = StationFactory(area=tree.a["community"])
    html = client.get(f"/m/stations/{station.pk}/").content.decode()
    token = services.poster_token(station)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert f'<meta name="poster-digest" content="{digest}">' in html
    assert token not in html
