"""The micro-wishes ledger (issue 15 §5): exported in the government layout (心愿人 masked
unless unmasking is granted and logged, who claimed it and when, when it came true), and
imported from the lists of wishes collected on paper — every row through the service that
records a wish, every refusal that row's error, the dry run writing nothing, a file
imported twice adding nothing, a large file on a real Celery worker."""

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from areas.models import AccessLog, StaffGrant
from core.exceptions import ApplicationError
from core.models import SensitiveWord
from ledgers import services as ledgers
from ledgers.models import ImportJob
from members.models import Worker
from members.tests.factories import OutletFactory, WorkerFactory, valid_id_number
from members.tests.test_ledgers import upload, xlsx
from wishes import services
from wishes.ledgers import WishRow
from wishes.models import Claim, Wish, WishCategory, WishRules, WishStatusChange

from .factories import (
    DonorFactory,
    WishFactory,
    category,
    collective_wish,
    make_claim,
    organisation,
    published,
)

pytestmark = pytest.mark.django_db

EXPORT_HEADERS = [
    "序号",
    "心愿人",
    "职业",
    "社区",
    "心愿内容",
    "类别",
    "收集方式",
    "状态",
    "认领单位",
    "认领时间",
    "实现时间",
    "价值",
]
HEADERS = [
    "序号",
    "姓名",
    "手机号码",
    "身份证号",
    "心愿内容",
    "类别",
    "收集方式",
    "价值",
    "本人同意公开",
]
GEAR = "工作装备（头盔、雨衣、手机支架）"


def wish_row(n, **overrides):
    row = {
        "序号": n,
        "姓名": "",
        "手机号码": f"1370000{n:04d}",
        "身份证号": "",
        "心愿内容": f"一件新雨衣{n}",
        "类别": GEAR,
        "收集方式": "街头采访",
        "价值": 80,
        "本人同意公开": "是",
    }
    row.update(overrides)
    return [row[h] for h in HEADERS]


def import_wishes(actor, area, rows, **kwargs):
    return upload(actor, area, xlsx(HEADERS, rows), kind="wishes", **kwargs)


def by_row(job) -> dict[int, str]:
    return {e["row"]: " ".join(e["messages"]) for e in job.errors}


def snapshot():
    return (
        list(Wish.objects.values_list("pk", "status", "text").order_by("pk")),
        WishStatusChange.objects.count(),
    )


@pytest.fixture
def workers(trio):
    """Five workers of district A's first community, phones 13700000001…5."""
    return [
        WorkerFactory(
            area=trio.tree.a["community"],
            name=f"王{n}明",
            phone=f"1370000{n:04d}",
            status=Worker.Status.APPROVED,
        )
        for n in range(1, 6)
    ]


