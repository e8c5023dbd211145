"""The beat job's work: cases and tasks past their deadline are marked overdue, and a case
is escalated one level up the tree (community → street → district) with a notice to the
unit it reaches and an urgent deadline there; resolved cases the worker never answered
close after the district's days. A city's year (50,000 cases, 100,000 tasks) is a few
set-based statements and batches: the job touches only what changed since its last run,
and running it twice changes nothing more."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from core import outbox
from members.inbox import in_workers_language

from .. import working_days
from ..models import (
    Case,
    CaseHop,
    CaseNotice,
    CaseStatusChange,
    CaseTask,
    FeedbackRules,
    Priority,
)
from .history import duty_phone

BATCH = 1000
ESCALATES_TO = {Area.Level.COMMUNITY, Area.Level.STREET}  # the levels a case climbs from


def _notices(rows: list[CaseNotice]) -> None:
    """Write notices (once per event key: a second run adds none) and queue the text
    messages of those whose unit has a duty phone."""
    if not rows:
        return
    keys = [row.event_key for row in rows]
    CaseNotice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
    for notice in CaseNotice.objects.filter(
        event_key__in=keys, texted_at__isnull=True
    ).select_related("area", "department"):
        if notice.area.level == Area.Level.DISTRICT or notice.department_id:
            if duty_phone(notice):
                outbox.enqueue("feedback.tasks.text_notice", notice.pk)


def tasks_mark_overdue(now) -> int:
    """Open tasks past their deadline, marked once; each unit is told."""
    with transaction.atomic():
        marked = list(
            CaseTask.objects.filter(
                status=CaseTask.Status.OPEN, due_at__lt=now, overdue_since__isnull=True
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if not marked:
            return 0
        CaseTask.objects.filter(pk__in=marked).update(overdue_since=now, late=True)
        rows = []
        for task in CaseTask.objects.filter(pk__in=marked).select_related(
            "case", "unit", "department__area"
        ):
            rows.append(
                CaseNotice(
                    case=task.case,
                    kind=CaseNotice.Kind.TASK_OVERDUE,
                    area=task.unit or task.department.area,
                    department=task.department,
                    text=_("Task overdue on case %(number)s: %(task)s")
                    % {"number": task.case.number, "task": task.description[:80]},
                    event_key=f"task:{task.pk}:{task.due_at:%Y%m%d%H%M}",
                )
            )
        _notices(rows)
    return len(marked)


def _due_cases(now):
    """Open cases whose deadline passed and that are not marked overdue at their unit yet
    (an escalated case starts afresh at the unit above, with its own deadline)."""
    return Case.objects.filter(
        status__in=Case.OPEN,
        paused_since__isnull=True,
        due_at__lt=now,
        overdue_since__isnull=True,
    )


def cases_escalate(now) -> int:
    """Overdue cases: marked late; those at a community or street climb one level with an
    urgent deadline there, the others' unit (a district, a department) is told."""
    handled = 0
    deadlines: dict[tuple[str, int], object] = {}  # (district, days) → the new deadline
    while True:
        with transaction.atomic():
            batch = list(
                _due_cases(now)
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("category", "area", "responsible_area__parent", "department")
                .order_by("pk")[:BATCH]
            )
            if not batch:
                return handled
            hops, notices = [], []
            for case in batch:
                case.late, case.overdue_since = True, now
                unit = case.responsible_area
                if case.department_id is None and unit.level in ESCALATES_TO and unit.parent:
                    case.responsible_area = unit.parent
                    case.escalations += 1
                    days = case.category.working_days(Priority.URGENT)
                    key = (case.area.district_code, days)
                    if key not in deadlines:
                        deadlines[key] = working_days.add_working_days(now, days, area=case.area)
                    case.due_at = deadlines[key]
                    case.overdue_since = None  # not overdue at the unit above, yet
                    hops.append(
                        CaseHop(case=case, rule=CaseHop.Rule.ESCALATED, to_area=unit.parent, at=now)
                    )
                    notices.append(
                        CaseNotice(
                            case=case,
                            kind=CaseNotice.Kind.ESCALATED,
                            area=unit.parent,
                            text=_(
                                "Case %(number)s is overdue at %(unit)s and comes to you: %(text)s"
                            )
                            % {"number": case.number, "unit": unit, "text": case.text[:60]},
                            event_key=f"escalated:{case.pk}:{case.escalations}",
                        )
                    )
                else:
                    notices.append(
                        CaseNotice(
                            case=case,
                            kind=CaseNotice.Kind.OVERDUE,
                            area=unit,
                            department=case.department,
                            text=_("Case %(number)s is overdue: %(text)s")
                            % {"number": case.number, "text": case.text[:60]},
                            event_key=f"overdue:{case.pk}:{case.due_at:%Y%m%d%H%M}",
                        )
                    )
            Case.objects.bulk_update(
                batch, ["late", "overdue_since", "responsible_area", "escalations", "due_at"]
            )
            CaseHop.objects.bulk_create(hops)
            _notices(notices)
            handled += len(batch)


def cases_close_unanswered(now) -> int:
    """Resolved cases the worker never answered close after their district's days (counted
    as neither satisfied nor not)."""
    days_by_district = dict(FeedbackRules.objects.values_list("area__code", "close_after_days"))
    default = settings.FEEDBACK_CLOSE_AFTER_DAYS
    closed = 0
    with transaction.atomic():
        waiting = list(
            Case.objects.filter(
                status=Case.Status.RESOLVED, resolved_at__lt=now - timedelta(days=1)
            )
            .select_for_update(of=("self",), skip_locked=True)
            .select_related("area")
            .only("pk", "resolved_at", "area__code", "area__level", "status")
        )
        due = [
            case
            for case in waiting
            if case.resolved_at
            < now - timedelta(days=days_by_district.get(case.area.district_code, default))
        ]
        if not due:
            return 0
        changes = {}
        for case in due:
            changes[case.pk] = CaseStatusChange(
                case=case,
                from_status=Case.Status.RESOLVED,
                to_status=Case.Status.CLOSED,
                reason=_("No answer from the worker: closed on its own."),
                at=now,
            )
        Case.objects.filter(pk__in=list(changes)).update(
            status=Case.Status.CLOSED, closed_at=now, satisfied=None
        )
        CaseStatusChange.objects.bulk_create(changes.values(), batch_size=BATCH)
        closed = len(due)
    return closed


def deadlines_run(*, now=None) -> dict[str, int]:
    """The beat job: overdue tasks, overdue cases (escalated), unanswered cases closed."""
    now = now or timezone.now()
    with in_workers_language():  # the platform's language, as staff read notices
        return {
            "tasks_overdue": tasks_mark_overdue(now),
            "cases_overdue": cases_escalate(now),
            "closed_unanswered": cases_close_unanswered(now),
        }
