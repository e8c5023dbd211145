"""Feedback's figures (issue 16 §5), computed from the raw rows as the rollups compute
them: the on-time rate counts open overdue cases against it, the medians, reopening,
satisfaction, and reports by grid workers and supervisors (移动探头)."""

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import RoleAppointment
from feedback import services
from feedback.facts import FACTS, RATIOS
from feedback.models import Case
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(trio):
    return trio.tree.a["district"]


def _case(trio, **updates):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    Case.objects.filter(pk=case.pk).update(**updates)
    return Case.objects.get(pk=case.pk)


def fact(key):
    return next(f for f in FACTS if f.key == key)


def ratio(key):
    return next(r for r in RATIOS if r.key == key)


def _value(key, district):
    return fact(key).value(area=district)


def test_the_on_time_rate_counts_an_open_overdue_case_against_it(trio, district):
    _case(trio, status="closed", closed_at=timezone.now())  # on time
    _case(trio, status="closed", closed_at=timezone.now(), late=True)  # late
    _case(trio, status="in_progress", late=True)  # open and overdue: not hidden
    _case(trio, status="in_progress")  # open, not due yet: not decided
    numerator, denominator = (
        _value("feedback.closed_on_time", district),
        _value("feedback.closed_or_overdue", district),
    )
    assert (numerator, denominator) == (1, 3)
    assert ratio("feedback.on_time_rate").of(numerator, denominator) == 33.3  # one decimal
    assert _value("feedback.open_overdue", district) == 1


def test_median_hours_to_the_first_answer(trio, district):
    now = timezone.now()
    for hours in (1, 2, 10):
        _case(trio, created_at=now - timedelta(hours=hours), first_response_at=now)
    assert _value("feedback.hours_to_first_response", district) == pytest.approx(2.0)


def test_reopen_rate_and_satisfaction_follow_the_workers_answers(trio, district):
    case = _case(trio)
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已处理")
    services.case_reporter_answer(worker=case.reporter, case=case, fixed=False)
    services.case_resolve(actor=trio.staff_a, case=case, answer="再次处理")
    services.case_reporter_answer(worker=case.reporter, case=case, fixed=True)
    other = _case(trio)
    services.case_accept(actor=trio.staff_a, case=other)
    services.case_resolve(actor=trio.staff_a, case=other, answer="已处理")  # no answer yet
    assert (_value("feedback.reopened", district), _value("feedback.answered", district)) == (1, 2)
    assert (_value("feedback.satisfied", district), _value("feedback.verdicts", district)) == (1, 2)


def test_reports_by_grid_workers_and_supervisors_count_per_role_holder(trio, district):
    grid = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    RoleAppointment.objects.create(
        worker=grid,
        role=RoleAppointment.Role.GRID_WORKER,
        area=trio.tree.a["community"],
        started_on=dt.date(2026, 1, 1),
    )
    station = StationFactory(area=trio.tree.a["community"])
    report(grid, station=station)
    report(grid, station=station, text="楼道堆放杂物")
    report(WorkerFactory(area=trio.tree.a["community"]), station=station)  # not a probe
    assert fact("feedback.probe_reports").broken_down(area=district) == {"grid_worker": 2}
    assert _value("feedback.probe_reporters", district) == 1