def sheet_of(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats"), response
    return load_workbook(io.BytesIO(response.content)).active


def cells(sheet, row: int) -> list:
    return [c.value for c in sheet[row]]


# Export ------------------------------------------------------------------------------------


@pytest.fixture
def ledger_wishes(trio):
    """A worker's wish that came true (claimed by the verified district union) and an
    outlet's collective wish with two live claims and one cancelled, in district A; a
    wish in district B."""
    worker = WorkerFactory(
        area=trio.tree.a["community"], name="王小明", phone="13812345601", occupation="courier"
    )
    own = published(WishFactory(worker=worker))
    union = organisation(area=trio.tree.a["district"], verified_by=trio.staff_a)
    claim = make_claim(donor=union, wish=own)
    came_true = timezone.make_aware(dt.datetime(2025, 6, 1, 10, 0))
    Claim.objects.filter(pk=claim.pk).update(status="fulfilled", fulfilled_at=came_true)
    Wish.objects.filter(pk=own.pk).update(status="fulfilled", fulfilled_at=came_true)

    outlet = OutletFactory(area=trio.tree.a["community"], name="北街网点")
    shared = collective_wish(outlet=outlet)
    oven, water = shared.items.order_by("pk")
    street = trio.tree.a["street"]
    gone = make_claim(
        donor=DonorFactory(area=street, name="赵退出"), wish=shared, quantities={water.pk: 1}
    )
    services.claim_cancel(claim=gone, actor=trio.staff_a, reason="联系不上")
    make_claim(donor=DonorFactory(area=street, name="李爱心"), wish=shared, quantities={oven.pk: 1})
    make_claim(donor=union, wish=shared, quantities={oven.pk: 1, water.pk: 1})

    theirs = WishFactory(
        worker=WorkerFactory(area=trio.tree.b["community"], name="乙区人", phone="13912345602"),
        text="乙区的心愿",
    )
    return own, shared, theirs


def _export(client, user, wishes, action="export_ledger", **extra):
    """The changelist action on `wishes` (a refusal is followed to the page saying why)."""
    client.force_login(user)
    body = {"action": action, "_selected_action": [w.pk for w in wishes], **extra}
    response = client.post("/admin/wishes/wish/", body)
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_the_export_has_the_government_layout_masked(client, trio, ledger_wishes):
    own, shared, _theirs = ledger_wishes
    sheet = sheet_of(_export(client, trio.staff_a, [own, shared]))
    assert sheet["A1"].value == "新就业群体微心愿台账"
    assert "西峰区甲社区" in sheet["A2"].value  # 填报单位: the rows' common area
    assert cells(sheet, 3) == EXPORT_HEADERS
    today = timezone.localdate().isoformat()
    assert cells(sheet, 4) == [
        1,
        "王**",
        "快递员",
        "西峰区甲社区",
        "一件新雨衣",
        GEAR,
        "线上提交",
        "已实现",
        "区总工会",
        today,
        "2025-06-01",
        80,
    ]
    row = cells(sheet, 5)
    assert row[1] == shared.public_who and row[1].endswith("北街网点")  # as the wall says
    assert row[2] is None  # an outlet has no occupation (an empty cell)
    assert row[4:8] == ["网点休息室添置微波炉和饮水机", "驿站改善", "街头采访", "已认领"]
    # The live claims' donors as the public sees them; the cancelled one is not there.
    assert row[8] == "爱心人士 李**、区总工会" and "赵" not in row[8]
    assert row[9] == today and row[10] is None and row[11] == 1500
    assert "王小明" not in str([cells(sheet, n) for n in range(1, sheet.max_row + 1)])


def test_the_unmasked_export_names_the_worker_for_staff_who_may_unmask_and_is_logged(
    client, trio, ledger_wishes
):
    own, shared, _theirs = ledger_wishes
    refused = _export(client, trio.staff_a, [own], "export_ledger_unmasked")
    assert "无权查看其未脱敏" in refused.content.decode() and not AccessLog.objects.exists()
    StaffGrant.objects.filter(user=trio.staff_a).update(may_unmask=True)
    done = _export(client, trio.staff_a, [own, shared], "export_ledger_unmasked", reason="核对")
    sheet = sheet_of(done)
    assert cells(sheet, 4)[1] == "王小明" and cells(sheet, 5)[1].endswith("北街网点")
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.fields, log.reason) == (
        "export",
        2,
        ["worker__name"],
        "核对",
    )


def test_each_district_exports_only_its_own_wishes(client, trio, ledger_wishes):
    own, shared, theirs = ledger_wishes
    # B's staff selecting A's wishes (by id) get no file; with their own, only their own.
    refused = _export(client, trio.staff_b, [own, shared])
    assert refused["Content-Type"].startswith("text/html")
    page = client.get("/admin/wishes/wish/").content.decode()
    assert "一件新雨衣" not in page
    sheet = sheet_of(_export(client, trio.staff_b, [own, shared, theirs]))
    assert sheet.max_row == 4 and cells(sheet, 4)[1:5] == [
        "乙**",
        "快递员",
        "庆城县甲社区",
        "乙区的心愿",
    ]
    # A's read-only viewer exports masked; the city department both districts.
    assert sheet_of(_export(client, trio.viewer_a, [own])).max_row == 4
    assert sheet_of(_export(client, trio.city, [own, shared, theirs])).max_row == 6


