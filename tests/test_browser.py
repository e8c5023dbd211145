"""Browser journeys in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Data is created before the browser starts; the page talks to pytest-django's live server.
"""

import datetime as dt
import logging
import os
import re
import shutil

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from stations.services import keeper_stations_set
from stations.tests.factories import StationFactory, add_facility

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from
# such a thread unless told it is fine (the test owns the thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def offline_tiles(page, live_server_url):
    """No network here: refuse anything that is not the live server (map tiles)."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server_url) else route.abort()
        ),
    )


def log_in_as_staff(page, live_server, username: str) -> None:
    """The admin's login form, with the factories' password."""
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")


@pytest.fixture
def network(tree):
    near = StationFactory(
        name="暖峰港湾·北大街社区",
        area=tree.a["community"],
        location=Point(107.6405, 35.7105, srid=4326),
    )
    add_facility(near, "water")
    add_facility(near, "ebike-charging")
    other = StationFactory(
        name="暖峰港湾·育才路社区",
        area=tree.a["community2"],
        location=Point(107.6500, 35.7150, srid=4326),
    )
    add_facility(other, "water")
    StationFactory(
        name="庆城县驿站", area=tree.b["community"], location=Point(107.8800, 36.0000, srid=4326)
    )
    return near


def test_phone_map_finds_the_nearest_station_and_opens_it(browser, live_server, network):
    context = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": 35.7100, "longitude": 107.6400},
        permissions=["geolocation"],
        locale="zh-CN",
    )
    page = context.new_page()
    offline_tiles(page, live_server.url)
    transferred = []
    page.on(
        "response",
        lambda r: (
            transferred.append((r.url, len(r.body() or b"")))
            if r.url.startswith(live_server.url)
            else None
        ),
    )
    page.goto(f"{live_server.url}/m/")
    first = page.locator("#results li").first
    first.wait_for(timeout=15000)
    assert "暖峰港湾·北大街社区" in first.inner_text()
    assert "庆城县驿站" not in page.locator("#results").inner_text()  # 30 km away

    # Facility chip narrows the list to stations with e-bike charging.
    page.locator('[data-facility="ebike-charging"]').click()
    # (Playwright's expect, not wait_for_function: that evaluates a string in the page,
    # which the Content-Security-Policy refuses, as it should.)
    expect(page.locator("#results li")).to_have_count(1)

    # First load stays under 200 KB, map tiles excluded (none are fetched here).
    first_load = sum(size for url, size in transferred if "/api/" not in url)
    assert first_load <= 200 * 1024, transferred

    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-home.png")
    first.locator("a").click()
    page.wait_for_url(f"**/m/stations/{network.pk}/")
    assert page.locator("h1").inner_text() == "暖峰港湾·北大街社区"
    assert (
        page.locator("a", has_text="高德").get_attribute("href").startswith("https://uri.amap.com/")
    )
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-station.png")
    context.close()


def test_the_map_at_2am_lists_stations_with_their_next_opening_and_the_open_one_farther_away(
    browser, live_server, tree
):
    """Issue 14 §1, at 02:00 China time (the server's clock frozen there): nothing within
    3 km is open, and the page says so truthfully, keeps the closed stations with when they
    open, and names the 24-hour station 8 km away — never a grey map and an empty list."""
    from zoneinfo import ZoneInfo

    import time_machine

    from stations.tests.factories import set_hours

    origin = (107.6400, 35.7100)
    for name, metres in (("暖峰港湾·北大街社区", 400), ("暖峰港湾·育才路社区", 1_200)):
        station = StationFactory(
            name=name,
            area=tree.a["community"],
            location=Point(origin[0] + metres / 90_300, origin[1], srid=4326),
        )
        set_hours(station, dt.time(8), dt.time(22))
    drivers_home = StationFactory(
        name="网约车司机之家",
        area=tree.a["community2"],
        location=Point(origin[0], origin[1] + 8_000 / 111_000, srid=4326),
        always_open=True,
    )
    night = dt.datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
    with time_machine.travel(night, tick=True):
        context = browser.new_context(
            viewport=PHONE,
            geolocation={"latitude": origin[1], "longitude": origin[0]},
            permissions=["geolocation"],
            locale="zh-CN",
        )
        page = context.new_page()
        offline_tiles(page, live_server.url)
        page.goto(f"{live_server.url}/m/")
        expect(page.locator("#results li")).to_have_count(2, timeout=15000)
        expect(page.locator("#status")).to_have_text("3 公里内此刻没有开放的驿站。")
        assert page.locator("#filters-on").is_hidden()  # no filter is on: none is blamed
        first = page.locator("#results li").first.inner_text()
        assert "暖峰港湾·北大街社区" in first and "08:00 开门" in first and "400 米" in first
        nearest = page.locator("#nearest-open")
        expect(nearest).to_contain_text("最近的开放驿站")
        expect(nearest).to_contain_text("网约车司机之家")
        expect(nearest).to_contain_text("24 小时开放")
        expect(nearest).to_contain_text("8 公里")
        # The map shows the worker and every station named, the one 8 km away included
        # (measured once the map has stopped zooming to them).
        expect(page.locator("path.leaflet-interactive")).to_have_count(4)
        expect(page.locator("#map.leaflet-zoom-anim")).to_have_count(0)
        page.wait_for_timeout(300)
        in_view = page.evaluate(
            "() => Array.from(document.querySelectorAll('path.leaflet-interactive'))"
            ".every(p => { const r = p.getBoundingClientRect(), m = document"
            ".getElementById('map').getBoundingClientRect(); return r.top >= m.top && "
            "r.bottom <= m.bottom && r.left >= m.left && r.right <= m.right; })"
        )
        assert in_view
        attribution = page.locator(".leaflet-control-attribution")
        assert attribution.locator("svg").count() == 0  # Leaflet's flag is not shown
        if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
            page.screenshot(path="var/screenshots/mobile-home-night.png")

        # "Only open now" is a chip the worker turns on: the list empties, the hint says why,
        # and the open station farther away is still named.
        page.get_by_role("button", name="只看正在开放").click()
        expect(page.locator("#results li")).to_have_count(0)
        expect(page.locator("#filters-on")).to_have_text("只显示：正在开放")
        expect(nearest).to_contain_text("网约车司机之家")

        # Marker tap → the station's card → its page.
        page.get_by_role("button", name="只看正在开放").click()
        expect(page.locator("#results li")).to_have_count(2)
        nearest.locator("a").click()
        page.wait_for_url(f"**/m/stations/{drivers_home.pk}/")
        page.go_back()
        expect(page.locator("path.leaflet-interactive")).to_have_count(4, timeout=15000)
        page.locator("path.leaflet-interactive[fill='#c0392b']").click()
        card = page.locator(".leaflet-popup .map-card")
        expect(card).to_contain_text("网约车司机之家")
        card.get_by_role("link", name="查看驿站 ›").click()
        page.wait_for_url(f"**/m/stations/{drivers_home.pk}/")
        context.close()


def test_map_without_location_falls_back_to_the_default_centre(
    browser, live_server, network, settings
):
    settings.MAP_DEFAULT_CENTER = (35.7100, 107.6400)
    context = browser.new_context(viewport=PHONE)  # no geolocation permission
    page = context.new_page()
    offline_tiles(page, live_server.url)
    page.goto(f"{live_server.url}/m/")
    page.locator("#results li").first.wait_for(timeout=15000)
    assert "定位" in page.locator("#status").inner_text() or page.locator("#status").inner_text()
    context.close()


def test_community_staff_logs_in_and_sees_only_their_community(browser, live_server, tree, network):
    staff = UserFactory(username="community_a")
    grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)
    context = browser.new_context()
    page = context.new_page()
    offline_tiles(page, live_server.url)
    log_in_as_staff(page, live_server, "community_a")
    page.goto(f"{live_server.url}/admin/stations/station/")
    listing = page.locator("#result_list").inner_text()
    assert "暖峰港湾·北大街社区" in listing
    assert "暖峰港湾·育才路社区" not in listing  # sibling community
    assert "庆城县驿站" not in listing  # another district
    context.close()


def test_a_keeper_closes_their_station_for_today_from_their_home_at_phone_size(
    browser, live_server, tree, network
):
    """Issue 14 §5: a keeper's home works on a phone — their station, its state, today's
    visits, one tap to close it for today — and the workers' map says so at once."""
    keeper = UserFactory(username="keeper_beidajie")
    keeper_stations_set(
        grant=grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER),
        stations=[network],
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, live_server.url)
    log_in_as_staff(page, live_server, "keeper_beidajie")
    home = page.locator("#keeper-home")
    expect(home).to_contain_text("本驿站")
    expect(home).to_contain_text("暖峰港湾·北大街社区")
    expect(home).to_contain_text("24 小时开放")
    # Thumb-sized, and inside the phone's width.
    close = home.get_by_role("button", name="今天闭站")
    box = close.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    # No app a keeper never uses in their menu.
    assert page.locator("a[href='/admin/members/worker/']").count() == 0
    close.click()
    expect(page.locator(".messagelist")).to_contain_text("今天闭站")
    expect(home).to_contain_text("今天已闭站")
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/keeper-home.png", full_page=True)
    nearby = page.request.get(f"{live_server.url}/api/v1/stations/nearby/?lat=35.7105&lng=107.6405")
    states = {r["name"]: r["state"] for r in nearby.json()["results"]}
    assert states["暖峰港湾·北大街社区"] == "opens_later"
    home.get_by_role("button", name="今天恢复开放").click()
    expect(home).to_contain_text("24 小时开放")
    context.close()


