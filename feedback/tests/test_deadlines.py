"""Deadlines (issue 16 §3): the beat job marks overdue tasks and cases, escalates a case
one level up the tree (community → street → district) with a notice to the unit it
reaches, leaves a case waiting for the worker alone, closes resolved cases the worker
never answered — and running it twice changes nothing more. Once on a real worker."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import Case, CaseNotice, CaseTask, FeedbackRules, PartnerDepartment
from members.models import Worker
from members.tests.factories import WorkerFactory
from stations.tests.factories import StationFactory

from .factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(trio):
    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    return report(worker, station=StationFactory(area=trio.tree.a["community"]))


def _past_due(case, hours=1):
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=hours))


def test_an_overdue_case_climbs_one_level_at_a_time_and_each_unit_is_told(trio, case):
    a = trio.tree.a
    _past_due(case)
    assert services.deadlines_run()["cases_overdue"] == 1
    case.refresh_from_db()
    assert (case.responsible_area, case.escalations, case.late) == (a["street"], 1, True)
    assert case.due_at > timezone.now()  # the street has the urgent deadline
    assert CaseNotice.objects.get(case=case, kind="escalated").area == a["street"]
    assert services.deadlines_run()["cases_overdue"] == 0  # nothing more until that passes
    _past_due(case)
    services.deadlines_run()
    case.refresh_from_db()
    assert (case.responsible_area, case.escalations) == (a["district"], 2)
    _past_due(case)
    services.deadlines_run()
    case.refresh_from_db()
    assert (case.responsible_area, case.escalations) == (a["district"], 2)  # the top
    assert CaseNotice.objects.filter(case=case, kind="overdue", area=a["district"]).count() == 1
    services.deadlines_run()
    assert CaseNotice.objects.filter(case=case).count() == 3
    assert list(case.hops.filter(rule="escalated").values_list("to_area", flat=True)) == [
        a["street"].pk,
        a["district"].pk,
    ]


def test_the_district_office_is_texted_when_it_has_a_duty_phone(trio, case):
    FeedbackRules.objects.create(
        area=trio.tree.a["district"], close_after_days=7, duty_phone="13900000003"
    )
    Case.objects.filter(pk=case.pk).update(responsible_area=trio.tree.a["district"])
    _past_due(case)
    services.deadlines_run()
    notice = CaseNotice.objects.get(case=case, kind="overdue")
    assert services.notice_text(notice_id=notice.pk) == "sent"


def test_a_departments_case_is_not_escalated_but_its_district_is_told(trio, case):
    office = PartnerDepartment.objects.create(
        area=trio.tree.a["district"], sector="transport", name="区交通局"
    )
    services.case_refer(actor=trio.staff_a, case=case, department=office, reason="占道归交通")
    _past_due(case)
    services.deadlines_run()
    case.refresh_from_db()
    assert case.escalations == 0 and case.late
    notice = CaseNotice.objects.get(case=case, kind="overdue")
    assert (notice.area, notice.department) == (trio.tree.a["district"], office)


def test_a_case_waiting_for_the_workers_answer_is_not_overdue(trio, case):
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_message_staff(
        actor=trio.staff_a, case=case, text="请补充照片", asks_reporter=True
    )
    _past_due(case)
    assert services.deadlines_run()["cases_overdue"] == 0


def test_an_overdue_task_is_marked_once_and_its_unit_told(trio, case):
    services.case_accept(actor=trio.staff_a, case=case)
    task = services.task_add(
        actor=trio.staff_a, case=case, description="上门查看", unit=trio.tree.a["community2"]
    )
    CaseTask.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    assert services.deadlines_run()["tasks_overdue"] == 1
    assert services.deadlines_run()["tasks_overdue"] == 0
    task.refresh_from_db()
    assert task.late and task.overdue_since
    assert CaseNotice.objects.get(kind="task").area == trio.tree.a["community2"]


def test_a_resolved_case_nobody_answers_closes_after_the_districts_days(trio, case):
    FeedbackRules.objects.create(area=trio.tree.a["district"], close_after_days=3)
    services.case_accept(actor=trio.staff_a, case=case)
    services.case_resolve(actor=trio.staff_a, case=case, answer="已处理")
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=2))
    assert services.deadlines_run()["closed_unanswered"] == 0
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=4))
    assert services.deadlines_run()["closed_unanswered"] == 1
    case.refresh_from_db()
    assert (case.status, case.satisfied) == ("closed", None)
    assert case.status_changes.last().reason


@pytest.mark.django_db(transaction=True)
def test_escalation_runs_on_a_real_worker(trio, celery_worker_process):
    from feedback.tasks import run_deadlines

    worker = WorkerFactory(area=trio.tree.a["community"], status=Worker.Status.APPROVED)
    case = report(worker, station=StationFactory(area=trio.tree.a["community"]))
    _past_due(case)
    run_deadlines.delay()
    give_up = time.monotonic() + 60
    while Case.objects.get(pk=case.pk).escalations == 0 and time.monotonic() < give_up:
        time.sleep(0.5)
    assert Case.objects.get(pk=case.pk).responsible_area == trio.tree.a["street"]
    run_deadlines.delay()  # again: nothing more to do
    time.sleep(2)
    assert Case.objects.get(pk=case.pk).escalations == 1
    assert CaseNotice.objects.filter(case=case).count() == 1
