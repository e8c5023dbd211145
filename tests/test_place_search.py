"""Finding a place by name above the admin's map widgets (issue 14 §5): the local
geocoder asks every app's place source, each scoped through areas.access; the admin's
JSON endpoint is for staff only; the widget carries the search box, the Chinese texts and
the configured https tiles."""

import json
import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.urls import reverse

from areas.tests.factories import UserFactory
from core import admin_maps, geocoder
from core.tests.test_geocoder import FakeTianditu
from members.tests.factories import OutletFactory
from stations.tests.factories import StationFactory

URL = "/admin/geocode/"


@pytest.fixture
def places(tree):
    """In district A: a community with a centre, a station on 北大街, an express outlet;
    in district B: the same kinds of place, named apart."""
    tree.a["district"].centre = Point(107.64, 35.71, srid=4326)
    tree.a["district"].save()
    community_a = tree.a["community"]
    community_a.centre = Point(107.6405, 35.7105, srid=4326)
    community_a.save()
    # District B's community has a boundary and no centre: found at a point inside it.
    community_b = tree.b["community"]
    community_b.boundary = MultiPolygon(
        Polygon.from_bbox((107.87, 35.99, 107.89, 36.01)), srid=4326
    )
    community_b.save()
    return {
        "station_a": StationFactory(
            name="暖峰港湾·北大街社区",
            address="西峰区北大街12号",
            area=community_a,
            location=Point(107.6412, 35.7111, srid=4326),
        ),
        "outlet_a": OutletFactory(name="顺丰速运西峰营业部", area=community_a),
        "station_b": StationFactory(
            name="庆城县暖峰驿站",
            address="庆城县北大街3号",
            area=community_b,
            location=Point(107.88, 36.00, srid=4326),
        ),
        "outlet_b": OutletFactory(name="顺丰速运庆城营业部", area=community_b),
    }


def names(found) -> list[str]:
    return [place.name for place in found]


# --- the local backend --------------------------------------------------------------------


def test_staff_find_an_area_a_station_and_an_outlet_by_part_of_the_name(trio, places):
    [area] = geocoder.geocode("甲社区", user=trio.staff_a)
    assert area.name == "西峰区甲社区" and (area.lat, area.lng) == (35.7105, 107.6405)
    assert area.kind == "Community / village"  # the level's label

    [station] = geocoder.geocode("北大街", user=trio.staff_a)
    assert station.name == "暖峰港湾·北大街社区"
    assert (station.lat, station.lng) == (35.7111, 107.6412)
    assert "北大街12号" in station.description

    [outlet] = geocoder.geocode("顺丰", user=trio.staff_a)
    assert outlet.name == "顺丰速运西峰营业部"
    # An outlet has no point of its own: shown at its community's centre, and says so.
    assert (outlet.lat, outlet.lng) == (35.7105, 107.6405)
    assert "西峰区甲社区" in outlet.description


def test_a_station_is_found_by_its_address_too(trio, places):
    assert names(geocoder.geocode("北大街12号", user=trio.staff_a)) == ["暖峰港湾·北大街社区"]


def test_the_read_only_viewer_of_a_finds_what_staff_of_a_find(trio, places):
    for query in ["甲社区", "北大街", "顺丰", "西峰"]:
        assert names(geocoder.geocode(query, user=trio.viewer_a)) == names(
            geocoder.geocode(query, user=trio.staff_a)
        )


def test_staff_of_another_district_find_nothing_of_district_a(trio, places):
    a_names = {"西峰区", "西峰区一街道", "西峰区甲社区", "西峰区乙社区"}
    a_names |= {"暖峰港湾·北大街社区", "顺丰速运西峰营业部"}
    for query in ["西峰", "甲社区", "北大街", "顺丰", "暖峰"]:
        assert not a_names & set(names(geocoder.geocode(query, user=trio.staff_b)))
    # …and find their own: the station by its street, the community inside its boundary.
    assert names(geocoder.geocode("北大街", user=trio.staff_b)) == ["庆城县暖峰驿站"]
    assert names(geocoder.geocode("顺丰", user=trio.staff_b)) == ["顺丰速运庆城营业部"]
    [community_b] = geocoder.geocode("庆城县甲社区", user=trio.staff_b)
    assert 107.87 <= community_b.lng <= 107.89 and 35.99 <= community_b.lat <= 36.01