def test_staff_approve_and_return_from_the_workers_own_page_at_laptop_size(
    browser, live_server, tree
):
    """Issue 14 §5: the registration's page carries its workflow: 通过 is one click, 退回
    asks for the reason the worker reads; each shows while the registration waits."""
    from members.models import Worker
    from members.tests.factories import WorkerFactory

    staff = UserFactory(username="staff_beidajie")
    grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)
    first = WorkerFactory(area=tree.a["community"], status=Worker.Status.PENDING, name="钱骑手")
    second = WorkerFactory(area=tree.a["community"], status=Worker.Status.PENDING, name="吴骑手")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, live_server.url)
    log_in_as_staff(page, live_server, "staff_beidajie")

    page.goto(f"{live_server.url}/admin/members/worker/{first.pk}/change/")
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/admin-worker-actions.png")
    page.locator(".object-tools").get_by_role("button", name="通过").click()
    expect(page.locator(".messagelist")).to_contain_text("已通过")
    expect(page.locator(".object-tools")).not_to_contain_text("通过")
    first.refresh_from_db()
    assert first.status == Worker.Status.APPROVED

    page.goto(f"{live_server.url}/admin/members/worker/{second.pk}/change/")
    page.locator(".object-tools").get_by_role("link", name="退回（填写理由）…").click()
    page.get_by_label("退回理由（劳动者可以看到）").fill("请填写所在站点。")
    page.locator("input[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("已退回")
    second.refresh_from_db()
    assert (second.status, second.status_reason) == (Worker.Status.REJECTED, "请填写所在站点。")
    context.close()


def test_worker_scans_a_poster_logs_in_by_code_registers_and_staff_approves(
    browser, live_server, tree, network, caplog
):
    """The whole 报到 journey: poster QR → station page → code login (console SMS backend)
    → registration → the community's staff approve it in the admin → the worker sees it."""
    from members.models import Worker
    from stations.services import poster_token

    caplog.set_level(logging.INFO, logger="core.sms")
    staff = UserFactory(username="community_a")
    grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)

    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone_context.new_page()
    offline_tiles(page, live_server.url)
    page.goto(f"{live_server.url}/q/{poster_token(network)}/")
    page.wait_for_url(f"**/m/stations/{network.pk}/?from=poster")
    page.locator("a.register-here").click()
    page.wait_for_url("**/m/login/**")
    page.fill("#id_phone", "13700001111")
    page.locator("button[type=submit]").first.click()
    page.locator("#id_code").wait_for()
    code = re.search(r"login code (\d{6})", caplog.text).group(1)
    page.fill("#id_code", code)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url("**/m/register/?area=*")
    assert tree.a["community"].name in page.locator(".chosen-area").inner_text()
    page.fill("#id_name", "王小二")
    page.select_option("#id_occupation", "food_delivery")
    page.check("#id_consent")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/m/me/")
    assert "待审核" in page.locator(".status").inner_text()
    worker = Worker.objects.get(phone="13700001111")
    assert (worker.area, worker.source) == (tree.a["community"], "self")

    staff_context = browser.new_context()
    admin = staff_context.new_page()
    offline_tiles(admin, live_server.url)
    log_in_as_staff(admin, live_server, "community_a")
    admin.goto(f"{live_server.url}/admin/members/worker/?status__exact=pending")
    admin.locator(f"input[name=_selected_action][value='{worker.pk}']").check()
    admin.select_option("select[name=action]", "approve_selected")
    admin.locator("button[name=index]").click()
    admin.locator(".messagelist").wait_for()

    page.reload()
    assert "已报到" in page.locator(".status").inner_text()
    staff_context.close()
    phone_context.close()


