"""The stations API: the area trio on every route, bad input, GeoJSON and the POI export."""

import csv
import io

import pytest
from openpyxl import load_workbook

from core.testing import client_for
from stations.models import Station

from .factories import StationFactory, add_facility

pytestmark = pytest.mark.django_db
LIST = "/api/v1/stations/"
NEARBY = "/api/v1/stations/nearby/"


def new_station_payload(area, **overrides):
    return {
        "name": "新驿站",
        "brand": "nuanfeng",
        "area": area.pk,
        "address": "解放路2号",
        "lng": 107.65,
        "lat": 35.72,
        "facilities": ["water", "seating"],
        **overrides,
    }


# The area trio ---------------------------------------------------------------------------


def test_list_shows_each_staff_member_only_their_district(trio, station_a, station_b):
    assert [s["name"] for s in client_for(trio.staff_a).get(LIST).json()["results"]] == ["甲站"]
    assert [s["name"] for s in client_for(trio.viewer_a).get(LIST).json()["results"]] == ["甲站"]
    assert [s["name"] for s in client_for(trio.staff_b).get(LIST).json()["results"]] == ["乙站"]


def test_anonymous_cannot_list(station_a):
    assert client_for().get(LIST).status_code == 403


def test_detail_of_another_district_is_404(trio, station_a):
    assert client_for(trio.staff_a).get(f"{LIST}{station_a.pk}/").status_code == 200
    assert client_for(trio.viewer_a).get(f"{LIST}{station_a.pk}/").status_code == 200
    assert client_for(trio.staff_b).get(f"{LIST}{station_a.pk}/").status_code == 404


def test_staff_creates_a_station_in_their_district(trio):
    response = client_for(trio.staff_a).post(
        LIST, new_station_payload(trio.tree.a["community"]), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "新驿站" and {f["code"] for f in body["facilities"]} == {
        "water",
        "seating",
    }
    assert Station.objects.get(name="新驿站").name_initials == "xyz"


def test_viewer_cannot_create_and_nothing_is_saved(trio):
    response = client_for(trio.viewer_a).post(
        LIST, new_station_payload(trio.tree.a["community"]), format="json"
    )
    assert response.status_code == 403
    assert not Station.objects.filter(name="新驿站").exists()


def test_staff_of_b_cannot_create_in_a(trio):
    response = client_for(trio.staff_b).post(
        LIST, new_station_payload(trio.tree.a["community"]), format="json"
    )
    assert response.status_code == 400  # another district's row is no row: 400
    assert not Station.objects.filter(name="新驿站").exists()


def test_update_by_viewer_is_403_and_by_outsider_404(trio, station_a):
    url = f"{LIST}{station_a.pk}/"
    assert client_for(trio.viewer_a).patch(url, {"name": "改"}, format="json").status_code == 403
    assert client_for(trio.staff_b).patch(url, {"name": "改"}, format="json").status_code == 404
    assert client_for(trio.staff_a).patch(url, {"name": "改"}, format="json").status_code == 200
    station_a.refresh_from_db()
    assert station_a.name == "改"


def test_delete_closes_instead_of_erasing(trio, station_a):
    assert client_for(trio.viewer_a).delete(f"{LIST}{station_a.pk}/").status_code == 403
    assert client_for(trio.staff_a).delete(f"{LIST}{station_a.pk}/").status_code == 204
    station_a.refresh_from_db()
    assert station_a.status == Station.Status.CLOSED


def test_create_refuses_bad_input_with_field_errors(trio):
    client = client_for(trio.staff_a)
    bad = new_station_payload(
        trio.tree.a["community"], lat=95, brand="nope", facilities=["teleporter"]
    )
    response = client.post(LIST, bad, format="json")
    assert response.status_code == 400
    assert {"lat", "brand"} <= set(response.json())
    response = client.post(
        LIST,
        new_station_payload(trio.tree.a["community"], facilities=["teleporter"]),
        format="json",
    )
    assert response.status_code == 400
    assert "teleporter" in str(response.json())
    assert not Station.objects.filter(name="新驿站").exists()


def test_duplicate_name_in_community_is_refused(trio, station_a):
    response = client_for(trio.staff_a).post(
        LIST, new_station_payload(trio.tree.a["community"], name="甲站"), format="json"
    )
    assert response.status_code == 400


def test_gcj02_input_is_stored_as_wgs84(trio):
    from core.coords import wgs84_to_gcj02

    g_lng, g_lat = wgs84_to_gcj02(107.65, 35.72)
    response = client_for(trio.staff_a).post(
        LIST,
        new_station_payload(trio.tree.a["community"], lng=g_lng, lat=g_lat, coord="gcj02"),
        format="json",
    )
    assert response.status_code == 201
    station = Station.objects.get(name="新驿站")
    assert station.lng == pytest.approx(107.65, abs=1e-6)
    assert station.lat == pytest.approx(35.72, abs=1e-6)


def test_list_filters(trio, station_a):
    other = StationFactory(area=trio.tree.a["community2"], name="丁站")
    add_facility(other, "toilet")
    client = client_for(trio.staff_a)
    names = lambda q: [s["name"] for s in client.get(LIST + q).json()["results"]]  # noqa: E731
    assert names("?facility=toilet") == ["丁站"]
    assert names(f"?area={trio.tree.a['community'].code}") == ["甲站"]
    assert set(names(f"?area={trio.tree.a['district'].code[:6]}")) == {"甲站", "丁站"}
    assert names("?q=dz") == ["丁站"]  # pinyin initials
    assert names("?q=解放路") == ["甲站", "丁站"]
    assert names("?brand=nuanfeng&status=open&open_now=true") == ["甲站", "丁站"]
    assert names("?open_now=false") == []


def test_list_query_count_is_pinned(trio, django_assert_max_num_queries):
    for i in range(10):
        add_facility(StationFactory(area=trio.tree.a["community"], name=f"站{i}"), "water")
    client = client_for(trio.staff_a)
    client.get(LIST)  # warm the reach cache path
    with django_assert_max_num_queries(6):
        response = client.get(LIST)
    assert response.json()["count"] == 10


def test_geojson_output(trio, station_a):
    response = client_for(trio.staff_a).get(LIST + "?format=geojson")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [107.64, 35.71]}
    assert feature["properties"]["name"] == "甲站"


