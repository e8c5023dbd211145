"""A hazard report from the worker's phone to their points, in headless Chromium at phone
size (issue 16): a rider reports 飞线充电 with a photo at a station; the community accepts
it, splits off a task, records it done and answers; the rider says not fixed and it
reopens; left overdue, it climbs to the street; the street answers, the rider says fixed,
and finds the points the district gives for a verified report.

Every step goes through the real pages (the phone's /m/ pages and the admin); the data is
made before the browser starts (DESIGN.md). The overdue step moves the deadline and runs
the beat job's service, as the hours passing would.
"""

import logging
import os
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant
from feedback import services
from feedback.models import Case, CaseNotice
from members.models import Occupation, Worker
from members.tests.factories import WorkerFactory
from points.models import PointsRule

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
TEXT = "3号楼楼道有人从窗户拉电线给电动车充电"


def _shot(page, name: str, *, dark: bool = False) -> None:
    if not os.path.isdir(SCREENSHOTS):
        return
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=f"{SCREENSHOTS}/feedback-{name}.png", full_page=True)
    if dark:
        page.emulate_media(color_scheme="dark")
        page.screenshot(path=f"{SCREENSHOTS}/feedback-{name}-dark.png", full_page=True)
        page.emulate_media(color_scheme="light")


@pytest.fixture
def people(tree, network, tmp_path):
    from PIL import Image

    community = tree.a["community"]
    worker = WorkerFactory(
        area=community,
        phone="13700008888",
        name="王小明",
        occupation=Occupation.FOOD_DELIVERY,
        status=Worker.Status.APPROVED,
    )
    staff = UserFactory(username="community_beidajie")
    grant(staff, community, StaffGrant.Role.COMMUNITY)
    street = UserFactory(username="street_jiefang")
    grant(street, tree.a["street"], StaffGrant.Role.STREET)
    PointsRule.objects.create(
        area=tree.a["district"], event=PointsRule.Event.VERIFIED_FEEDBACK, points=3
    )
    photo = tmp_path / "wire.jpg"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(photo, format="JPEG")
    return SimpleNamespace(worker=worker, staff=staff, street=street, station=network, photo=photo)


def _answer_form(page):
    """The "is it fixed?" form of the rider's case page (the other form sends a message)."""
    return page.locator("form.form", has=page.locator("input[name=answer-fixed]"))


def _act(admin, base, case, action: str, fill=None) -> None:
    """Press a record action on the case's page and send its form."""
    admin.goto(f"{base}/admin/feedback/case/{case.pk}/change/")
    admin.locator(f".object-tools a[href='/admin/feedback/case/{case.pk}/do/{action}/']").click()
    admin.wait_for_url(f"**/do/{action}/")
    for selector, value in (fill or {}).items():
        field = admin.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(index=1) if value is None else field.select_option(value)
        else:
            field.fill(value)
    admin.locator("form.record-action-page input[type=submit]").click()
    admin.wait_for_url(f"**/admin/feedback/case/{case.pk}/change/")
    expect(admin.locator(".messagelist")).to_be_visible()


def test_a_hazard_goes_from_the_riders_phone_to_their_points(browser, live_server, people, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    base = live_server.url
    worker, station = people.worker, people.station

    # 1. The rider reports at the station: from its page, "报告问题".
    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = phone.new_page()
    offline_tiles(page, base)
    _phone_login(page, live_server, caplog, worker.phone, f"/m/stations/{station.pk}/")
    page.locator("a.report-here").click()
    page.wait_for_url(f"**/m/report/?station={station.pk}")
    page.locator("input[name=kind][value=hazard]").check()
    page.locator("label", has_text="飞线充电").locator("input[name=category]").check()
    page.fill("#id_text", TEXT)
    page.set_input_files("#id_photos", str(people.photo))
    expect(page.locator("input[name=where][value=station]")).to_be_checked()
    _shot(page, "1-report")
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url("**/m/me/cases/*/")
    case = Case.objects.get(reporter=worker)
    expect(page.locator("h1")).to_contain_text(case.number)
    expect(page.locator(".my-case .photos img")).to_have_count(1)
    _shot(page, "1-reported", dark=True)
    assert (case.station, case.area, case.photos.count()) == (station, station.area, 1)

    # 2. The community accepts it (研判), splits off a task, records it done, answers.
    office = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    admin = office.new_page()
    offline_tiles(admin, base)
    log_in_as_staff(admin, live_server, people.staff.username)
    admin.goto(f"{base}/admin/")
    expect(admin.locator("a[href='/admin/feedback/case/?status__exact=submitted']")).to_be_visible()
    admin.goto(f"{base}/admin/feedback/case/{case.pk}/change/")
    expect(admin.locator("#content")).to_contain_text(TEXT)
    assert worker.name not in admin.locator("#content").inner_text()  # masked for staff
    _shot(admin, "2-staff-case")
    _act(admin, base, case, "accept", {"#id_priority": "urgent"})
    _act(admin, base, case, "task", {"#id_description": "联系物业拆除飞线", "#id_unit": None})
    _act(admin, base, case, "finish-task", {"#id_task": None, "#id_result": "物业已拆除飞线"})
    _act(admin, base, case, "resolve", {"#id_answer": "物业已拆除飞线，并张贴了安全充电提示。"})
    _shot(admin, "2-staff-resolved")
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.tasks.get().status == "done"

    # 3. The rider reads the answer and says not fixed: it reopens, the unit is told.
    page.goto(f"{base}/m/me/cases/{case.pk}/")
    expect(page.locator(".answer")).to_contain_text("物业已拆除飞线")
    page.locator("input[name=answer-fixed][value=no]").check()
    page.fill("#id_answer-comment", "第二天晚上又有人拉线了")
    _shot(page, "3-not-fixed")
    _answer_form(page).locator("button[type=submit]").click()
    page.wait_for_url(f"**/m/me/cases/{case.pk}/")
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == (Case.Status.IN_PROGRESS, 1)
    assert CaseNotice.objects.filter(case=case, kind="reopened").exists()

    # 4. Nobody acts in time: the deadline passes, the beat job climbs it to the street.
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    services.deadlines_run()
    case.refresh_from_db()
    assert (case.responsible_area.level, case.escalations) == ("street", 1)
    street = browser.new_context(viewport=LAPTOP, locale="zh-CN")
    street_admin = street.new_page()
    offline_tiles(street_admin, base)
    log_in_as_staff(street_admin, live_server, people.street.username)
    street_admin.goto(f"{base}/admin/feedback/casenotice/?read_at__isempty=1")
    expect(street_admin.locator("#result_list")).to_contain_text(case.number)
    _shot(street_admin, "4-street-notice")

    # 5. The street answers; the rider says fixed and sees the points for the report.
    _act(
        street_admin,
        base,
        case,
        "resolve",
        {"#id_answer": "街道联合物业和消防再次拆除，加装了充电桩。"},
    )
    page.goto(f"{base}/m/me/cases/{case.pk}/")
    page.locator("input[name=answer-fixed][value=yes]").check()
    _answer_form(page).locator("button[type=submit]").click()
    page.wait_for_url(f"**/m/me/cases/{case.pk}/")
    expect(page.locator(".my-case .status")).to_have_text("已办结")
    _shot(page, "5-closed", dark=True)
    case.refresh_from_db()
    assert (case.status, case.satisfied) == (Case.Status.CLOSED, True)
    page.goto(f"{base}/m/points/")
    expect(page.locator(".points-balance strong")).to_have_text("3")
    _shot(page, "5-points")
    street.close()
    office.close()
    phone.close()