def _wait_for(page, condition, seconds=10.0):
    """Poll a condition on the database or the page. The page's own clock waits, so
    Playwright keeps serving the page's requests meanwhile (offline_tiles routes them
    through this thread)."""
    for _ in range(int(seconds / 0.2)):
        if condition():
            return True
        page.wait_for_timeout(200)
    return False


def _queued_check_ins(page) -> list:
    """The check-ins waiting on the phone (static/mobile/check-in-queue.js)."""
    return page.evaluate("() => WarmStationsCheckInQueue.waiting()")


def test_worker_checks_in_offline_and_it_is_sent_once_when_back_online(
    browser, live_server, tree, network, caplog
):
    """A worker logged in by code opens the check-in page. The network drops: the check-in
    waits on the phone; the network returns: it is sent, once. A replay of the same queued
    check-in changes nothing; checking in again online is the same visit."""
    from members.tests.factories import WorkerFactory
    from stations.models import CheckIn

    caplog.set_level(logging.INFO, logger="core.sms")
    worker = WorkerFactory(area=tree.a["community"], phone="13700002222", name="李骑手")
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        geolocation={"latitude": 35.7105, "longitude": 107.6405},  # at the station's door
        permissions=["geolocation"],
    )
    page = context.new_page()
    offline_tiles(page, live_server.url)
    _phone_login(page, live_server, caplog, worker.phone, f"/m/stations/{network.pk}/check-in/")

    page.get_by_label("饮用水").check()
    context.set_offline(True)
    page.locator(".check-in-form button[type=submit]").click()
    expect(page.locator(".check-in-status")).to_contain_text("没有网络")
    queued = _queued_check_ins(page)
    assert [item["services"] for item in queued] == [["water"]]
    assert not CheckIn.objects.exists()

    context.set_offline(False)  # the `online` event (or a background sync) sends the queue
    assert _wait_for(page, lambda: CheckIn.objects.exists())
    sent = CheckIn.objects.get()
    assert (sent.worker, sent.source, sent.services) == (worker, "offline", ["water"])
    assert sent.distance_m == 0 and not sent.far_away
    assert _wait_for(page, lambda: _queued_check_ins(page) == [])

    # The same queued check-in sent again (a phone that lost its reply): still one.
    page.evaluate("item => WarmStationsCheckInQueue.add(item)", queued[0])
    page.goto(f"{live_server.url}/m/me/check-ins/")
    assert _wait_for(page, lambda: _queued_check_ins(page) == [])
    assert CheckIn.objects.count() == 1
    assert "暖峰港湾·北大街社区" in page.locator(".check-ins").inner_text()

    # Online now, a second tap within 30 minutes: the same visit, its service added.
    page.goto(f"{live_server.url}/m/stations/{network.pk}/check-in/")
    page.get_by_label("手机充电").check()
    page.locator(".check-in-form button[type=submit]").click()
    page.wait_for_url("**/m/me/check-ins/?checked_in=1")
    sent.refresh_from_db()
    assert CheckIn.objects.count() == 1 and sent.services == ["water", "phone"]
    context.close()


