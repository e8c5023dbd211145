"""Every worker page at phone size (390×844), as a visitor and as a registered worker:
no serious or critical accessibility violation by axe-core (vendored in tests/vendor/,
never served), and every tap target at least 44×44 CSS px (issue 14 §2–§3).

Links inside a sentence are exempt, as WCAG 2.5.8 exempts them; so is the map,
which has its own gestures.
"""

import logging
import os
from pathlib import Path

import pytest
from django.utils import timezone

from activities.tests.factories import ActivityFactory
from estates.services import gate_token
from estates.tests.factories import EstateFactory, GateFactory, authorised
from feedback.models import Case
from feedback.tests.factories import photo as feedback_photo
from feedback.tests.factories import report as feedback_report
from members.inbox import REGISTRATION_REVIEWED, in_workers_language
from members.models import DistrictMessaging
from members.services import message_send
from members.tests.factories import OutletFactory, WorkerFactory
from points.tests.factories import RewardFactory, give
from wishes.tests.factories import DonorFactory, WishFactory, collective_wish, published

from .test_browser import CHROMIUM, PHONE, _phone_login, browser, network, offline_tiles  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
MIN_TAP_PX = 44

# The tap targets of a page that are too small: buttons, fields, menus, and links that
# stand alone (a button, a chip, a block); a checkbox or radio counts by its label.
SMALL_TAP_TARGETS = """
(min) => {
  const small = [];
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const e of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
    if (e.closest(".leaflet-container") || !visible(e) || e.type === "hidden") continue;
    let target = e;
    if (e.type === "checkbox" || e.type === "radio") target = e.closest("label") || e;
    else if (e.tagName === "A" && getComputedStyle(e).display === "inline" &&
             e.parentElement.innerText.trim() !== e.innerText.trim()) continue;  // in a sentence
    const r = target.getBoundingClientRect();
    if (r.height < min - 0.5 || r.width < min - 0.5) {
      small.push(`${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""} "${(target.innerText || e.value || e.name || "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  return small;
}
"""