def test_staff_without_a_grant_and_anonymous_people_find_nothing(db, places):
    from django.contrib.auth.models import AnonymousUser

    assert geocoder.geocode("北大街", user=UserFactory(username="no_grant")) == []
    assert geocoder.geocode("北大街", user=AnonymousUser()) == []


def test_the_city_department_finds_both_districts_exact_names_first(trio, places):
    found = names(geocoder.geocode("北大街", user=trio.city))
    assert sorted(found) == ["庆城县暖峰驿站", "暖峰港湾·北大街社区"]
    assert names(geocoder.geocode("西峰区", user=trio.city))[0] == "西峰区"


def test_areas_without_a_centre_or_boundary_are_left_out(trio, places):
    # 西峰区乙社区 has neither: it cannot be shown on a map.
    assert names(geocoder.geocode("乙社区", user=trio.staff_a)) == []


def test_no_more_than_the_bound_come_back(trio, tree):
    for n in range(geocoder.MAX_RESULTS + 5):
        StationFactory(name=f"暖峰驿站{n:02d}", area=tree.a["community"])
    assert len(geocoder.geocode("暖峰驿站", user=trio.staff_a)) == geocoder.MAX_RESULTS


def test_tianditus_places_come_after_the_local_ones(trio, places, monkeypatch):
    fake = FakeTianditu()
    fake.thread.start()
    try:
        backend = geocoder.TiandituBackend(key="k", url=fake.url, timeout=2)
        monkeypatch.setattr(geocoder, "get_backend", lambda: backend)
        found = geocoder.geocode("北大街", user=trio.staff_a)
        assert names(found) == ["暖峰港湾·北大街社区", "甘肃省庆阳市西峰区北大街1号"]
        assert fake.asked() == {"ds": {"keyWord": "北大街"}, "tk": "k"}
        # Tianditu unreachable: the local places still come back.
        fake.status, fake.body = 500, b""
        assert names(geocoder.geocode("暖峰", user=trio.staff_a)) == ["暖峰港湾·北大街社区"]
    finally:
        fake.server.shutdown()
        fake.server.server_close()


# --- the admin's endpoint -----------------------------------------------------------------


def test_the_endpoint_answers_staff_with_their_places(client, trio, places):
    client.force_login(trio.staff_a)
    answer = client.get(URL, {"q": "北大街"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    [place] = answer.json()["places"]
    assert place["name"] == "暖峰港湾·北大街社区"
    assert {"kind", "lat", "lng", "description", "zoom"} <= set(place)
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]


def test_the_endpoint_gives_staff_of_b_nothing_of_a(client, trio, places):
    client.force_login(trio.staff_b)
    answer = client.get(URL, {"q": "西峰"})
    assert answer.status_code == 200
    assert answer.json()["places"] == [] and answer.json()["message"]


def test_anonymous_and_non_staff_people_are_refused(client, db, places):
    assert client.get(URL, {"q": "北大街"}).status_code in (302, 403)
    worker_like = UserFactory(username="not_staff", is_staff=False)
    client.force_login(worker_like)
    answer = client.get(URL, {"q": "北大街"})
    assert answer.status_code == 403 and answer.json()["places"] == []


def test_only_get_is_answered(client, trio):
    client.force_login(trio.staff_a)
    assert client.post(URL, {"q": "北大街"}).status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 51,
        "西" * 3000,
        "北大\x00街",
        "北\x1b[0m大街",
        "\u202e北大街",
        "%",
        "_",
        "'",
    ],
)
def test_a_bad_query_is_an_empty_answer_with_a_message_never_an_error(client, trio, places, query):
    client.force_login(trio.staff_a)
    answer = client.get(URL, {"q": query})
    assert answer.status_code == 200
    body = answer.json()
    assert body["places"] == [] and body["message"]


