"""A micro-wish from the worker's phone to the donor's thanks, in headless Chromium at phone
size (issue 15): a worker posts a wish, the community publishes it, a donor claims it on
the wall, the station's keeper hands it over, the worker confirms and thanks the donor.

Every step goes through the real pages (the phones' /m/ pages and the admin); the data is
made before the browser starts (DESIGN.md), and the test looks in the database only to
check what the pages did.
"""

import logging
import os
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from members.models import Occupation, Worker
from members.tests.factories import WorkerFactory
from stations.services import keeper_stations_set
from wishes.models import Claim, Wish
from wishes.selectors import handover_stations
from wishes.tests.factories import category

from .test_browser import (  # noqa: F401
    CHROMIUM,
    PHONE,
    _phone_login,
    browser,
    log_in_as_staff,
    network,
    offline_tiles,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
SCREENSHOTS = "var/screenshots"
LAPTOP = {"width": 1366, "height": 768}
WISH_TEXT = "一件厚一点的雨衣"
DONOR_WORD = "下雨天送餐注意安全！"
THANKS = "雨衣收到了，谢谢您，下雨天不怕了！"


def _shot(page, name: str, *, dark: bool = False) -> None:
    """A full-page screenshot for a person to look at (not asserted); in the dark too when
    asked, as a phone set to dark mode shows the page."""
    if not os.path.isdir(SCREENSHOTS):
        return
    page.evaluate("() => window.scrollTo(0, 0)")  # a sticky header shows where it belongs
    page.screenshot(path=f"{SCREENSHOTS}/wishes-{name}.png", full_page=True)
    if dark:
        page.emulate_media(color_scheme="dark")
        page.screenshot(path=f"{SCREENSHOTS}/wishes-{name}-dark.png", full_page=True)
        page.emulate_media(color_scheme="light")


def _phone(browser, live_server, address: str):
    """A phone of its own: its own cookies, and its own address behind the district's
    reverse proxy (the login code's per-address limit counts each phone apart)."""
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", extra_http_headers={"X-Forwarded-For": address}
    )
    page = context.new_page()
    offline_tiles(page, live_server.url)
    return context, page


@pytest.fixture
def people(tree, network, settings):
    """The worker of 北大街 (registered, approved), the community's staff who review
    wishes, and the keeper of the station where the donor will hand the gift over."""
    settings.NUM_PROXIES = 1  # behind one reverse proxy, as deployed
    community = tree.a["community"]
    worker = WorkerFactory(
        area=community,
        phone="13700006666",
        name="王小明",
        occupation=Occupation.FOOD_DELIVERY,
        status=Worker.Status.APPROVED,
    )
    staff = UserFactory(username="community_beidajie")
    grant(staff, community, StaffGrant.Role.COMMUNITY)
    keeper = UserFactory(username="keeper_beidajie")
    keeper_stations_set(
        grant=grant(keeper, community, StaffGrant.Role.STATION_KEEPER), stations=[network]
    )
    return SimpleNamespace(
        worker=worker,
        staff=staff,
        keeper=keeper,
        station=network,
        gear=category("work_gear"),
        donor_phone="13900007777",
        donor_area=tree.a["street"],
    )