def _check(page, url: str, problems: dict) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
        }"""
    )
    small = page.evaluate(SMALL_TAP_TARGETS, MIN_TAP_PX)
    path = url.split("//", 1)[1].split("/", 1)[1]
    if result:
        problems[f"axe /{path}"] = result
    if small:
        problems[f"taps /{path}"] = small


def test_every_worker_page_passes_axe_and_has_thumb_sized_tap_targets(
    browser, live_server, tree, network, caplog
):
    caplog.set_level(logging.INFO, logger="core.sms")
    community = tree.a["community"]
    activity = ActivityFactory(area=community, title="电动车安全培训")
    reward = RewardFactory(area=tree.a["district"], pickup_stations=[network])
    worker = WorkerFactory(area=community, phone="13700005555", name="孙骑手")
    give(worker, points=20)
    # Wishes on the wall (a worker's own, an outlet's), and the worker giving as a donor too.
    wish = published(WishFactory(worker=WorkerFactory(area=community), text="一件新雨衣"))
    outlet_wish = collective_wish(outlet=OutletFactory(area=community))
    DonorFactory(phone=worker.phone, area=tree.a["street"])
    DistrictMessaging.objects.create(area=tree.a["district"], sms_enabled=True)
    # A report of the worker's, answered and waiting for their "fixed / not fixed"; a public
    # one on the hazard map and the district's page of answers.
    case = feedback_report(worker, station=network, photos=[feedback_photo()])
    Case.objects.filter(pk=case.pk).update(status="resolved", answer="物业已拆除飞线")
    lane = feedback_report(worker, code="blocked-lane", station=network, public=True)
    Case.objects.filter(pk=lane.pk).update(status="accepted", published_at=timezone.now())
    with in_workers_language():
        message_send(
            worker=worker,
            kind=REGISTRATION_REVIEWED,
            title="你的报到已通过",
            body="北大街社区已通过你的报到，欢迎你！",
            link="/m/me/",
            event_key="walk:1",
        )
    gate = GateFactory(estate=EstateFactory(area=community, name="水岸城"), name="北门")
    estate_pass = authorised(gate.estate, phone=worker.phone)
    other_gate = GateFactory(estate=EstateFactory(area=community, name="水岸城二期"), name="南门")
    base = live_server.url
    problems: dict = {}

    # axe is injected as an inline script, which the pages' CSP rightly refuses.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    offline_tiles(page, base)
    for path in (
        "/m/",
        f"/m/stations/{network.pk}/",
        f"/m/stations/{network.pk}/check-in/",
        "/m/login/",
        "/m/privacy/",
        "/m/activities/",
        f"/m/activities/{activity.pk}/",
        "/m/i/",
        "/m/offline/",
        "/m/stations/999999/",  # the error page a worker meets
        f"/m/gate/{gate_token(other_gate)}/",  # an estate's pass, before logging in
    ):
        _check(page, base + path, problems)

    _phone_login(page, live_server, caplog, worker.phone, "/m/me/")
    for path in (
        "/m/me/",
        "/m/me/messages/",
        "/m/me/messages/settings/",
        "/m/me/phone/",
        "/m/me/check-ins/",
        "/m/register/",
        f"/m/communities/?area={community.code}",
        "/m/me/data/",
        "/m/me/consent/",
        "/m/me/delete/",
        "/m/me/party/",
        "/m/points/",
        "/m/rewards/",
        f"/m/rewards/{reward.pk}/",
        f"/m/activities/{activity.pk}/",
        "/m/volunteer/",
        "/m/wishes/new/",
        "/m/me/wishes/",
        "/m/wishes/",
        f"/m/wishes/{wish.pk}/",
        f"/m/wishes/{outlet_wish.pk}/",
        "/m/donor/",
        "/m/me/claims/",
        f"/m/service-list/?area={community.code}",
        f"/m/stations/{network.pk}/",
        "/m/report/",
        f"/m/report/?station={network.pk}",
        "/m/me/cases/",
        f"/m/me/cases/{case.pk}/",
        "/m/answers/",
        f"/m/answers/{tree.a['district'].code}/",
        "/m/hazards/",
        f"/m/gate/{gate_token(gate)}/",
        f"/m/gate/{gate_token(other_gate)}/",
        f"/m/passes/{estate_pass.pk}/",
        "/m/me/passes/",
    ):
        _check(page, base + path, problems)
    if os.path.isdir("var/screenshots"):  # for a person to look at; not asserted
        for name, path in (("mobile-messages", "/m/me/messages/"), ("mobile-me", "/m/me/")):
            page.goto(base + path)
            page.screenshot(path=f"var/screenshots/{name}.png", full_page=True)
    context.close()
    assert not problems, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_the_phone_pages_keep_their_contrast_at_night(browser, live_server, tree, network, caplog):
    """prefers-color-scheme: dark (a phone at 2 a.m.): the same axe checks, contrast
    included, on the map, a station, the wall and a worker's pickup code (its QR code keeps
    a white ground to scan)."""
    from wishes.tests.factories import make_claim

    caplog.set_level(logging.INFO, logger="core.sms")
    community = tree.a["community"]
    worker = WorkerFactory(area=community, phone="13700006666", status="approved")
    wish = published(WishFactory(worker=worker, text="一件厚一点的雨衣"))
    make_claim(donor=DonorFactory(area=tree.a["street"]), wish=wish, station=network)
    base = live_server.url
    problems: dict = {}
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", color_scheme="dark", bypass_csp=True
    )
    page = context.new_page()
    offline_tiles(page, base)
    for path in ("/m/", f"/m/stations/{network.pk}/", "/m/wishes/", f"/m/wishes/{wish.pk}/"):
        _check(page, base + path, problems)
    _phone_login(page, live_server, caplog, worker.phone, f"/m/me/wishes/{wish.pk}/")
    case = feedback_report(worker, station=network)
    Case.objects.filter(pk=case.pk).update(status="resolved", answer="物业已拆除飞线")
    gate = GateFactory(estate=EstateFactory(area=community, name="水岸城"), name="北门")
    estate_pass = authorised(gate.estate, phone=worker.phone)
    for path in (
        f"/m/me/wishes/{wish.pk}/",
        "/m/wishes/new/",
        "/m/me/",
        "/m/report/",
        f"/m/me/cases/{case.pk}/",
        "/m/hazards/",
        f"/m/gate/{gate_token(GateFactory(estate=EstateFactory(area=community)))}/",
        f"/m/passes/{estate_pass.pk}/",
        "/m/me/passes/",
    ):
        _check(page, base + path, problems)
    page.goto(base + f"/m/me/wishes/{wish.pk}/")
    qr_ground = page.evaluate(
        "() => getComputedStyle(document.querySelector('.qr svg') || document.body).backgroundColor"
    )
    if os.path.isdir("var/screenshots"):
        page.screenshot(path="var/screenshots/mobile-pickup-code-night.png", full_page=True)
    context.close()
    assert not problems, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())
    assert qr_ground == "rgb(255, 255, 255)"