# Nearby ----------------------------------------------------------------------------------


def test_nearby_is_public_and_returns_distance_and_minutes(station_a):
    response = client_for().get(NEARBY, {"lat": 35.711, "lng": 107.64})
    assert response.status_code == 200
    result = response.json()["results"][0]
    assert result["name"] == "甲站"
    assert 100 <= result["distance_m"] <= 125
    assert result["walking_minutes"] == 2 and result["ebike_minutes"] == 1
    assert result["url"] == f"/m/stations/{station_a.pk}/"
    assert "uri.amap.com" in result["navigation"]["amap"]


def test_nearby_accepts_gcj02_and_bd09_origins(station_a):
    from core.coords import wgs84_to_bd09, wgs84_to_gcj02

    for system, convert in (("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)):
        lng, lat = convert(107.64, 35.71)
        body = client_for().get(NEARBY, {"lat": lat, "lng": lng, "coord": system}).json()
        assert body["results"][0]["distance_m"] <= 1, system


@pytest.mark.parametrize(
    "params, field, words",
    [
        ({"lng": 107.6}, "lat", "required"),
        ({"lat": "north", "lng": 107.6}, "lat", "number"),
        ({"lat": 91, "lng": 107.6}, "lat", "between"),
        ({"lat": 35.7, "lng": 181}, "lng", "between"),
        ({"lat": 35.7, "lng": 107.6, "radius": 999_999}, "radius", "at most"),
        ({"lat": 35.7, "lng": 107.6, "facility": "water,jacuzzi"}, "facility", "jacuzzi"),
        ({"lat": 35.7, "lng": 107.6, "coord": "mercator"}, "coord", "wgs84"),
    ],
)
def test_nearby_bad_input_is_400_with_a_clear_message(db, params, field, words):
    response = client_for().get(NEARBY, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])


def test_nearby_messages_are_in_chinese_by_default(db):
    response = client_for().get(NEARBY, {"lng": 107.6})
    assert response.status_code == 400
    assert "纬度" in " ".join(response.json()["lat"])


# POI export ------------------------------------------------------------------------------


def test_poi_export_xlsx_has_three_coordinate_systems(trio, station_a, station_b):
    response = client_for(trio.staff_a).get(
        LIST + "poi-export/", {"district": "621002", "file": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "西峰区" in rows[0][0]
    header, data = rows[2], rows[3:]
    assert len(header) == 14 and len(data) == 1
    assert data[0][1] == "甲站"
    assert data[0][8] == pytest.approx(107.64) and data[0][10] != data[0][8]


def test_poi_export_csv(trio, station_a):
    response = client_for(trio.staff_a).get(
        LIST + "poi-export/", {"district": "621002", "file": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "甲站"


def test_poi_export_of_another_district_is_refused(trio, station_a):
    response = client_for(trio.staff_b).get(LIST + "poi-export/", {"district": "621002"})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_poi_export_for_viewer_is_allowed(trio, station_a):
    response = client_for(trio.viewer_a).get(LIST + "poi-export/", {"district": "621002"})
    assert response.status_code == 200


def test_openapi_schema_is_served(db):
    response = client_for().get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/stations/nearby/" in response.content


def test_api_docs_use_self_hosted_assets(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr" not in html and "unpkg" not in html


def test_nearby_payload_matches_its_documented_schema(station_a):
    from stations.api.serializers import NearbyStationSerializer

    add_facility(station_a, "water")
    result = client_for().get(NEARBY, {"lat": 35.71, "lng": 107.64}).json()["results"][0]
    assert set(result) == set(NearbyStationSerializer().fields)
    assert result["facilities"] == [{"code": "water", "name": "饮用水", "note": ""}]


def test_nearby_says_each_state_and_names_the_nearest_open_station_farther_away(tree):
    """Open now is a preference (issue 14 §1): a closed station stays listed with its state,
    and when none within reach is open the answer names the nearest open one beyond it."""
    from django.contrib.gis.geos import Point

    from stations.api.serializers import NearbyAnswerSerializer

    StationFactory(name="无开放时间", area=tree.a["community"], always_open=False)
    StationFactory(
        name="司机之家",
        area=tree.a["community"],
        location=Point(107.64 + 9_000 / 90_300, 35.71, srid=4326),
    )
    body = client_for().get(NEARBY, {"lat": 35.71, "lng": 107.64}).json()
    assert set(body) == set(NearbyAnswerSerializer().fields)
    (closed,) = body["results"]
    assert (closed["state"], closed["state_label"], closed["opens_at"]) == (
        "closed",
        "当前未开放",
        None,
    )
    assert (closed["distance_text"], closed["open_now"]) == ("0 米", False)
    farther = body["nearest_open"]
    assert (farther["name"], farther["state"], farther["state_label"]) == (
        "司机之家",
        "always_open",
        "24 小时开放",
    )
    assert farther["distance_text"] == "9 公里"
    # Asked within 10 km, the 24-hour station is in the list, and nothing is named beyond.
    body = client_for().get(NEARBY, {"lat": 35.71, "lng": 107.64, "radius": 10_000}).json()
    assert [r["name"] for r in body["results"]] == ["无开放时间", "司机之家"]
    assert body["nearest_open"] is None


def test_nearby_knows_a_facility_added_to_the_catalogue(db):
    from stations.models import Facility

    assert (
        client_for().get(NEARBY, {"lat": 35.7, "lng": 107.6, "facility": "shower"}).status_code
        == 400
    )
    Facility.objects.create(code="shower", name="淋浴")
    assert (
        client_for().get(NEARBY, {"lat": 35.7, "lng": 107.6, "facility": "shower"}).status_code
        == 200
    )


# A station keeper and their own station ----------------------------------------------------


def test_keeper_changes_their_own_station_but_cannot_move_it_or_touch_another(
    keeper_a, station_a, tree
):
    """The access rules say a keeper reads and writes their stations: the API agrees
    (issue 14 §5). The station stays in its community; another station does not exist."""
    keeper = client_for(keeper_a)
    url = f"{LIST}{station_a.pk}/"
    response = keeper.patch(url, {"capacity": 12}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["capacity"] == 12
    # Sending the station's own community back (as a full form does) names nothing new.
    same = keeper.patch(url, {"area": station_a.area_id}, content_type="application/json")
    assert same.status_code == 200, same.content
    moved = keeper.patch(url, {"area": tree.a["community2"].pk}, content_type="application/json")
    assert moved.status_code == 400 and "area" in moved.json()
    station_a.refresh_from_db()
    assert (station_a.area_id, station_a.capacity) == (tree.a["community"].pk, 12)
    other = StationFactory(name="丙站", area=tree.a["community"])
    assert keeper.patch(f"{LIST}{other.pk}/", {"capacity": 1}).status_code == 404
