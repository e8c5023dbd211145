"""The reads: queues in each role's reach, the similar open cases near a new one, and the
timeline as staff and as the worker read it."""

from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from feedback import selectors, services
from feedback.models import Case
from feedback.services import Place
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import category, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], status=Worker.Status.APPROVED, name="王小明"
    )


def test_the_queues_hold_what_each_role_may_act_on(trio, worker):
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    report(
        WorkerFactory(area=trio.tree.b["community"]),
        station=StationFactory(area=trio.tree.b["community"]),
    )
    assert list(selectors.acceptance_queue(user=trio.staff_a)) == [case]
    assert list(selectors.acceptance_queue(user=trio.viewer_a)) == []  # reads, does not act
    assert selectors.acceptance_queue(user=trio.staff_b).count() == 1
    assert selectors.acceptance_queue(user=trio.city).count() == 2
    assert selectors.case_list(user=trio.viewer_a).count() == 1
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(selectors.overdue_cases(user=trio.staff_a)) == [case]


def test_similar_cases_are_the_same_category_nearby_and_still_open(trio, worker):
    here = Point(107.6400, 35.7100, srid=4326)
    StationFactory(area=trio.tree.a["community"], location=here)
    near = report(worker, place=Place(lng=107.6405, lat=35.7101))  # about 45 m away
    report(worker, place=Place(lng=107.6500, lat=35.7100))  # about 900 m away
    report(worker, code="blocked-lane", place=Place(lng=107.6401, lat=35.7100))  # another category
    found = selectors.similar_open(category=category(), point=here)
    assert found == [near] and 30 < found[0].distance.m < 60
    services.case_decline(actor=trio.staff_a, case=near, reason="已处理过")
    assert selectors.similar_open(category=category(), point=here) == []


def test_cases_at_the_same_station_or_nearby_are_offered_once(trio, worker):
    here = Point(107.6400, 35.7100, srid=4326)
    station = StationFactory(area=trio.tree.a["community"], location=here)
    at_station = report(worker, station=station)  # its point is the station's: both match
    far_at_station = report(worker, place=Place(station=station, lng=107.6600, lat=35.7100))
    near = report(worker, place=Place(lng=107.6402, lat=35.7100))
    report(worker, place=Place(lng=107.6600, lat=35.7200))  # neither near nor at the station
    ids = selectors.similar_open_ids(category=category(), point=here, station=station)
    assert sorted(ids) == sorted([at_station.pk, far_at_station.pk, near.pk])
    assert set(selectors.similar_open_ids(category=category(), point=None, station=station)) == {
        at_station.pk,
        far_at_station.pk,
    }
    assert selectors.similar_open_ids(category=category(), point=None, station=None) == []


def test_old_cases_are_not_offered(trio, worker):
    here = Point(107.64, 35.71, srid=4326)
    StationFactory(area=trio.tree.a["community"], location=here)
    old = report(worker, place=Place(lng=107.64, lat=35.71))
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))
    assert selectors.similar_open(category=category(), point=here) == []


def test_the_worker_reads_the_unit_and_staff_read_the_worker_masked(trio, worker):
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_message_staff(actor=trio.staff_a, case=case, text="请问是几号楼")
    services.case_message_reporter(worker=worker, case=case, text="3号楼")
    for_worker = selectors.timeline(case, for_staff=False)
    assert not any("staff_a" in step.who for step in for_worker)
    assert any(
        step.kind == "message" and case.responsible_area.name in step.who for step in for_worker
    )
    for_staff = selectors.timeline(case, for_staff=True)
    assert any(step.who == "staff_a" for step in for_staff)
    assert not any("王小明" in step.who for step in for_staff)
    assert [
        step
        for step in selectors.timeline(case, for_staff=False, detailed=False)
        if step.kind == "message"
    ] == []
