"""Cases in the admin, for the area trio: staff of A work a case on its own page (accept,
add a task, record it done, resolve) and record one collected offline; A's viewer reads
without buttons; B's staff find nothing. Catalogues: a district's own rows beside the
platform's; the notices a unit receives."""

import pytest

from feedback.models import Case, CaseNotice, FeedbackCategory, PartnerDepartment
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import category, photo, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(trio):
    worker = WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, name="王小明"
    )
    return report(worker, station=StationFactory(area=trio.tree.a["community"]), photos=[photo()])


def _page(case):
    return f"/admin/feedback/case/{case.pk}/change/"


def _do(case, action):
    return f"/admin/feedback/case/{case.pk}/do/{action}/"


def test_staff_of_a_work_a_case_through_to_its_answer(client, trio, case):
    client.force_login(trio.staff_a)
    listing = client.get("/admin/feedback/case/?status__exact=submitted").content.decode()
    assert "3号楼楼道有人飞线充电" in listing
    html = client.get(_page(case)).content.decode()
    assert _do(case, "accept") in html and "王小明" not in html  # the worker masked
    assert "/files/feedback.photo/" in html
    client.post(_do(case, "accept"), {"priority": "urgent", "note": "属实"})
    case.refresh_from_db()
    assert (case.status, case.priority) == ("accepted", "urgent")
    client.post(_do(case, "task"), {"description": "物业拆除飞线", "unit": case.area.pk})
    task = case.tasks.get()
    refused = client.post(_do(case, "resolve"), {"answer": "已处理"})
    assert (
        "not finished" in refused.content.decode()
        or Case.objects.get(pk=case.pk).status != "resolved"
    )
    client.post(_do(case, "finish-task"), {"task": task.pk, "result": "已拆除"})
    client.post(
        _do(case, "resolve"), {"answer": "已拆除飞线，安装了充电桩", "photos": [photo("fix.png")]}
    )
    case.refresh_from_db()
    assert case.status == "resolved" and case.photos.filter(role="fix").exists()
    page = client.get(_page(case)).content.decode()
    assert "ws-timeline" in page and "已拆除飞线" in page


def test_a_task_cannot_go_to_a_unit_of_another_district(client, trio, case):
    client.force_login(trio.staff_a)
    client.post(_do(case, "accept"), {"priority": "normal"})
    answer = client.post(
        _do(case, "task"), {"description": "x", "unit": trio.tree.b["community"].pk}
    )
    assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert not case.tasks.exists()


def test_the_viewer_reads_without_buttons_and_b_finds_nothing(client, trio, case):
    client.force_login(trio.viewer_a)
    page = client.get(_page(case))
    assert page.status_code == 200 and _do(case, "accept") not in page.content.decode()
    assert client.post(_do(case, "accept"), {"priority": "normal"}).status_code == 403
    client.force_login(trio.staff_b)
    assert client.get(_page(case)).status_code in (302, 404)
    assert client.post(_do(case, "accept"), {"priority": "normal"}).status_code == 404
    assert "3号楼楼道" not in client.get("/admin/feedback/case/").content.decode()
    case.refresh_from_db()
    assert case.status == "submitted"