def test_an_export_takes_the_same_queries_for_one_wish_as_for_many(client, trio, ledger_wishes):
    own, shared, _theirs = ledger_wishes
    more = [published(WishFactory(worker=WorkerFactory(area=own.area))) for _ in range(3)]
    for wish in more:
        make_claim(donor=DonorFactory(area=trio.tree.a["street"]), wish=wish)
    _export(client, trio.staff_a, [own])  # the session and grants, once
    with CaptureQueriesContext(connection) as one:
        _export(client, trio.staff_a, [own])
    with CaptureQueriesContext(connection) as many:
        sheet = sheet_of(_export(client, trio.staff_a, [own, shared, *more]))
    assert sheet.max_row == 3 + 5 and len(many) == len(one)


def test_the_template_has_the_import_columns(client, trio):
    client.force_login(trio.staff_a)
    sheet = sheet_of(client.get("/admin/ledgers/importjob/template/wishes/"))
    assert cells(sheet, 3) == [
        "序号",
        "姓名",
        "手机号码",
        "身份证号",
        "心愿内容*",
        "类别*",
        "收集方式*",
        "价值*",
        "本人同意公开*",
    ]


# Import ------------------------------------------------------------------------------------


def test_a_good_file_is_checked_then_recorded_through_the_service(trio, workers):
    by_id = WorkerFactory(area=trio.tree.a["community2"], name="李四", id_number=valid_id_number(7))
    rows = [
        wish_row(1, 姓名="王1明"),
        wish_row(2, 类别="工作装备", 收集方式="小哥议事会", 价值="¥120.5"),  # the short name
        [3, "", "", valid_id_number(7), "想学电动车维修", "其他", "走访", 0, "同意"],
    ]
    before = snapshot()
    job = import_wishes(trio.staff_a, trio.tree.a["district"], rows)
    assert (job.status, job.valid_rows, job.error_rows) == (ImportJob.Status.CHECKED, 3, 0)
    assert job.preview[0]["cells"] == [
        "王**",
        "137****0001",
        GEAR,
        "一件新雨衣1",
        "80.00",
        "街头采访",
    ]
    assert snapshot() == before  # the dry run wrote nothing

    job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    assert (job.status, job.written_rows) == (ImportJob.Status.DONE, 3)
    first, second, third = Wish.objects.order_by("pk")
    assert (first.worker, first.kind, first.status) == (workers[0], "individual", "submitted")
    assert (first.source, first.recorded_by, first.area) == (
        "interview",
        trio.staff_a,
        trio.tree.a["community"],
    )
    assert first.publish_consent_at is not None and first.story_consent_at is None
    assert first.status_changes.get().actor == trio.staff_a
    assert (second.category, second.value, second.source) == (
        category(),
        Decimal("120.50"),
        "council",
    )
    assert (third.worker, third.category.code, third.source) == (by_id, "other", "visit")


