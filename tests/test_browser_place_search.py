"""The admin map's place search in headless Chromium (issue 14 §5): a district's staff
member opens a station, types part of another place's name in the box above the map,
picks it, sees the map move there, puts the station's point there and saves. The drawing
toolbar and zoom buttons carry the platform's texts (L.drawLocal set from the page's JSON),
and nothing is refused by the Content-Security-Policy.

Data is created before the browser starts, as in tests/test_browser.py."""

import json
import os

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from stations.models import Station
from stations.tests.factories import StationFactory

from .test_browser import CHROMIUM, browser, log_in_as_staff, offline_tiles  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
LAPTOP = {"width": 1366, "height": 768}
MAP = "leafletmapid_location-map"  # django-leaflet's global for the location field's map


@pytest.fixture
def stations(tree):
    staff = UserFactory(username="district_a")
    grant(staff, tree.a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    here = StationFactory(
        name="暖峰港湾·北大街社区",
        area=tree.a["community"],
        location=Point(107.6405, 35.7105, srid=4326),
    )
    there = StationFactory(
        name="暖峰港湾·东湖公园",
        address="西峰区东湖路8号",
        area=tree.a["community2"],
        location=Point(107.7000, 35.7600, srid=4326),
    )
    StationFactory(  # district B: never offered to staff of A
        name="庆城县东湖驿站", area=tree.b["community"], location=Point(107.88, 36.0, srid=4326)
    )
    return {"here": here, "there": there}


def centre(page) -> tuple[float, float]:
    return tuple(
        page.evaluate(f"() => {{ const c = window['{MAP}'].getCenter(); return [c.lat, c.lng]; }}")
    )


def test_staff_find_a_place_by_name_and_put_the_station_there(browser, live_server, stations):
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, live_server.url)
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    log_in_as_staff(page, live_server, "district_a")
    station = stations["here"]
    change_url = f"{live_server.url}/admin/stations/station/{station.pk}/change/"
    page.goto(change_url)
    page.locator(".leaflet-draw-draw-marker").wait_for()

    # The toolbar and zoom buttons say what the page's texts say, not leaflet.draw's English.
    texts = json.loads(page.locator("#id_location-map-texts").text_content())
    marker_button = page.locator(".leaflet-draw-draw-marker")
    assert marker_button.get_attribute("title") == texts["draw"]["toolbar"]["buttons"]["marker"]
    assert marker_button.get_attribute("title") != "Draw a marker"
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == texts["zoomIn"]

    lat, lng = centre(page)
    assert abs(lat - 35.7105) < 0.01 and abs(lng - 107.6405) < 0.01

    # Enter searches; it does not save the form.
    box = page.locator(".place-search-input")
    box.fill("东湖")
    box.press("Enter")
    choices = page.locator(".place-search-choice")
    expect(choices).to_have_count(1)  # B's 庆城县东湖驿站 is not offered
    assert page.url == change_url
    expect(choices.first).to_contain_text("暖峰港湾·东湖公园")
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/admin-place-search-list.png")

    choices.first.click()
    expect(page.locator(".place-search-results")).to_be_hidden()
    # The map pans there (animated: a busy machine takes longer than a fixed pause).
    for _ in range(50):
        lat, lng = centre(page)
        if abs(lat - 35.76) < 0.001 and abs(lng - 107.70) < 0.001:
            break
        page.wait_for_timeout(100)
    assert abs(lat - 35.76) < 0.001 and abs(lng - 107.70) < 0.001
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/admin-place-search.png")

    # Put the station's point there, and save.
    page.locator(".place-search-put").click()
    stored = json.loads(page.locator("#id_location").input_value())
    assert stored["type"] == "Point"
    assert [round(c, 4) for c in stored["coordinates"]] == [107.7, 35.76]
    page.locator("input[name=_save]").click()
    page.locator(".messagelist").wait_for()
    station = Station.objects.get(pk=station.pk)
    assert (round(station.location.x, 4), round(station.location.y, 4)) == (107.7, 35.76)

    # A name nobody has: a message, no list.
    page.goto(change_url)
    box = page.locator(".place-search-input")
    box.fill("没有这个地方")
    box.press("Enter")
    expect(page.locator(".place-search-status")).not_to_be_empty()
    expect(page.locator(".place-search-choice")).to_have_count(0)

    assert refused == []
    context.close()