def test_from_a_poster_to_a_first_check_in_in_three_pages_and_five_taps(
    browser, live_server, tree, network, caplog
):
    """Issue 14 §2's budget: poster scan → a completed first check-in in ≤ 3 pages and ≤ 5
    taps, typing only the phone, the code and a name; no registration (报到) is filed.
    Back at the station later, the logged-in worker checks in with one tap."""
    from members.models import Worker
    from stations.models import CheckIn
    from stations.services import poster_token

    caplog.set_level(logging.INFO, logger="core.sms")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    offline_tiles(page, live_server.url)
    pages = []  # documents the phone loaded (a redirect is followed within one)
    page.on("load", lambda: pages.append(page.url))
    taps = 0

    def tap(locator):
        nonlocal taps
        taps += 1
        locator.click()

    page.goto(f"{live_server.url}/q/{poster_token(network)}/")  # the scan
    page.wait_for_url(f"**/m/stations/{network.pk}/?from=poster")
    # 签到 and 报到 do not look alike, and each says what it does.
    check_in = page.locator("a.check-in-button")
    register = page.locator("a.register-here")
    assert check_in.evaluate("e => getComputedStyle(e).backgroundColor") != register.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    expect(page.locator(".check-in-here")).to_contain_text("记下你今天来过")
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-station.png", full_page=True)
    tap(check_in)
    page.wait_for_url(f"**/m/stations/{network.pk}/check-in/")
    page.fill("#id_phone", "13700003333")
    tap(page.get_by_role("button", name="获取验证码"))
    expect(page.locator(".code-status")).to_contain_text("验证码")
    code = re.findall(r"login code (\d{6})", caplog.text)[-1]
    page.fill("#id_code", code)
    page.fill("#id_name", "赵骑手")
    tap(page.get_by_label("我已阅读并同意隐私告知书"))
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-check-in.png", full_page=True)
    tap(page.locator("button.check-in-button"))
    page.wait_for_url("**/m/me/check-ins/?first=1")
    expect(page.locator("body")).to_contain_text("歇歇脚吧")
    assert len(pages) <= 3 and taps <= 5, (pages, taps)
    worker = Worker.objects.get(phone="13700003333")
    assert worker.status == Worker.Status.UNREGISTERED and CheckIn.objects.count() == 1
    page.goto(f"{live_server.url}/m/me/")  # the invitation to 报到, when they choose
    expect(page.locator(".register-invitation")).to_contain_text("还没有向社区报到")
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-me-checked-in.png", full_page=True)

    # Two hours later, back at the station: one tap.
    CheckIn.objects.update(at=CheckIn.objects.get().at - dt.timedelta(hours=2))
    page.goto(f"{live_server.url}/m/stations/{network.pk}/")
    taps = 0
    tap(page.locator(".check-in-here button[type=submit]"))
    page.wait_for_url("**/m/me/check-ins/?checked_in=1")
    assert taps == 1 and CheckIn.objects.count() == 2
    context.close()