def test_a_wish_goes_from_the_workers_phone_to_the_donors_thanks(
    browser, live_server, people, caplog
):
    caplog.set_level(logging.INFO, logger="core.sms")
    base = live_server.url
    worker = people.worker
    masked_worker = f"外卖骑手 {worker.masked_name}"  # 外卖骑手 王**, as the wall names them

    # 1. The worker posts a wish from their phone; it waits for the community's review.
    worker_phone, page = _phone(browser, live_server, "10.0.0.11")
    _phone_login(page, live_server, caplog, worker.phone, "/m/wishes/new/")
    expect(page.locator("h1")).to_have_text("许一个微心愿")
    page.locator(f"input[name=category][value='{people.gear.pk}']").check()
    page.fill("#id_text", WISH_TEXT)
    page.fill("#id_value", "80")
    page.check("#id_publish_consent")
    _shot(page, "1-worker-new")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/m/me/wishes/")
    mine = page.locator("li.card", has_text=WISH_TEXT)
    expect(mine.locator(".status")).to_have_text("待审核")
    expect(page.locator(".message.success")).to_be_visible()
    _shot(page, "1-worker-my-wishes")
    wish = Wish.objects.get(worker=worker)
    assert (wish.status, wish.value, wish.category) == (Wish.Status.SUBMITTED, 80, people.gear)
    assert people.station in handover_stations(wish)  # the keeper's station is offered

    # 2. The community's staff open the wish's page in the admin and publish it.
    office = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    admin = office.new_page()
    offline_tiles(admin, base)
    log_in_as_staff(admin, live_server, people.staff.username)
    admin.goto(f"{base}/admin/wishes/wish/{wish.pk}/change/")
    expect(admin.locator("#content")).to_contain_text(WISH_TEXT)
    assert worker.name not in admin.locator("#content").inner_text()  # masked for staff too
    publish = admin.locator(
        f".object-tools form[action='/admin/wishes/wish/{wish.pk}/do/publish/'] button[type=submit]"
    )
    expect(publish).to_have_text("发布")
    _shot(admin, "2-staff-review")
    publish.click()
    expect(admin.locator(".messagelist")).to_contain_text("已发布")
    expect(publish).to_have_count(0)  # published once, the button is gone
    _shot(admin, "2-staff-published")
    wish.refresh_from_db()
    assert wish.status == Wish.Status.PUBLISHED
    office.close()

    # 3. A donor, on another phone and not logged in, finds the wish on the wall (masked),
    #    signs in, gives a donor profile, comes back and claims it at the keeper's station.
    donor_phone, wall = _phone(browser, live_server, "10.0.0.22")
    wall.goto(f"{base}/m/wishes/")
    card = wall.locator("li.wish-card", has_text=WISH_TEXT)
    expect(card).to_contain_text(masked_worker)
    body = wall.content()
    assert worker.name not in body and worker.phone not in body
    _shot(wall, "3-donor-wall", dark=True)
    card.locator("a").click()
    wall.wait_for_url(f"**/m/wishes/{wish.pk}/")
    expect(wall.locator("h1")).to_have_text(WISH_TEXT)
    expect(wall.locator(".record")).to_contain_text(masked_worker)
    assert worker.name not in wall.content()
    _shot(wall, "3-donor-wish")
    wall.locator("a.button[href^='/m/donor/']").click()
    wall.wait_for_url("**/m/login/**")
    wall.fill("#id_phone", people.donor_phone)
    wall.locator("button[type=submit]").first.click()
    wall.locator("#id_code").wait_for()
    code = re.findall(r"login code (\d{6})", caplog.text)[-1]
    wall.fill("#id_code", code)
    wall.locator("button[type=submit]").first.click()
    wall.wait_for_url(re.compile(r"/m/donor/\?then=/m/wishes/\d+/$"))
    wall.locator("input[name=kind][value=individual]").check()
    wall.fill("#id_name", "李爱心")
    wall.select_option("#id_area", str(people.donor_area.pk))
    wall.check("#id_consent")
    _shot(wall, "3-donor-profile")
    wall.locator("form.form button[type=submit]").click()
    wall.wait_for_url(f"**/m/wishes/{wish.pk}/")
    offered = wall.locator("input[name=station]")
    assert sorted(offered.evaluate_all("es => es.map(e => +e.value)")) == sorted(
        handover_stations(wish).values_list("pk", flat=True)
    )
    wall.locator(f"input[name=station][value='{people.station.pk}']").check()
    wall.fill("#id_message", DONOR_WORD)
    _shot(wall, "3-donor-claim")
    wall.locator("form.form button[type=submit]").click()
    wall.wait_for_url("**/m/me/claims/")
    claimed = wall.locator("li.card", has_text=WISH_TEXT)
    expect(claimed.locator(".status")).to_have_text("已认领")
    expect(wall.locator(".message.success")).to_contain_text(people.station.name)
    _shot(wall, "3-donor-claims")
    claim = Claim.objects.get(wish=wish)
    assert (claim.station, claim.message, claim.status) == (
        people.station,
        DONOR_WORD,
        Claim.Status.CLAIMED,
    )

    # 4. The worker's phone shows the code (and its QR code) to take to the counter; the
    #    keeper opens the counter on it, checks the wish and the masked worker, hands over.
    page.goto(f"{base}/m/me/wishes/{wish.pk}/")
    expect(page.locator(".donor-word")).to_contain_text(DONOR_WORD)
    pickup_code = page.locator(".pickup-code").inner_text().strip()
    assert pickup_code == claim.pickup_code
    expect(page.locator(".qr svg")).to_be_visible()
    _shot(page, "4-worker-pickup-code", dark=True)
    counter_phone, counter = _phone(browser, live_server, "10.0.0.33")
    log_in_as_staff(counter, live_server, people.keeper.username)
    counter.goto(f"{base}/admin/wishes/claim/hand-over/?pickup_code={pickup_code}")
    assert counter.locator("#id_pickup_code").input_value() == pickup_code
    waiting = counter.locator(".waiting-claim")
    expect(waiting).to_contain_text(WISH_TEXT)
    expect(waiting).to_contain_text(masked_worker)
    expect(waiting).to_contain_text(people.station.name)
    assert worker.name not in waiting.inner_text()
    hand_over = counter.locator("input[type=submit]")
    box = hand_over.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    _shot(counter, "4-keeper-counter")
    hand_over.click()
    expect(counter.locator(".messagelist")).to_contain_text("已交接")
    expect(counter.locator(".handed-over")).to_contain_text(WISH_TEXT)
    _shot(counter, "4-keeper-handed-over")
    claim.refresh_from_db()
    assert (claim.status, claim.handed_over_by) == (Claim.Status.HANDED_OVER, people.keeper)
    counter_phone.close()

    # 5. The worker says they have it, with a thank-you; the wish has come true, and the
    #    donor's inbox carries the thanks.
    page.reload()
    page.fill("#id_thanks", THANKS)
    _shot(page, "5-worker-confirm")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/m/me/wishes/{wish.pk}/")
    expect(page.locator(".message.success")).to_be_visible()
    expect(page.locator(".my-wish .status")).to_have_text("已实现")
    expect(page.locator(".my-wish")).to_contain_text(THANKS)
    expect(page.locator("form.form")).to_have_count(0)  # nothing more to confirm
    _shot(page, "5-worker-came-true", dark=True)
    wish.refresh_from_db()
    claim.refresh_from_db()
    assert (wish.status, claim.status, claim.thanks) == (
        Wish.Status.FULFILLED,
        Claim.Status.FULFILLED,
        THANKS,
    )

    wall.goto(f"{base}/m/me/messages/")
    came_true = wall.locator(".inbox-message", has_text="心愿实现了")
    expect(came_true).to_contain_text(THANKS)
    expect(came_true).to_contain_text(masked_worker)
    assert worker.name not in wall.content()
    _shot(wall, "5-donor-inbox")
    wall.goto(f"{base}/m/me/claims/")
    expect(wall.locator("li.card", has_text=WISH_TEXT).locator(".status")).to_have_text("已实现")
    donor_phone.close()
    worker_phone.close()
