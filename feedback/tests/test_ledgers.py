"""The ledger of suggestions and reports (issue 16 §5): exported in the government layout
(the reporter masked), and imported from lists kept on paper — every row through the
service that records a case, every refusal that row's error, the dry run writing nothing,
a file imported twice adding nothing."""

import io

import pytest
from openpyxl import load_workbook

from feedback import services
from feedback.models import Case
from ledgers import services as ledgers
from ledgers.models import ImportJob
from members.models import Worker
from members.tests.factories import WorkerFactory
from members.tests.test_ledgers import upload, xlsx
from stations.tests.factories import StationFactory

from .factories import report

pytestmark = pytest.mark.django_db

HEADERS = ["序号", "类型", "类别", "内容", "收集方式", "来源编号", "社区", "手机号码"]


def row(n, **overrides):
    values = {
        "序号": n,
        "类型": "诉求",
        "类别": "休息难",
        "内容": f"议事会：夜里没有歇脚的地方{n}",
        "收集方式": "小哥议事会",
        "来源编号": "2026-11-28",
        "社区": "西峰区甲社区",
        "手机号码": "",
        **overrides,
    }
    return [values[h] for h in HEADERS]


def _import(actor, area, rows):
    return upload(actor, area, xlsx(HEADERS, rows), kind="feedback")


def test_a_council_list_is_checked_then_recorded_through_the_service(trio):
    worker = WorkerFactory(
        area=trio.tree.a["community"], phone="13700000009", status=Worker.Status.APPROVED
    )
    rows = [row(1), row(2, 类型="随手拍", 类别="占道停车", 收集方式="12345", 手机号码=worker.phone)]
    job = _import(trio.staff_a, trio.tree.a["district"], rows)
    assert (job.status, job.valid_rows, job.error_rows) == (ImportJob.Status.CHECKED, 2, 0), (
        job.errors
    )
    assert not Case.objects.exists()  # the dry run wrote nothing
    job = ledgers.import_commit(actor=trio.staff_a, job=job, skip_invalid=False)
    assert (job.status, job.written_rows) == (ImportJob.Status.DONE, 2)
    lane = Case.objects.get(category__code="blocked-lane")
    assert (lane.source, lane.reporter, lane.responsible_area) == (
        "hotline",
        worker,
        trio.tree.a["street"],
    )
    again = _import(trio.staff_a, trio.tree.a["district"], rows)
    assert again.valid_rows == 0 and again.error_rows == 2  # imported twice: nothing added


@pytest.mark.parametrize(
    "overrides",
    [
        {"类型": "投诉"},
        {"类别": "不存在的类别"},
        {"类型": "意见建议"},  # 休息难 is a demand
        {"收集方式": ""},
        {"社区": "不存在社区"},
        {"内容": ""},
        {"手机号码": "13900000000"},  # nobody registered with it
    ],
)
def test_what_a_row_refuses_is_that_rows_error(trio, overrides):
    job = _import(trio.staff_a, trio.tree.a["district"], [row(1, **overrides)])
    assert job.error_rows == 1 and job.valid_rows == 0
    assert not Case.objects.exists()


def test_only_staff_who_write_there_import(trio):
    job = _import(trio.staff_b, trio.tree.b["district"], [row(1)])
    assert job.error_rows == 1  # 甲社区 is not in 庆城县


def _export(client, user, cases):
    client.force_login(user)
    body = {"action": "export_ledger", "_selected_action": [c.pk for c in cases]}
    response = client.post("/admin/feedback/case/", body)
    return client.get(response["Location"]) if response.status_code == 302 else response


def test_the_export_has_the_government_layout_masked(client, trio):
    worker = WorkerFactory(
        area=trio.tree.a["community"], name="王小明", status=Worker.Status.APPROVED
    )
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已拆除飞线")
    services.case_reporter_answer(worker=worker, case=case, fixed=True)
    response = _export(client, trio.staff_a, [case])
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "新就业群体意见建议和问题反映台账"
    headers = [c.value for c in sheet[3]]
    assert headers[:5] == ["序号", "编号", "收到日期", "类型", "类别"]
    line = [c.value for c in sheet[4]]
    assert "王**" in line and "王小明" not in str(line)
    assert "随手拍" in line and "已办结" in line and "满意" in line and "已拆除飞线" in line