def _phone_login(page, live_server, caplog, phone, then):
    page.goto(f"{live_server.url}/m/login/?next={then}")
    page.fill("#id_phone", phone)
    page.locator("button[type=submit]").first.click()
    page.locator("#id_code").wait_for()
    codes = re.findall(r"login code (\d{6})", caplog.text)
    page.fill("#id_code", codes[-1])
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"**{then}")


def _saved_page_paths(page) -> list[str]:
    """The pages the service worker has saved on this phone."""
    return page.evaluate(
        """async () => {
            if (!(await caches.has("pages"))) return [];
            const cache = await caches.open("pages");
            return (await cache.keys()).map(r => new URL(r.url).pathname);
        }"""
    )


def test_the_app_opens_a_station_seen_before_from_its_poster_offline_and_queues_the_check_in(
    browser, live_server, tree, network, caplog
):
    """Issue 14 §3: the phone pages install as an app whose service worker keeps the pages
    a worker has seen. Without a network, a poster of a station seen before opens its saved
    page, a tap queues the check-in, a page never seen shows what is saved; back online the
    check-in is sent once. Logging out forgets the saved pages."""
    from members.tests.factories import WorkerFactory
    from stations.models import CheckIn
    from stations.services import poster_token

    caplog.set_level(logging.INFO, logger="core.sms")
    worker = WorkerFactory(area=tree.a["community"], phone="13700004444", name="周骑手")
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    # No map tiles here; the service worker's own requests go to the live server.
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(live_server.url) else route.abort()
        ),
    )
    page = context.new_page()
    _phone_login(page, live_server, caplog, worker.phone, "/m/me/")
    manifest = page.locator("link[rel=manifest]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{manifest}").json()["display"] == "standalone"
    page.evaluate("() => navigator.serviceWorker.ready")
    page.reload()  # now under the service worker
    assert page.evaluate("() => !!navigator.serviceWorker.controller")

    page.goto(f"{live_server.url}/m/")  # the map, with the stations near the worker
    expect(page.locator("#results")).to_contain_text("暖峰港湾·北大街社区")
    poster = f"{live_server.url}/q/{poster_token(network)}/"
    station_path = f"/m/stations/{network.pk}/"
    page.goto(poster)
    page.wait_for_url(f"**{station_path}?from=poster")
    assert _wait_for(page, lambda: station_path in _saved_page_paths(page))

    context.set_offline(True)
    page.goto(poster)  # the same poster, scanned in a basement
    page.wait_for_url(f"**{station_path}?from=poster")
    expect(page.locator("h1")).to_have_text("暖峰港湾·北大街社区")
    expect(page.locator(".offline-note")).to_be_visible()
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-station-offline.png", full_page=True)
    page.locator(".check-in-here button[type=submit]").click()
    expect(page.locator(".check-in-status")).to_contain_text("没有网络")
    assert len(_queued_check_ins(page)) == 1 and not CheckIn.objects.exists()

    page.goto(f"{live_server.url}/m/")  # the map's last answer, said to be old
    expect(page.locator("#status")).to_contain_text("没有网络")
    expect(page.locator("#results")).to_contain_text("暖峰港湾·北大街社区")
    page.goto(f"{live_server.url}/m/activities/")  # never opened: what is saved instead
    expect(page.locator("h1")).to_have_text("没有网络")
    expect(page.locator(".saved-pages")).to_contain_text("暖峰港湾·北大街社区")
    expect(page.locator(".pending-check-ins")).to_contain_text("1")

    context.set_offline(False)
    assert _wait_for(page, lambda: CheckIn.objects.exists(), seconds=20)
    assert _wait_for(page, lambda: _queued_check_ins(page) == [])
    page.goto(f"{live_server.url}/m/me/check-ins/")
    checked_in = CheckIn.objects.get()
    assert (checked_in.worker, checked_in.station, checked_in.source) == (
        worker,
        network,
        "offline",
    )

    page.goto(f"{live_server.url}/m/me/")
    page.locator(".bar-form button").click()
    page.wait_for_url("**/m/")
    # Forgotten on logging out; only the page after it (the map, for anyone) is saved.
    assert _wait_for(page, lambda: _saved_page_paths(page) in ([], ["/m/"]))
    context.close()


