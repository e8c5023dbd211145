"""The dashboards in headless Chromium (issue 13 §2): a district's staff member signs in,
opens their dashboard from the admin index, drills down to a community (by a chart and by
the ranked table) and back up by the breadcrumb, changes the period, and makes and
downloads the month's report; the page at a
laptop's and a phone's width; the 大屏 opened by a display token at 1920×1080. No script
is refused by the Content-Security-Policy along the way.

Data is created (and rolled up) before the browser starts, as in tests/test_browser.py.
Screenshots go to var/screenshots/ when that folder exists, for a person to look at.
"""

import datetime as dt
import io
import math
import os

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from areas.models import Area, StaffGrant
from areas.tests.factories import AreaFactory, UserFactory, grant
from members.tests.factories import OutletFactory, WorkerFactory
from reports import services
from reports.display_tokens import display_token_create
from stations.models import CheckIn
from stations.tests.factories import StationFactory

from .test_browser import CHROMIUM, PHONE, browser, offline_tiles  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
LAPTOP = {"width": 1366, "height": 768}
SCREEN = {"width": 1920, "height": 1080}
ORIGIN = (107.640, 35.710)
SHOTS = "var/screenshots"


def east(metres: float, north: float = 0.0) -> tuple[float, float]:
    lng, lat = ORIGIN
    return (lng + metres / (111_320 * math.cos(math.radians(lat))), lat + north / 110_950)


def square(centre: tuple[float, float], half_m: float) -> MultiPolygon:
    (x0, y0), (x1, y1) = (
        east(-half_m, -half_m),
        east(half_m, half_m),
    )
    dx, dy = centre[0] - ORIGIN[0], centre[1] - ORIGIN[1]
    ring = [(x0 + dx, y0 + dy), (x1 + dx, y0 + dy), (x1 + dx, y1 + dy), (x0 + dx, y1 + dy)]
    return MultiPolygon(Polygon([*ring, ring[0]], srid=4326), srid=4326)


def shot(page, name: str, **kwargs) -> None:
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/{name}.png", **kwargs)


