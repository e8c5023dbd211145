"""The 小区快速通行登记台账 (estates/ledgers.py): one estate's entries for a date range in the
government layout, the worker's name masked; unmasked only for staff who may unmask
there, with a reason that is logged; another district's staff, a manager of another
estate and a guard get no estate to export (404)."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from areas.models import AccessLog, StaffGrant
from core.exceptions import ApplicationError
from estates import ledgers, services
from estates.models import EntryLog
from ledgers.models import ImportJob
from ledgers.registry import ledger_for

from .factories import EstateFactory, GateFactory, authorised, partner

pytestmark = pytest.mark.django_db
YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


@pytest.fixture
def estate(trio):
    return EstateFactory(area=trio.tree.a["community"], name="水岸城", property_company="中海物业")


@pytest.fixture
def gate(estate):
    return GateFactory(estate=estate, name="北门")


@pytest.fixture
def guard(trio, gate):
    return partner(StaffGrant.Role.GATE_GUARD, trio.tree.a["community"], [gate], "guard_north")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def enter(guard, gate, estate_pass, moment, *, waited=12):
    code = services.pass_show(phone=estate_pass.phone, estate_pass=estate_pass, now=moment)
    return services.pass_check(
        actor=guard, gate=gate, code=code, now=moment + dt.timedelta(seconds=waited)
    )


@pytest.fixture
def entries(estate, gate, guard):
    made = authorised(estate, platform="顺丰", now=at(YESTERDAY, 8) - dt.timedelta(days=5))
    first = enter(guard, gate, made, at(YESTERDAY, 10, 5))
    unknown = services.pass_check(
        actor=guard, gate=gate, code="999999-123456", now=at(YESTERDAY, 11)
    )
    earlier = enter(guard, gate, made, at(YESTERDAY - dt.timedelta(days=3), 18), waited=7)
    return first, unknown, earlier


def export(user, estate, **options):
    options.setdefault("since", YESTERDAY)
    options.setdefault("until", YESTERDAY)
    body = ledgers.entries_export(actor=user, estate_id=estate.pk, **options)
    return load_workbook(io.BytesIO(body)).active


def cells(sheet, row):
    return [c.value for c in sheet[row]]


def test_the_export_has_the_government_layout_masked(trio, estate, entries):
    sheet = export(trio.staff_a, estate)
    assert sheet["A1"].value == "小区快速通行登记台账"
    assert "中海物业 水岸城" in sheet["A2"].value  # 填报单位
    assert cells(sheet, 3) == [
        "序号",
        "通行时间",
        "小区",
        "门岗",
        "姓名",
        "工作单位",
        "平台",
        "职业",
        "核验结果",
        "门口等候（秒）",
    ]
    stamp = at(YESTERDAY, 10, 5) + dt.timedelta(seconds=12)
    assert cells(sheet, 4) == [
        1,
        timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M:%S"),
        "水岸城",
        "北门",
        "王**",
        "顺丰速运博罗营业部",
        "顺丰",
        "快递员",
        "放行",
        12,
    ]
    # Not a pass: the answer, and nobody named.
    assert cells(sheet, 5)[3:] == ["北门", None, None, None, None, "不是通行码", None]
    assert sheet.max_row == 5  # the day asked for only
    assert "王小明" not in str([cells(sheet, n) for n in range(1, sheet.max_row + 1)])
    assert not AccessLog.objects.exists()


def test_a_date_range_and_only_the_estates_own_days(trio, estate, entries):
    assert export(trio.staff_a, estate, since=YESTERDAY - dt.timedelta(days=7)).max_row == 6
    estate.entry_log_days = 2  # an older entry no longer names the worker
    estate.save()
    assert export(trio.staff_a, estate, since=YESTERDAY - dt.timedelta(days=7)).max_row == 5
    with pytest.raises(ApplicationError) as refused:
        export(trio.staff_a, estate, since=YESTERDAY, until=YESTERDAY - dt.timedelta(days=1))
    assert "until" in refused.value.fields


def test_the_property_manager_exports_their_estate_masked_and_nobody_else_theirs(
    trio, estate, entries
):
    manager = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [estate], "manager_zh"
    )
    assert export(manager, estate).max_row == 5
    with pytest.raises(ApplicationError):  # a property company never sees the full name
        export(manager, estate, unmasked=True, reason="核对")
    other_estate = EstateFactory(area=trio.tree.a["community"], name="碧桂园")
    other_manager = partner(
        StaffGrant.Role.PROPERTY_MANAGER, trio.tree.a["community"], [other_estate], "manager_bg"
    )
    guard = EntryLog.objects.first().checked_by
    for outsider in (trio.staff_b, other_manager, guard):
        with pytest.raises(Http404):
            export(outsider, estate)
    assert not AccessLog.objects.exists()
    # A's read-only viewer exports masked; the city department too.
    assert export(trio.viewer_a, estate).max_row == 5
    assert export(trio.city, estate).max_row == 5


def test_the_unmasked_export_names_the_worker_for_staff_who_may_unmask_and_is_logged(
    trio, estate, entries
):
    with pytest.raises(ApplicationError, match="unmasked"):
        export(trio.staff_a, estate, unmasked=True, reason="核对")
    assert not AccessLog.objects.exists()
    StaffGrant.objects.filter(user=trio.staff_a).update(may_unmask=True)
    staff = get_user_model().objects.get(pk=trio.staff_a.pk)  # their reach, read again
    with pytest.raises(ApplicationError, match="why"):  # a reason is required
        export(staff, estate, unmasked=True, reason=" ")
    sheet = export(staff, estate, unmasked=True, reason="核对物业投诉")
    assert cells(sheet, 4)[4] == "王小明"
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.fields, log.reason, log.area) == (
        "export",
        2,
        ["estate_pass__name"],
        "核对物业投诉",
        estate.area,
    )


def test_the_ledger_is_registered_and_its_export_takes_the_same_queries_for_more_rows(
    trio, estate, gate, guard, entries
):
    assert ledger_for("estate_entries") is ledgers.ENTRY_LEDGER
    export(trio.staff_a, estate)  # the grants, once
    with CaptureQueriesContext(connection) as few:
        export(trio.staff_a, estate)
    for index in range(4):
        more = authorised(estate, phone=f"1390013900{index}", now=at(YESTERDAY, 7))
        enter(guard, gate, more, at(YESTERDAY, 12, index))
    with CaptureQueriesContext(connection) as many:
        sheet = export(trio.staff_a, estate)
    assert sheet.max_row == 3 + 6 and len(many) == len(few)


def test_the_entry_ledger_is_export_only_never_offered_for_import(client, trio):
    client.force_login(trio.staff_a)
    upload = "/admin/ledgers/importjob/upload/"
    assert "小区快速通行登记台账" not in client.get(upload).content.decode()
    answer = client.post(
        upload,
        {
            "kind": "estate_entries",
            "area": trio.tree.a["district"].pk,
            "file": SimpleUploadedFile("台账.xlsx", b"not really"),
        },
    )
    assert answer.status_code == 200 and not ImportJob.objects.exists()
