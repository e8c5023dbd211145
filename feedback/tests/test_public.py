"""In public (issue 16 §4): the district publishes a case and its answer
("你提的建议，我们这样办") with its progress and the tasks done — only one the worker agreed
to show, never naming them; the public map of hazards where the category allows it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import ApplicationError
from core.models import SensitiveWord
from feedback import services
from feedback.models import Case
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import report, suggestion

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, name="王小明"
    )


def _public_suggestion(worker):
    case = suggestion(worker, text="希望驿站冬天晚上多开一会儿")
    Case.objects.filter(pk=case.pk).update(public=True)
    return Case.objects.get(pk=case.pk)


def test_the_district_publishes_an_answer_with_its_progress(client, trio, worker):
    case = _public_suggestion(worker)
    services.case_accept(actor=trio.staff_a, case=case)
    task = services.task_add(
        actor=trio.staff_a, case=case, description="调整开放时间", unit=case.area
    )
    services.task_add(actor=trio.staff_a, case=case, description="增加值班人员", unit=case.area)
    services.task_finish(actor=trio.staff_a, task=task, result="已延长至22:30")
    services.case_publish(actor=trio.staff_a, case=case)
    page = client.get("/m/answers/621002000000/").content.decode()
    assert (
        "希望驿站冬天晚上多开一会儿" in page and "调整开放时间" in page and "已延长至22:30" in page
    )
    assert 'aria-valuenow="45"' in page  # one task of two done
    assert "王小明" not in page and "王*" not in page
    assert "西峰区" in client.get("/m/answers/").content.decode()
    for open_task in case.tasks.filter(status="open"):
        services.task_finish(actor=trio.staff_a, task=open_task, result="已排班")
    services.case_resolve(actor=trio.staff_a, case=case, answer="全区驿站冬季延长开放")
    page = client.get("/m/answers/621002000000/").content.decode()
    assert "全区驿站冬季延长开放" in page and 'aria-valuenow="100"' in page


def test_only_what_the_worker_agreed_to_show_is_published_by_the_district(trio, worker):
    private = suggestion(worker, text="私下的建议")
    services.case_accept(actor=trio.staff_a, case=private)
    with pytest.raises(ApplicationError, match="did not agree"):
        services.case_publish(actor=trio.staff_a, case=private)
    case = _public_suggestion(worker)
    services.case_accept(actor=trio.staff_a, case=case)
    with pytest.raises(PermissionDenied):
        services.case_publish(actor=trio.viewer_a, case=case)
    with pytest.raises(Http404):
        services.case_publish(actor=trio.staff_b, case=case)
    SensitiveWord.objects.create(word="开一会儿")
    with pytest.raises(ApplicationError):
        services.case_publish(actor=trio.staff_a, case=case)
    assert not Case.objects.filter(published_at__isnull=False).exists()


def test_an_unknown_district_page_is_not_found(client):
    assert client.get("/m/answers/999999000000/").status_code == 404
    assert client.get("/m/answers/abc/").status_code == 404


def test_the_hazard_map_shows_what_may_be_shown_and_never_who(client, trio, worker):
    station = StationFactory(area=trio.tree.a["community"])
    lane = report(worker, code="blocked-lane", station=station, text="路口占道停车", public=True)
    report(worker, code="blocked-lane", station=station, text="不愿公开的占道")  # not agreed
    report(worker, station=station, text="楼道飞线", public=True)  # 飞线充电 stays internal
    data = client.get("/m/hazards/map.json").json()
    assert [f["properties"]["number"] for f in data["features"]] == [lane.number]
    assert "王" not in str(data)
    assert client.get("/m/hazards/").status_code == 200