@pytest.fixture
def district(tree):
    """District A with illustrative boundaries, two stations with a day of check-ins, a
    far community whose outlet no station reaches (a gap and a suggested site), rolled up
    and its 一刻钟服务圈 computed — all before the browser starts."""
    a = tree.a
    a["district"].boundary = square(east(2_500), 4_000)
    a["district"].save()
    a["street"].boundary = square(east(2_500), 3_500)
    a["street"].save()
    places = {"community": east(0), "community2": east(1_200)}
    for key, centre in places.items():
        a[key].boundary = square(centre, 550)
        a[key].centre = Point(*centre, srid=4326)
        a[key].save()
    far = AreaFactory(
        code=f"{a['street'].code[:9]}003",
        name="远郊社区",
        level=Area.Level.COMMUNITY,
        parent=a["street"],
        boundary=square(east(6_000), 800),
        centre=Point(*east(6_000), srid=4326),
    )
    OutletFactory(area=a["community"], name="北街快递网点", worker_count=12)
    OutletFactory(area=far, name="远郊快递网点", worker_count=25)
    first = StationFactory(
        name="暖峰港湾·甲社区", area=a["community"], location=Point(*east(0), srid=4326)
    )
    second = StationFactory(
        name="暖峰港湾·乙社区", area=a["community2"], location=Point(*east(1_200), srid=4326)
    )
    today = timezone.localdate()
    worker = WorkerFactory(area=a["community"])
    for station, hour, visitors, who in [
        (first, 8, 1, worker),
        (first, 12, 6, None),
        (second, 18, 4, None),
    ]:
        # Today (this month's figures), at the hour or now if that is still to come.
        when = min(timezone.make_aware(dt.datetime.combine(today, dt.time(hour))), timezone.now())
        CheckIn.objects.create(
            station=station,
            worker=who,
            at=when,
            visitors=visitors,
            source=CheckIn.Source.KEEPER if who is None else CheckIn.Source.PHONE,
        )
    services.roll_up_all()
    services.coverage_refresh(a["district"])
    staff = UserFactory(username="district_a")
    grant(staff, a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    _row, token = display_token_create(actor=staff, area=a["district"], label="区指挥中心大屏")
    return {"tree": tree, "staff": staff, "token": token, "far": far}


def csp_watch(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return refused


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


def test_district_staff_drill_down_and_back_and_change_the_period(browser, live_server, district):
    tree = district["tree"]
    base = live_server.url
    context = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, base)
    refused = csp_watch(page)
    sign_in(page, base, "district_a")

    # A district department starts on its dashboard after logging in.
    page.wait_for_url(f"**/dashboard/{tree.a['district'].code}/")
    expect(page.locator("h1")).to_contain_text(tree.a["district"].name)
    expect(page.locator("#chart-visits_trend svg")).to_have_count(1)  # ECharts drew it
    expect(page.locator("#map .leaflet-interactive").first).to_be_visible()
    # The stations come in their own request, after the page: every one is drawn.
    stations = page.locator("#station-table tbody tr").count()
    expect(page.locator("#map")).to_have_attribute("data-stations-drawn", str(stations))
    expect(page.locator("#open-now")).to_have_text("2")
    expect(page.locator("#coverage")).to_contain_text("远郊")  # the gap and the suggestion
    shot(page, "dashboard-district-1366", full_page=True)

    # Drill down by the chart of children: a click on the street's bar opens the street.
    bar = page.locator("#chart-children_ranked svg path[fill='#2f6fbf']").first
    bar.click()
    page.wait_for_url(f"**/dashboard/{tree.a['street'].code}/?kind=month*")
    expect(page.locator("h1")).to_contain_text(tree.a["street"].name)

    # … and by the ranked table, to a community.
    page.locator("#ranked-table a", has_text=tree.a["community"].name).click()
    page.wait_for_url(f"**/dashboard/{tree.a['community'].code}/?kind=month*")
    expect(page.locator("h1")).to_contain_text(tree.a["community"].name)
    expect(page.locator("#ranked-table")).to_contain_text("暖峰港湾·甲社区")  # its stations

    # Back up by the breadcrumb.
    page.locator(".crumbs a").first.click()  # the district: the top of this user's reach
    page.wait_for_url(f"**/dashboard/{tree.a['district'].code}/?kind=month*")
    expect(page.locator("h1")).to_contain_text(tree.a["district"].name)

    # The period: a week by its chip, then a custom range by the form.
    page.locator(".kinds a").nth(1).click()
    page.wait_for_url("**kind=week*")
    expect(page.locator(".kinds a.current")).to_have_count(1)
    page.select_option("#id_kind", "range")
    expect(page.locator("#id_since")).to_be_visible()
    expect(page.locator("#id_period")).to_be_hidden()
    since = (timezone.localdate() - dt.timedelta(days=6)).isoformat()
    until = timezone.localdate().isoformat()
    page.fill("#id_since", since)
    page.fill("#id_until", until)
    page.locator("#period-form button[type=submit]").click()
    page.wait_for_url("**kind=range*")
    expect(page.locator("#span-label")).to_have_text(f"{since} – {until}")
    expect(page.locator(".errors")).to_have_count(0)

    # The monthly report: from the dashboard to this month's report, made, downloaded.
    page.locator("#monthly-link").click()
    page.wait_for_url(f"**/dashboard/{tree.a['district'].code}/monthly/")
    page.locator("table a").first.click()
    page.locator("form[action$='/generate/'] button[type=submit]").click()
    with page.expect_download() as download:
        page.locator("a.button[href$='/download/']").click()
    assert download.value.suggested_filename.endswith("月报.xlsx")
    with open(download.value.path(), "rb") as downloaded:
        book = load_workbook(io.BytesIO(downloaded.read()))
    assert tree.a["district"].name in book.active["A1"].value
    shot(page, "dashboard-monthly-1366", full_page=True)
    assert not refused, refused
    context.close()


def test_the_dashboard_at_phone_width(browser, live_server, district):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="zh-CN", color_scheme="dark")
    page = context.new_page()
    offline_tiles(page, base)
    refused = csp_watch(page)
    sign_in(page, base, "district_a")
    page.goto(f"{base}/dashboard/{district['tree'].a['district'].code}/")
    expect(page.locator("#chart-visits_trend svg")).to_have_count(1)
    # Nothing wider than the phone but the tables, which scroll inside their boxes.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "dashboard-district-390", full_page=True)

    # A custom range at night: the people counted once are being counted by the worker
    # (none runs here), and the page says so in words instead of showing a 0.
    since = (timezone.localdate() - dt.timedelta(days=13)).isoformat()
    page.goto(
        f"{base}/dashboard/{district['tree'].a['district'].code}/"
        f"?kind=range&since={since}&until={timezone.localdate().isoformat()}"
    )
    expect(page.locator("#counting")).to_contain_text("正在计算")
    expect(page.locator(".cards").first).to_contain_text("计算中…")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "dashboard-range-counting-390")
    assert not refused, refused
    context.close()


def test_the_big_screen_opens_with_a_display_token(browser, live_server, district):
    base = live_server.url
    code = district["tree"].a["district"].code
    context = browser.new_context(viewport=SCREEN, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, base)
    refused = csp_watch(page)
    page.goto(f"{base}/dashboard/{code}/screen/?token={district['token']}")
    expect(page.locator(".kpi")).to_have_count(8)
    expect(page.locator("#screen-map .leaflet-interactive").first).to_be_visible()
    expect(page.locator("#screen-funnel svg")).to_have_count(1)
    expect(page.locator("#busiest li")).not_to_have_count(0)
    shot(page, "big-screen-1920")
    # The same token on another district's screen: the plain refusal.
    other = district["tree"].b["district"].code
    response = page.goto(f"{base}/dashboard/{other}/screen/?token={district['token']}")
    assert response.status == 403
    expect(page.locator(".kpi")).to_have_count(0)
    assert not refused, refused
    context.close()