def test_staff_record_a_12345_referral(client, trio):
    client.force_login(trio.staff_a)
    answer = client.post(
        "/admin/feedback/case/add/",
        {
            "kind": "hazard",
            "category": category("blocked-lane").pk,
            "text": "12345转来：解放路人行道长期占道停车",
            "priority": "normal",
            "source": "hotline",
            "source_note": "12345-20261201-0088",
            "area": trio.tree.a["community2"].pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    case = Case.objects.get()
    assert (case.source, case.responsible_area) == ("hotline", trio.tree.a["street"])


def test_recording_refuses_an_area_out_of_reach_and_keeps_nothing(client, trio):
    client.force_login(trio.staff_b)
    answer = client.post(
        "/admin/feedback/case/add/",
        {
            "kind": "hazard",
            "category": category().pk,
            "text": "x",
            "priority": "normal",
            "source": "visit",
            "area": trio.tree.a["community"].pk,
        },
    )
    assert answer.status_code in (200, 404)
    assert not Case.objects.exists()


def test_the_duplicate_form_finds_only_cases_in_reach(client, trio, case):
    elsewhere = report(
        WorkerFactory(area=trio.tree.b["community"]),
        station=StationFactory(area=trio.tree.b["community"]),
    )
    client.force_login(trio.staff_a)
    answer = client.post(_do(case, "duplicate"), {"original": f"#{elsewhere.pk}"})
    assert answer.status_code == 200 and "errorlist" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_a_district_keeps_its_own_categories_and_sees_the_platforms(client, trio):
    PartnerDepartment.objects.create(area=trio.tree.b["district"], sector="labour", name="庆城人社")
    client.force_login(trio.staff_a)
    listing = client.get("/admin/feedback/feedbackcategory/").content.decode()
    assert "飞线充电" in listing
    answer = client.post(
        "/admin/feedback/feedbackcategory/add/",
        {
            "area": trio.tree.a["district"].pk,
            "kind": "demand",
            "code": "parking",
            "name": "停车难",
            "responsible": "community",
            "days_urgent": 1,
            "days_normal": 3,
            "days_low": 5,
            "order": 10,
            "active": "on",
        },
    )
    assert answer.status_code == 302
    assert FeedbackCategory.objects.filter(area=trio.tree.a["district"], code="parking").exists()
    form = client.get("/admin/feedback/feedbackcategory/add/").content.decode()
    assert "庆城人社" not in form
    platform = category()
    assert (
        client.post(f"/admin/feedback/feedbackcategory/{platform.pk}/change/", {}).status_code
        == 403
    )


def test_a_units_notices_are_read_once_for_the_unit(client, trio, case):
    CaseNotice.objects.create(
        case=case, kind="overdue", area=case.area, text="三号楼案件提醒", event_key="t:1"
    )
    client.force_login(trio.staff_a)
    assert (
        "三号楼案件提醒"
        in client.get("/admin/feedback/casenotice/?read_at__isempty=1").content.decode()
    )
    notice = CaseNotice.objects.get()
    client.post(f"/admin/feedback/casenotice/{notice.pk}/do/read/")
    notice.refresh_from_db()
    assert notice.read_by == trio.staff_a
    client.force_login(trio.staff_b)
    assert "三号楼案件提醒" not in client.get("/admin/feedback/casenotice/").content.decode()


def test_the_work_queue_shows_cases_to_accept(client, trio, case):
    client.force_login(trio.staff_a)
    html = client.get("/admin/").content.decode()
    assert "/admin/feedback/case/?status__exact=submitted" in html


def test_a_partner_systems_key_is_shown_once_and_only_its_digest_kept(client, trio):
    from core.tokens import digest_of
    from feedback.models import PartnerSystem

    client.force_login(trio.staff_a)
    answer = client.post(
        "/admin/feedback/partnersystem/add/",
        {"area": trio.tree.a["district"].pk, "name": "庆阳市12345热线"},
    )
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    partner = PartnerSystem.objects.get()
    key = answer.context["key"]
    assert partner.key_digest == digest_of(key) and key not in partner.key_digest
    assert (
        key
        not in client.get(f"/admin/feedback/partnersystem/{partner.pk}/change/").content.decode()
    )
    client.force_login(trio.staff_b)
    assert client.get(f"/admin/feedback/partnersystem/{partner.pk}/change/").status_code in (
        302,
        404,
    )
    refused = client.post(
        "/admin/feedback/partnersystem/add/",
        {"area": trio.tree.a["district"].pk, "name": "越权"},
    )
    assert refused.status_code == 200 and PartnerSystem.objects.count() == 1