def test_every_kind_of_bad_row_is_named_and_nothing_is_written(trio, workers):
    SensitiveWord.objects.get_or_create(word="刷单")
    WorkerFactory(
        area=trio.tree.a["community"],
        phone="13700000099",
        status=Worker.Status.MERGED,
        merged_into=workers[4],
    )
    WorkerFactory(area=trio.tree.b["community"], phone="13900000001")  # district B's
    WishFactory(worker=workers[3], text="早就在路上的心愿")  # an open wish already
    WishCategory.objects.create(area=trio.tree.b["district"], code="b_only", name="乙区专属")
    WorkerFactory(area=trio.tree.a["community"], id_number=valid_id_number(9))  # row 16
    rows = [
        wish_row(1, 手机号码=""),  # row 4: neither phone nor ID
        wish_row(2, 手机号码="13700009999"),  # nobody's
        wish_row(3, 手机号码="13900000001"),  # district B's worker: the same words
        wish_row(4, 手机号码="1234"),
        wish_row(5, 手机号码="13700000001", 姓名="张三"),
        wish_row(6, 手机号码="13700000001", 本人同意公开="否"),
        wish_row(7, 手机号码="13700000001", 本人同意公开=""),
        wish_row(8, 手机号码="13700000001", 本人同意公开="也许"),
        wish_row(9, 手机号码="13700000001", 类别="乙区专属"),
        wish_row(10, 手机号码="13700000001", 价值=800),  # over the district's cap
        wish_row(11, 手机号码="13700000001", 价值="八十"),
        wish_row(12, 手机号码="13700000001", 心愿内容="联系我13812345678"),
        wish_row(13, 手机号码="13700000001", 心愿内容="想要刷单工具"),
        wish_row(14, 手机号码="13700000001", 心愿内容="给点现金"),
        wish_row(15, 手机号码="13700000001", 收集方式="电话"),
        wish_row(16, 手机号码="13700000001", 身份证号=valid_id_number(9)),
        wish_row(17, 手机号码="13700000004"),  # has a wish on its way
        wish_row(18, 手机号码="13700000099"),  # a merged record
        wish_row(19, 手机号码="13700000002", 心愿内容="一件新雨衣"),
        wish_row(20, 手机号码="13700000002", 心愿内容="一件新雨衣"),  # the same as row 22
        wish_row(21, 手机号码="13700000003", 心愿内容="长" * 201),
        wish_row(22, 手机号码="13700000003", 心愿内容="", 类别="", 收集方式=""),
    ]
    before = snapshot()
    job = import_wishes(trio.staff_a, trio.tree.a["district"], rows)
    errors = by_row(job)
    assert (job.valid_rows, job.error_rows) == (1, 21)  # only row 19 (file row 22)
    assert set(errors) == set(range(4, 26)) - {22}
    assert "mobile phone or ID number" in errors[4]
    assert "No worker" in errors[5] and "西峰区" in errors[5]
    assert errors[6] == errors[5]  # another district's worker: not told they exist
    assert "11-digit" in errors[7]
    assert "belongs to 王**, not 张*" in errors[8]
    assert "not agreed" in errors[9] and "not agreed" in errors[10]
    assert "也许" in errors[11] and "not agreed" not in errors[11]
    assert "乙区专属" in errors[12] and GEAR in errors[12]
    assert "价值" in errors[13] and "worth at most" in errors[13]
    assert "八十" in errors[14]
    assert "心愿内容" in errors[15] and "phone" in errors[15]
    assert "刷单" in errors[16]
    assert "money" in errors[17]
    assert "电话" in errors[18] and "街头采访" in errors[18]
    assert "two different workers" in errors[19]
    assert "as many wishes on their way" in errors[20] and "(1)" in errors[20]
    assert "current record" in errors[21]
    assert "row 22" in errors[23]
    assert "心愿内容" in errors[24] and "200" in errors[24]
    assert all(f"{h} is missing" in errors[25] for h in ("心愿内容", "类别", "收集方式"))
    assert snapshot() == before  # nothing was written by the check

    with pytest.raises(ApplicationError, match="21 rows have errors"):
        ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    assert snapshot() == before
    ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=True)
    assert Wish.objects.get(text="一件新雨衣").worker == workers[1]
    assert Wish.objects.count() == len(before[0]) + 1


def test_a_file_imported_twice_adds_nothing_even_where_workers_may_have_several_wishes(
    trio, workers
):
    WishRules.objects.create(
        area=trio.tree.a["district"], value_cap=Decimal("500"), open_wishes_per_worker=3
    )
    rows = [wish_row(n) for n in range(1, 4)]
    job = import_wishes(trio.staff_a, trio.tree.a["district"], rows)
    ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    assert Wish.objects.count() == 3
    after_first = snapshot()

    again = import_wishes(trio.staff_a, trio.tree.a["district"], rows, filename="又一次.xlsx")
    assert (again.valid_rows, again.error_rows) == (0, 3)
    assert all("already has this wish" in message for message in by_row(again).values())
    with pytest.raises(ApplicationError):
        ledgers.import_commit(actor=trio.staff_a, job=again, skip_invalid=True)
    # Whatever became of the first (returned, withdrawn…), the same words are not recorded
    # again; a different wish of the same worker is.
    Wish.objects.filter(worker=workers[0]).update(status="returned")
    after_first = snapshot()
    third = import_wishes(
        trio.staff_a,
        trio.tree.a["district"],
        [wish_row(1), wish_row(1, 心愿内容="一双防滑鞋"), wish_row(1, 心愿内容="一双防滑鞋")],
    )
    errors = by_row(third)
    assert "already has this wish" in errors[4] and "row 5" in errors[6]
    assert snapshot() == after_first