def test_worker_signs_up_attends_by_qr_earns_points_redeems_and_the_keeper_hands_over(
    browser, live_server, tree, network, caplog
):
    """The worker loop at phone size: sign up → scan the activity's QR at the venue →
    the points appear → redeem a gift → the station keeper hands it over in the admin."""
    import datetime as dt

    from django.utils import timezone

    from activities.tests.factories import ActivityFactory
    from members.tests.factories import WorkerFactory
    from points.models import PointsAccount, Redemption, Reward

    caplog.set_level(logging.INFO, logger="core.sms")
    worker = WorkerFactory(area=tree.a["community"], phone="13700003333", status="approved")
    soon = timezone.now() + dt.timedelta(minutes=10)  # sign-up open, attendance window open
    activity = ActivityFactory(
        area=tree.a["community"],
        station=network,
        title="电动车安全培训",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=1),
        points=10,
        capacity=20,
    )
    reward = Reward.objects.create(
        area=tree.a["district"],
        name="保温杯",
        points_price=8,
        stock=3,
        sponsor="邮政工会",
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    reward.pickup_stations.add(network)
    keeper = UserFactory(username="keeper_a")
    keeper_stations_set(
        grant=grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER), stations=[network]
    )

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone.new_page()
    offline_tiles(page, live_server.url)
    _phone_login(page, live_server, caplog, worker.phone, "/m/activities/")
    # The list is cards, each title a thumb-sized link (issue 14 §2).
    card = page.locator("li.activity").first
    assert card.evaluate("e => getComputedStyle(e).display") == "flex"
    assert card.locator("a").bounding_box()["height"] >= 44
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-activities.png")
    page.get_by_text("电动车安全培训").click()
    page.locator("form.form button[type=submit]").click()  # 报名
    page.locator(".message.success").wait_for()
    assert "已报名" in page.locator(".signup-status").inner_text()

    # At the venue: the phone's camera opens the QR code's link.
    page.goto(f"{live_server.url}/m/a/{activity.attendance_key}/")
    page.locator("form.form button[type=submit]").click()  # 我已到场
    page.wait_for_url(f"**/m/activities/{activity.pk}/")
    assert "已到场" in page.locator(".signup-status").inner_text()

    page.goto(f"{live_server.url}/m/points/")
    assert page.locator(".points-balance strong").inner_text() == "10"
    assert "电动车安全培训" in page.locator(".points-history").inner_text()

    page.locator("a.button", has_text="积分兑换").click()
    page.locator(".reward a.button").click()
    page.get_by_label(network.name).check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/m/redemptions/*/")
    code = page.locator(".pickup-code").inner_text().strip()
    # Big enough to read across a counter.
    size = page.locator(".pickup-code").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        page.screenshot(path="var/screenshots/mobile-redemption.png")
    assert PointsAccount.objects.get(worker=worker).balance == 2

    # The keeper's phone scans the worker's QR code: the admin's hand-over counter, which
    # shows the item and the masked worker before the keeper confirms, at phone size.
    staff = browser.new_context(viewport=PHONE, locale="zh-CN")
    admin = staff.new_page()
    offline_tiles(admin, live_server.url)
    log_in_as_staff(admin, live_server, "keeper_a")
    admin.goto(f"{live_server.url}/admin/points/redemption/hand-over/?pickup_code={code}")
    assert admin.locator("#id_pickup_code").input_value() == code
    expect(admin.locator(".waiting-redemption")).to_contain_text("保温杯")
    expect(admin.locator(".waiting-redemption")).to_contain_text(worker.masked_name)
    confirm = admin.locator("input[type=submit]").bounding_box()
    assert confirm["height"] >= 44 and confirm["x"] + confirm["width"] <= PHONE["width"]
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        admin.screenshot(path="var/screenshots/keeper-counter.png", full_page=True)
    admin.locator("input[type=submit]").click()
    admin.locator(".messagelist").wait_for()
    assert "保温杯" in admin.locator(".messagelist").inner_text()

    page.reload()
    assert "已领取" in page.locator(".status").inner_text()
    assert Redemption.objects.get().status == "handed_over"
    staff.close()
    phone.close()
