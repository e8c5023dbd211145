"""Excel ledgers: importing workers, party members and outlets (refusals of whole files,
per-row errors, the dry run, committing all or only the valid rows, a large file on a real
Celery worker) and exporting them in the government layout, masked or logged."""

import io
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from areas.models import AccessLog, StaffGrant
from core.crypto import blind_index
from core.exceptions import ApplicationError
from ledgers import services as ledgers
from ledgers.models import ImportJob
from members import rules
from members.models import Outlet, Worker

from .factories import EnterpriseFactory, WorkerFactory, valid_id_number

WORKER_HEADERS = ["序号", "姓名", "手机号码", "身份证号", "职业", "用工企业", "报到社区"]


def xlsx(headers, rows, *, title=True) -> bytes:
    """A ledger as offices send them: a title row and a 填报单位 line above the headers."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["新就业群体摸排台账"])
        sheet.append(["填报单位：西峰区", None, None, "日期：2026-11-01"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(actor, area, content, *, kind="workers", filename="台账.xlsx"):
    return ledgers.import_upload(
        actor=actor, kind=kind, area=area, filename=filename, content=content
    )


@pytest.fixture
def shunfeng(trio):
    return EnterpriseFactory(name="顺丰速运", area=trio.tree.a["district"])


def worker_row(n, community="西峰区甲社区", **overrides):
    row = {
        "序号": n,
        "姓名": f"工人{n}",
        "手机号码": f"1370000{n:04d}",
        "身份证号": "",
        "职业": "快递员",
        "用工企业": "顺丰速运",
        "报到社区": community,
    }
    row.update(overrides)
    return [row[h] for h in WORKER_HEADERS]


# Whole-file refusals are the engine's (ledgers/tests/test_services.py); the area trio for
# the workers' ledger:


@pytest.mark.django_db
def test_only_staff_who_write_in_the_area_import_workers(trio, shunfeng):
    content = xlsx(WORKER_HEADERS, [worker_row(1)])
    with pytest.raises(PermissionDenied):
        upload(trio.viewer_a, trio.tree.a["district"], content)
    with pytest.raises(Http404):
        upload(trio.staff_b, trio.tree.a["district"], content)
    assert not ImportJob.objects.exists()


def test_missing_worker_columns_are_named(trio):
    content = xlsx(["姓名", "手机号码", "微信号"], [["张三", "13812345678"]])
    with pytest.raises(ApplicationError) as refused:
        upload(trio.staff_a, trio.tree.a["district"], content)
    assert "职业" in refused.value.message and "报到社区" in refused.value.message


@pytest.mark.django_db
def test_a_phone_or_id_registered_anywhere_gets_the_same_row_error(trio, shunfeng):
    """One in the importer's district and one in another district: the same words, naming
    neither (members.rules), so a ledger cannot be used to find who is registered where."""
    here = WorkerFactory(
        phone="13700000001", area=trio.tree.a["community"], id_number=valid_id_number(1)
    )
    there = WorkerFactory(
        phone="13700000002", area=trio.tree.b["community"], id_number=valid_id_number(2)
    )
    rows = [
        worker_row(1, 身份证号=valid_id_number(1)),
        worker_row(2, 身份证号=valid_id_number(2)),
    ]
    job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, rows))
    messages = [" ".join(e["messages"]) for e in sorted(job.errors, key=lambda e: e["row"])]
    assert len(messages) == 2 and messages[0] == messages[1]
    for worker in (here, there):
        assert worker.name not in messages[0] and worker.area.name not in messages[0]
    assert "another" not in messages[0]


# Workers: the dry run and the decision -------------------------------------------------------


@pytest.mark.django_db
class TestWorkerImport:
    def test_bad_rows_are_reported_and_nothing_is_written(self, trio, shunfeng):
        WorkerFactory(phone="13700000006", area=trio.tree.a["community"], name="已报到")
        good_id = valid_id_number(123)
        bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")
        rows = [
            worker_row(1, 身份证号=good_id),
            worker_row(2, 手机号码="1234"),
            worker_row(3, 身份证号=bad_id),
            worker_row(4, community="不存在社区"),
            worker_row(5, 手机号码="13700000001"),  # the same as row 1 of the table
            worker_row(6),  # registered already
            worker_row(7, 用工企业="不存在物流"),
            worker_row(8, 职业="宇航员"),
        ]
        job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, rows))
        assert job.status == ImportJob.Status.CHECKED
        assert (job.total_rows, job.valid_rows, job.error_rows) == (8, 1, 7)
        by_row = {e["row"]: " ".join(e["messages"]) for e in job.errors}
        assert by_row.keys() == {5, 6, 7, 8, 9, 10, 11}  # file rows: headers on row 3
        assert "11-digit" in by_row[5]
        assert "check" in by_row[6].lower()
        assert "不存在社区" in by_row[7]
        assert "row 4" in by_row[8]
        # The same words as every path (members.rules): no name, no community, whether or
        # not the importing staff reach that record.
        assert rules.registered_phone_problem(True, by_staff=True) in by_row[9]
        assert "已" not in by_row[9]
        assert "Unknown enterprise" in by_row[10]
        assert "宇航员" in by_row[11]
        assert Worker.objects.count() == 1  # only the one registered before

        with pytest.raises(ApplicationError, match="7 rows have errors"):
            ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
        assert Worker.objects.count() == 1

        job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=True)
        assert job.status == ImportJob.Status.DONE and job.written_rows == 1
        imported = Worker.objects.get(phone="13700000001")
        assert imported.source == Worker.Source.IMPORT
        assert imported.status == Worker.Status.APPROVED
        assert imported.enterprise == shunfeng and imported.area == trio.tree.a["community"]
        assert imported.id_number == good_id
        assert imported.id_number_index == blind_index(good_id, "id_number")
        assert "台账.xlsx" in imported.status_changes.get().reason

    def test_a_valid_file_imports_all_rows(self, trio, shunfeng):
        rows = [
            worker_row(n, community=("621002001002" if n % 2 else "西峰区甲社区"))
            for n in range(1, 21)
        ]
        job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, rows))
        assert (job.valid_rows, job.error_rows) == (20, 0)
        assert len(job.preview) == ledgers.PREVIEW_ROWS
        assert job.preview[0]["cells"][:2] == ["工**", "137****0001"]  # masked
        assert not Worker.objects.exists()  # the dry run wrote nothing
        job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
        assert job.written_rows == 20 and Worker.objects.count() == 20
        assert Worker.objects.filter(area=trio.tree.a["community2"]).count() == 10
        with pytest.raises(ApplicationError):
            ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)

    def test_a_row_that_became_invalid_since_the_check_stops_the_whole_import(self, trio, shunfeng):
        job = upload(
            trio.staff_a,
            trio.tree.a["district"],
            xlsx(WORKER_HEADERS, [worker_row(1), worker_row(2)]),
        )
        WorkerFactory(phone="13700000002", area=trio.tree.a["community"])
        job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
        assert job.status == ImportJob.Status.CHECKED and "Nothing was imported" in job.message
        assert job.error_rows == 1
        assert not Worker.objects.filter(phone="13700000001").exists()

    def test_viewer_cannot_commit_and_other_district_cannot_see(self, trio, shunfeng):
        job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, [worker_row(1)]))
        with pytest.raises(PermissionDenied):
            ledgers.import_commit(actor=trio.viewer_a, job=job, skip_invalid=False)
        with pytest.raises(Http404):
            ledgers.import_commit(actor=trio.staff_b, job=job, skip_invalid=False)
        with pytest.raises(Http404):
            ledgers.import_cancel(actor=trio.staff_b, job=job)
        ledgers.import_cancel(actor=trio.staff_a, job=job)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.CANCELLED and job.content is None
        assert not Worker.objects.exists()

    def test_errors_come_in_the_uploaders_language(self, trio, shunfeng):
        from django.utils import translation

        with translation.override("zh-hans"):
            job = upload(
                trio.staff_a,
                trio.tree.a["district"],
                xlsx(WORKER_HEADERS, [worker_row(1, 手机号码="1234")]),
            )
        assert "手机号码" in job.errors[0]["messages"][0]

    def test_the_error_rows_file_reimports_once_corrected(self, trio, shunfeng):
        job = upload(
            trio.staff_a,
            trio.tree.a["district"],
            xlsx(WORKER_HEADERS, [worker_row(1), worker_row(2, 报到社区="不存在社区")]),
        )
        sheet = load_workbook(io.BytesIO(ledgers.error_rows_xlsx(job))).active
        assert sheet.max_row == 4  # title, unit, headers, the one bad row
        headers = [c.value for c in sheet[3]]
        assert headers[0] == "序号" and headers[-1] == ledgers.ERROR_COLUMN
        sheet.cell(row=4, column=headers.index("报到社区") + 1, value="西峰区乙社区")
        out = io.BytesIO()
        sheet.parent.save(out)
        again = upload(trio.staff_a, trio.tree.a["district"], out.getvalue(), filename="改正.xlsx")
        assert (again.valid_rows, again.error_rows) == (1, 0)

    def test_purge_drops_old_files_only(self, trio, shunfeng):
        job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, [worker_row(1)]))
        ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
        assert ledgers.purge_finished_files(older_than_days=1) == 0
        ImportJob.objects.update(finished_at=timezone.now() - timezone.timedelta(days=2))
        assert ledgers.purge_finished_files(older_than_days=1) == 1
        assert ImportJob.objects.get().content is None


# Party members and outlets ---------------------------------------------------------------------


OUTLET_HEADERS = ["企业名称", "网点名称", "类型", "所在社区", "从业人数", "其中党员数", "联系电话"]


@pytest.mark.django_db
def test_outlet_import(trio, shunfeng):
    rows = [
        ["顺丰速运", "北街网点", "快递网点", "西峰区甲社区", 12, 2, "13812345678"],
        ["顺丰速运", "北街网点", "快递网点", "西峰区甲社区", 3, 0, ""],
        ["不存在快递", "南街网点", "快递网点", "西峰区甲社区", 3, 0, ""],
        ["顺丰速运", "东街网点", "网点", "西峰区乙社区", 2, 5, "123"],
    ]
    job = upload(trio.staff_a, trio.tree.a["district"], xlsx(OUTLET_HEADERS, rows), kind="outlets")
    by_row = {e["row"]: " ".join(e["messages"]) for e in job.errors}
    assert "row 4" in by_row[5]  # the file's row numbers: headers are on row 3
    assert "Unknown enterprise" in by_row[6]
    assert "cannot be more" in by_row[7] and "11-digit" in by_row[7]
    ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=True)
    outlet = Outlet.objects.get()
    assert (outlet.name, outlet.worker_count, outlet.party_member_count) == ("北街网点", 12, 2)
    # Importing the same file again: the outlet exists now.
    again = upload(
        trio.staff_a, trio.tree.a["district"], xlsx(OUTLET_HEADERS, rows[:1]), kind="outlets"
    )
    assert "already has an outlet" in again.errors[0]["messages"][0]


# A large file on a real Celery worker ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(LEDGER_IMPORT_INLINE_ROWS=5)
def test_a_large_file_is_checked_and_imported_by_a_worker(trio, shunfeng, celery_worker_process):
    rows = [worker_row(n) for n in range(1, 41)]
    job = upload(trio.staff_a, trio.tree.a["district"], xlsx(WORKER_HEADERS, rows))
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
    assert (job.valid_rows, job.error_rows) == (40, 0)
    assert not Worker.objects.exists()
    ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    wait_for(ImportJob.Status.DONE)
    assert Worker.objects.count() == 40 and job.written_rows == 40


# Admin pages: upload, review, decide; exports ----------------------------------------------------


@pytest.mark.django_db
def test_admin_upload_review_and_import(client, trio, shunfeng):
    client.force_login(trio.staff_a)
    assert client.get("/admin/ledgers/importjob/upload/").status_code == 200
    content = xlsx(WORKER_HEADERS, [worker_row(1), worker_row(2, 手机号码="12")])
    page = client.post(
        "/admin/ledgers/importjob/upload/",
        {
            "kind": "workers",
            "area": trio.tree.a["district"].pk,
            "file": _file(content, "摸排.xlsx"),
        },
    )
    job = ImportJob.objects.get()
    assert page.status_code == 302 and page["Location"].endswith(f"/{job.pk}/review/")
    review = client.get(page["Location"]).content.decode()
    assert "137****0001" in review and "13700000001" not in review  # preview is masked
    assert 'value="valid"' in review and 'value="all"' not in review
    client.post(page["Location"], {"decision": "valid"})
    assert Worker.objects.count() == 1
    client.force_login(trio.staff_b)
    assert client.get(page["Location"]).status_code == 404
    client.force_login(trio.viewer_a)
    viewer_page = client.get(page["Location"]).content.decode()
    assert 'name="decision"' not in viewer_page


@pytest.mark.django_db
def test_admin_upload_refusal_shows_by_the_file(client, trio):
    client.force_login(trio.staff_a)
    page = client.post(
        "/admin/ledgers/importjob/upload/",
        {"kind": "workers", "area": trio.tree.a["district"].pk, "file": _file(b"x", "a.xls")},
    )
    assert page.status_code == 200 and ".xlsx" in page.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_template_download(client, trio):
    client.force_login(trio.staff_a)
    response = client.get("/admin/ledgers/importjob/template/outlets/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[3]][:3] == ["序号", "企业名称*", "网点名称*"]


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_masked_and_unmasked_exports(client, trio, shunfeng):
    worker = WorkerFactory(
        area=trio.tree.a["community"], name="张三丰", phone="13812345678", enterprise=shunfeng
    )
    WorkerFactory(area=trio.tree.b["community"], name="李四", phone="13912345678")
    client.force_login(trio.staff_a)
    action = {"action": "export_ledger", "_selected_action": [worker.pk]}
    sheet = load_workbook(io.BytesIO(client.post("/admin/members/worker/", action).content)).active
    assert sheet["A1"].value == "新就业群体摸排台账"
    assert "西峰区甲社区" in sheet["A2"].value  # 填报单位
    assert [c.value for c in sheet[4]][:3] == [1, "张**", "138****5678"]

    unmasked = {**action, "action": "export_ledger_unmasked"}
    refused = client.post("/admin/members/worker/", unmasked, follow=True)
    assert "无权查看其未脱敏" in refused.content.decode()  # "do not have access"
    StaffGrant.objects.filter(user=trio.staff_a).update(may_unmask=True)
    trio.staff_a.__dict__.pop("_area_reach", None)
    asked = client.post("/admin/members/worker/", unmasked)
    assert 'name="reason"' in asked.content.decode() and not AccessLog.objects.exists()
    done = client.post("/admin/members/worker/", {**unmasked, "reason": "区里核对台账"})
    sheet = load_workbook(io.BytesIO(done.content)).active
    assert [c.value for c in sheet[4]][:3] == [1, "张三丰", "13812345678"]
    log = AccessLog.objects.get()
    assert (log.action, log.row_count, log.reason) == ("export", 1, "区里核对台账")
    # The unmasked export is a ledger this platform imports again (header row found,
    # export-only columns ignored).
    parsed = ledgers.parse(ledgers.ledger_for("workers"), done.content)
    assert parsed.rows[0][1]["phone"] == "13812345678" and "status" not in parsed.rows[0][1]


@pytest.mark.django_db
def test_an_export_of_rows_out_of_reach_is_refused_and_logs_nothing(client, trio):
    theirs = WorkerFactory(area=trio.tree.b["community"], name="李四", phone="13912345678")
    StaffGrant.objects.filter(user=trio.staff_a).update(may_unmask=True)
    client.force_login(trio.staff_a)
    for action in ("export_ledger", "export_ledger_unmasked"):
        body = {"action": action, "_selected_action": [theirs.pk], "reason": "核对"}
        response = client.post("/admin/members/worker/", body, follow=True)
        assert response["Content-Type"].startswith("text/html")  # no file
        assert "李四" not in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_a_name_typed_as_a_formula_is_exported_as_text(client, trio, shunfeng):
    trap = '=HYPERLINK("http://evil.example","点我")'
    outlet = Outlet.objects.create(
        enterprise=shunfeng, name=trap, kind="express_outlet", area=trio.tree.a["community"]
    )
    client.force_login(trio.staff_a)
    action = {"action": "export_ledger", "_selected_action": [outlet.pk]}
    sheet = load_workbook(io.BytesIO(client.post("/admin/members/outlet/", action).content)).active
    cell = next(c for c in sheet[4] if c.value == trap)
    assert cell.data_type == "s"  # text, not a live link
