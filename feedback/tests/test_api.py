"""Cases through the API, for the area trio: staff record a case collected offline and
work it (accept, task, finish, resolve, refer, decline); A's viewer reads, B's staff
find nothing; the worker is masked; refusals change nothing; the list costs the same
for few rows and many."""

import pytest

from core.testing import client_for
from feedback.models import Case, CaseNotice, PartnerDepartment
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import category, report

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"
NOTICES = "/api/v1/case-notices/"


@pytest.fixture
def case(trio):
    worker = WorkerFactory(
        area=trio.tree.a["community"],
        status=Worker.Status.APPROVED,
        name="张三丰",
        phone="13812345601",
    )
    return report(worker, station=StationFactory(area=trio.tree.a["community"]))


def test_each_role_reads_what_its_grants_reach_and_the_worker_is_masked(trio, case):
    body = client_for(trio.staff_a).get(CASES).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (
        row["number"] == case.number and "张三丰" not in str(row) and "13812345601" not in str(row)
    )
    assert row["reporter_masked"].startswith("张")
    assert client_for(trio.viewer_a).get(f"{CASES}{case.pk}/").status_code == 200
    assert client_for(trio.staff_b).get(f"{CASES}{case.pk}/").status_code == 404
    assert client_for(trio.staff_b).get(CASES).json()["count"] == 0


def test_staff_work_a_case_through_the_api(trio, case):
    api = client_for(trio.staff_a)
    assert (
        api.post(f"{CASES}{case.pk}/accept/", {"priority": "urgent"}, format="json").json()[
            "status"
        ]
        == "accepted"
    )
    body = api.post(
        f"{CASES}{case.pk}/tasks/", {"description": "拆除飞线", "unit": case.area.pk}, format="json"
    ).json()
    assert body["status"] == "in_progress" and len(body["tasks"]) == 1
    task_id = body["tasks"][0]["id"]
    refused = api.post(f"{CASES}{case.pk}/resolve/", {"answer": "已处理"}, format="json")
    assert refused.status_code == 400
    api.post(f"{CASES}{case.pk}/finish-task/", {"task": task_id, "result": "已拆除"}, format="json")
    body = api.post(
        f"{CASES}{case.pk}/resolve/", {"answer": "已拆除并安装充电桩"}, format="json"
    ).json()
    assert body["status"] == "resolved" and body["answer"] == "已拆除并安装充电桩"


def test_the_viewer_and_the_outsider_change_nothing(trio, case):
    assert (
        client_for(trio.viewer_a).post(f"{CASES}{case.pk}/accept/", {}, format="json").status_code
        == 403
    )
    assert (
        client_for(trio.staff_b)
        .post(f"{CASES}{case.pk}/decline/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_staff_record_a_case_collected_offline(trio):
    api = client_for(trio.staff_a)
    body = {
        "kind": "demand",
        "category": category("rest").pk,
        "text": "议事会：夜里没有歇脚的地方",
        "source": "council",
        "area": trio.tree.a["community2"].pk,
    }
    answer = api.post(CASES, body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["area"] == trio.tree.a["community2"].pk
    outsider = client_for(trio.staff_b).post(CASES, body, format="json")
    assert outsider.status_code == 400 and "area" in outsider.json()
    assert Case.objects.count() == 1


def test_a_department_of_another_district_cannot_be_named(trio, case):
    theirs = PartnerDepartment.objects.create(
        area=trio.tree.b["district"], sector="labour", name="庆城人社"
    )
    answer = client_for(trio.staff_a).post(
        f"{CASES}{case.pk}/refer/", {"department": theirs.pk, "reason": "劳动纠纷"}, format="json"
    )
    assert answer.status_code == 400 and "department" in answer.json()
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_notices_are_read_for_the_unit(trio, case):
    notice = CaseNotice.objects.create(
        case=case, kind="overdue", area=case.area, text="逾期了", event_key="x:1"
    )
    assert client_for(trio.staff_b).get(NOTICES).json()["count"] == 0
    body = client_for(trio.staff_a).post(f"{NOTICES}{notice.pk}/read/").json()
    assert body["read_at"]


def test_the_list_query_count_is_flat(trio, django_assert_max_num_queries):
    api = client_for(trio.staff_a)
    station = StationFactory(area=trio.tree.a["community"])

    def add(count):
        for _ in range(count):
            worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
            made = report(worker, station=station)
            Case.objects.filter(pk=made.pk).update(status="accepted")

    add(2)
    with django_assert_max_num_queries(10) as few:
        assert api.get(CASES).json()["count"] >= 2
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(CASES).json()["count"] >= 12