def test_a_query_in_chinese_gets_a_chinese_message(client, trio):
    client.force_login(trio.staff_a)
    body = client.get(URL, {"q": ""}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body["message"]


# --- the widget ---------------------------------------------------------------------------


def scripts_without_src_or_nonce(html: str) -> list[str]:
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag
    ]


def widget_texts(html: str, field_id: str) -> dict:
    pattern = rf'<script id="{field_id}-map-texts" type="application/json">(.*?)</script>'
    return json.loads(re.search(pattern, html).group(1))


def shape(texts):
    return {key: shape(value) for key, value in texts.items()} if isinstance(texts, dict) else None


def leaves(texts):
    for value in texts.values():
        yield from leaves(value) if isinstance(value, dict) else [value]


def test_the_station_form_has_the_place_search_above_its_map(client, trio, places):
    client.force_login(trio.staff_a)
    station = places["station_a"]
    page = client.get(reverse("admin:stations_station_change", args=[station.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="place-search"' in html and f'data-url="{URL}"' in html
    assert "data-places-point" in html  # a point: the search offers to put it there
    assert html.index('class="place-search"') < html.index('id="id_location-map"')
    assert "maps/admin-map.js" in html and "maps/admin-map.css" in html
    texts = widget_texts(html, "id_location")
    # Every text leaflet.draw and the search use, in the shape of L.drawLocal.
    assert shape(texts) == shape(admin_maps.map_texts())
    assert all(isinstance(leaf, str) and leaf for leaf in leaves(texts))
    assert scripts_without_src_or_nonce(html) == []


def test_the_maps_tooltips_and_buttons_read_in_chinese(client, trio, places):
    """(Needs the zh-hans catalogue with this feature's entries compiled.)"""
    client.force_login(trio.staff_a)
    html = client.get(
        reverse("admin:stations_station_change", args=[places["station_a"].pk]),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    texts = widget_texts(html, "id_location")
    chinese = re.compile(r"[\u4e00-\u9fff]")
    for text in [
        texts["draw"]["toolbar"]["buttons"]["marker"],
        texts["draw"]["handlers"]["marker"]["tooltip"]["start"],
        texts["edit"]["toolbar"]["buttons"]["edit"],
        texts["edit"]["toolbar"]["buttons"]["remove"],
        texts["zoomIn"],
        texts["search"]["placePoint"],
    ]:
        assert chinese.search(text), text
    assert "查找地点" in html


def test_the_widgets_tiles_are_the_configured_ones_over_https(client, trio, places, settings):
    client.force_login(trio.staff_a)
    html = client.get(
        reverse("admin:stations_station_change", args=[places["station_a"].pk])
    ).content.decode()
    tile_url = settings.MAP_TILES["url"]
    assert tile_url.startswith("https://")
    assert json.dumps(tile_url)[1:-1] in html
    assert not re.search(r'"http://[^"]*\{z\}', html)


def test_the_area_form_has_the_search_without_placing_a_point(client, trio, places):
    client.force_login(trio.staff_a)
    community = trio.tree.a["community"]
    html = client.get(reverse("admin:areas_area_change", args=[community.pk])).content.decode()
    assert 'class="place-search"' in html and 'id="id_boundary-map"' in html
    assert "data-places-point" not in html  # a boundary is drawn, not put somewhere
    assert scripts_without_src_or_nonce(html) == []


def test_the_read_only_viewer_sees_no_map_to_search(client, trio, places):
    client.force_login(trio.viewer_a)
    html = client.get(
        reverse("admin:stations_station_change", args=[places["station_a"].pk])
    ).content.decode()
    assert 'class="place-search"' not in html