def test_a_row_the_service_refuses_at_the_commit_imports_nothing(trio, workers):
    """The engine checks every row again before writing; the writing asks the service once
    more under the worker's lock, and a refusal then names the row."""
    job = import_wishes(trio.staff_a, trio.tree.a["district"], [wish_row(1), wish_row(2)])
    checker = ledgers.ledger_for("wishes").checker(
        actor=trio.staff_a, area=trio.tree.a["district"], filename="x.xlsx"
    )
    WishFactory(worker=workers[1], text="一件新雨衣2")  # recorded meanwhile
    rows = [
        WishRow(4, workers[0], category(), "一件新雨衣1", Decimal("80"), "interview"),
        WishRow(5, workers[1], category(), "一件新雨衣2", Decimal("80"), "interview"),
    ]
    before = snapshot()
    with pytest.raises(ApplicationError, match="Row 5 cannot be imported"):
        with transaction.atomic():  # as the engine writes: the first row goes with it
            checker.write(rows)
    assert snapshot() == before
    job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    assert job.status == ImportJob.Status.CHECKED and "Nothing was imported" in job.message
    assert snapshot() == before


def test_only_staff_who_write_in_the_area_import_wishes(trio, workers):
    content = xlsx(HEADERS, [wish_row(1)])
    with pytest.raises(PermissionDenied):
        upload(trio.viewer_a, trio.tree.a["district"], content, kind="wishes")
    with pytest.raises(Http404):
        upload(trio.staff_b, trio.tree.a["district"], content, kind="wishes")
    # B's staff importing into their own district do not find A's workers.
    job = upload(trio.staff_b, trio.tree.b["district"], content, kind="wishes")
    assert "No worker" in by_row(job)[4]
    job = import_wishes(trio.staff_a, trio.tree.a["district"], [wish_row(1)])
    with pytest.raises(PermissionDenied):
        ledgers.import_commit(actor=trio.viewer_a, job=job, skip_invalid=False)
    with pytest.raises(Http404):
        ledgers.import_commit(actor=trio.staff_b, job=job, skip_invalid=False)
    assert not Wish.objects.exists()


def test_the_admin_import_pages_take_a_wish_list(client, trio, workers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(trio.staff_a)
    page = client.post(
        "/admin/ledgers/importjob/upload/",
        {
            "kind": "wishes",
            "area": trio.tree.a["district"].pk,
            "file": SimpleUploadedFile(
                "心愿.xlsx", xlsx(HEADERS, [wish_row(1), wish_row(2, 价值="x")])
            ),
        },
    )
    assert page.status_code == 302
    review = client.get(page["Location"]).content.decode()
    assert "137****0001" in review and "13700000001" not in review
    client.post(page["Location"], {"decision": "valid"})
    assert Wish.objects.get().worker == workers[0]


# A large file on a real Celery worker ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(LEDGER_IMPORT_INLINE_ROWS=5)
def test_a_large_file_is_checked_and_imported_by_a_worker(trio, celery_worker_process):
    for n in range(1, 31):
        WorkerFactory(area=trio.tree.a["community"], phone=f"1370000{n:04d}")
    rows = [wish_row(n) for n in range(1, 31)]
    job = import_wishes(trio.staff_a, trio.tree.a["district"], rows)
    assert job.status == ImportJob.Status.CHECKING  # handed to the worker

    def wait_for(status):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == status:
                return job
            time.sleep(0.3)
        raise AssertionError(f"still {job.status}: {job.message}")

    wait_for(ImportJob.Status.CHECKED)
    assert (job.valid_rows, job.error_rows) == (30, 0)
    assert not Wish.objects.exists()
    ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    wait_for(ImportJob.Status.DONE)
    assert Wish.objects.count() == 30 and job.written_rows == 30
    assert WishStatusChange.objects.count() == 30
