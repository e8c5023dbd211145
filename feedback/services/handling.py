"""The closed loop (建议收集 → 问题研判 → 任务分解 → 跟踪落实): staff accept a case (研判) —
or mark it a duplicate, refer it to a partner department, re-route it (转办), decline it
with a reason the worker reads — split it into tasks, resolve it with an answer; the
worker says fixed or not fixed, and not fixed reopens it with the clock started again.

Each write locks the case first and checks its state under the lock: two staff triaging
the same case at once get one outcome, and the second a plain message of what happened."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core import sensitive_words
from core.exceptions import ApplicationError, refuse
from members.inbox import in_workers_language
from members.models import Worker
from points import services as points
from points.models import PointsEntry, PointsRule

from .. import working_days
from ..models import (
    Case,
    CaseFollower,
    CaseHop,
    CaseMessage,
    CaseNotice,
    CasePhoto,
    CaseTask,
    PartnerDepartment,
    Priority,
)
from . import history, routing
from .intake import cleaned_photos, keep_photos

Status = Case.Status
# The triage decisions (研判) are taken once, on a case just sent: two staff deciding at
# once get one outcome. Once accepted, a case is answered (or referred, or re-routed).
TRIAGE = (Status.SUBMITTED,)
WORKING = (Status.ACCEPTED, Status.REFERRED, Status.IN_PROGRESS)
MESSAGE_MAX = 500


def _locked(case: Case, actor, *, allowed) -> Case:
    """The case locked, after the checks every staff write makes: the actor writes in its
    area, and the case is (still) in one of the `allowed` states."""
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("area", "category", "reporter", "responsible_area", "department")
        .get(pk=case.pk)
    )
    if actor is not None:
        access.require_write_to(actor, locked)
    if locked.status not in allowed:
        raise ApplicationError(
            _("This case is now “%(status)s”: someone has dealt with it. Reload the page.")
            % {"status": locked.get_status_display()}
        )
    return locked


def _reason(reason: str, field: str = "reason") -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise refuse(field, _("Say why: the worker reads it."))
    return reason[:200]


def _responded(case: Case, at) -> None:
    if case.first_response_at is None:
        case.first_response_at = at


def _award(case: Case, actor) -> None:
    """The district's points for a verified case (points rule "feedback"), once: a retried
    or repeated acceptance finds the entry it made."""
    if case.reporter_id is None or case.source != Case.Source.PHONE:
        return
    earned = points.rule_points(area=case.area, event=PointsRule.Event.VERIFIED_FEEDBACK)
    if earned:
        with in_workers_language():
            reason = _("Verified: %(text)s") % {"text": case.text[:30]}
        points.points_award(
            worker=case.reporter,
            points=earned,
            source=PointsEntry.Source.FEEDBACK,
            source_id=case.pk,
            reason=reason,
            actor=actor,
        )


@transaction.atomic
def case_accept(*, actor, case: Case, priority: str | None = None, note: str = "") -> Case:
    """研判: the case is real and ours. Its reporter earns the district's points for a
    verified case; a new priority sets the deadline again from when it was sent."""
    case = _locked(case, actor, allowed=(Status.SUBMITTED,))
    now = timezone.now()
    if priority and priority != case.priority:
        if priority not in Priority.values:
            raise refuse("priority", _("Choose a priority."))
        case.priority = priority
        case.due_at = history.deadline(case, start=case.created_at)
    history.change_status(case, Status.ACCEPTED, actor=actor, reason=note, at=now)
    case.accepted_at = now
    _responded(case, now)
    case.save()
    _award(case, actor)
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("Your case %(number)s was accepted") % {"number": case.number},
            body=_("%(unit)s is working on it. We will tell you when it is answered.")
            % {"unit": case.department or case.responsible_area},
            event="accepted",
        )
    return case


@transaction.atomic
def case_mark_duplicate(*, actor, case: Case, original: Case, reason: str = "") -> Case:
    """The same problem as `original`: the reporter follows the original instead."""
    case = _locked(case, actor, allowed=TRIAGE)
    original = Case.objects.select_related("area").get(pk=original.pk)
    while original.duplicate_of_id:  # the case it repeats, not another repeat
        original = Case.objects.select_related("area").get(pk=original.duplicate_of_id)
    if original.pk == case.pk:
        raise refuse("original", _("A case cannot repeat itself."))
    if original.area.district_code != case.area.district_code:
        raise refuse("original", _("Choose a case of the same district."))
    if not access.can_in(actor, original.area, access.Purpose.READ):
        raise refuse("original", _("Choose a case of the same district."))
    history.change_status(case, Status.DUPLICATE, actor=actor, reason=reason or original.number)
    case.duplicate_of = original
    case.closed_at = timezone.now()
    _responded(case, case.closed_at)
    case.save()
    if case.reporter_id and case.reporter_id != original.reporter_id and original.is_open:
        CaseFollower.objects.get_or_create(case=original, worker=case.reporter)
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("Your case %(number)s is already being dealt with") % {"number": case.number},
            body=_("Someone reported the same problem as %(original)s. You will hear of it.")
            % {"original": original.number},
            event="duplicate",
        )
    return case


@transaction.atomic
def case_decline(*, actor, case: Case, reason: str) -> Case:
    reason = _reason(reason)
    case = _locked(case, actor, allowed=TRIAGE)
    history.change_status(case, Status.DECLINED, actor=actor, reason=reason)
    case.status_reason = reason
    case.closed_at = timezone.now()
    _responded(case, case.closed_at)
    case.save()
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("Your case %(number)s was not taken up") % {"number": case.number},
            body=reason,
            event="declined",
        )
    return case


@transaction.atomic
def case_refer(*, actor, case: Case, department: PartnerDepartment, reason: str) -> Case:
    """Not ours: a partner department answers it; the district follows its work."""
    reason = _reason(reason)
    case = _locked(case, actor, allowed=(Status.SUBMITTED, *WORKING))
    district = routing.district_of(case.area)
    if department.area_id != district.pk or not department.active:
        raise refuse("department", _("Choose an active department of this district."))
    if case.department_id == department.pk:
        raise refuse("department", _("The case is with this department already."))
    now = timezone.now()
    history.record_hop(
        case,
        CaseHop.Rule.REFERRED,
        area=district,
        department=department,
        actor=actor,
        reason=reason,
    )
    history.change_status(case, Status.REFERRED, actor=actor, reason=reason, at=now)
    case.responsible_area, case.department = district, department
    _responded(case, now)
    case.save()
    history.notify_unit(
        case,
        CaseNotice.Kind.REFERRED,
        _("Case %(number)s referred to %(department)s: %(reason)s")
        % {"number": case.number, "department": department, "reason": reason},
        event=f"referred:{case.hops.count()}",
    )
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("Your case %(number)s went to %(department)s")
            % {"number": case.number, "department": department},
            body=reason,
            event=f"referred:{department.pk}",
        )
    return case


@transaction.atomic
def case_reroute(*, actor, case: Case, area: Area, reason: str) -> Case:
    """转办: the case belongs to another community or street (the place was wrong, or
    the unit is). The category's unit there answers it, with the same deadline."""
    reason = _reason(reason)
    case = _locked(case, actor, allowed=(Status.SUBMITTED, *WORKING))
    if area.level not in (Area.Level.COMMUNITY, Area.Level.STREET):
        raise refuse("area", _("Re-route to a community or a street."))
    if area.pk == case.area_id:
        raise refuse("area", _("The case is there already."))
    route = routing.route(category=case.category, chosen_area=area)
    case.area, case.responsible_area, case.department = (
        route.area,
        route.responsible_area,
        route.department,
    )
    history.record_hop(case, CaseHop.Rule.REROUTED, area=area, actor=actor, reason=reason)
    if case.status == Status.REFERRED and route.department is None:
        history.change_status(case, Status.ACCEPTED, actor=actor, reason=reason)
    case.save()
    history.notify_unit(
        case,
        CaseNotice.Kind.REFERRED,
        _("Case %(number)s re-routed to you: %(reason)s")
        % {"number": case.number, "reason": reason},
        event=f"rerouted:{case.hops.count()}",
    )
    return case


@transaction.atomic
def task_add(
    *,
    actor,
    case: Case,
    description: str,
    unit: Area | None = None,
    department: PartnerDepartment | None = None,
    working_days_given: int | None = None,
) -> CaseTask:
    """任务分解: a piece of the work for one unit of the case's district, with its own
    deadline in working days (the category's for the case's priority, unless given)."""
    case = _locked(case, actor, allowed=WORKING)
    description = " ".join((description or "").split())
    if not description:
        raise refuse("description", _("Say what is to be done."))
    if (unit is None) == (department is None):
        raise refuse("unit", _("Give the task to one unit: an area or a department."))
    district = routing.district_of(case.area)
    if unit is not None and not district.contains(unit):
        raise refuse("unit", _("Give the task to a unit of this district."))
    if department is not None and (department.area_id != district.pk or not department.active):
        raise refuse("department", _("Choose an active department of this district."))
    days = working_days_given or case.category.working_days(case.priority)
    if not 1 <= days <= 60:
        raise refuse("working_days_given", _("From 1 to 60 working days."))
    now = timezone.now()
    task = CaseTask.objects.create(
        case=case,
        description=description[:200],
        unit=unit,
        department=department,
        due_at=working_days.add_working_days(now, days, area=case.area),
        created_by=actor,
        created_at=now,
    )
    if case.status != Status.IN_PROGRESS:
        history.change_status(case, Status.IN_PROGRESS, actor=actor, reason=description, at=now)
    _responded(case, now)
    case.save()
    return task


@transaction.atomic
def task_finish(
    *, actor, task: CaseTask, result: str, cancelled: bool = False, case: Case | None = None
) -> CaseTask:
    """A task done (what was done) or cancelled (why); the case stays with its unit. A
    caller acting on a case names it: a task of another case is refused."""
    if case is not None and task.case_id != case.pk:
        raise refuse("task", _("Choose a task of this case."))
    result = " ".join((result or "").split())
    if not result:
        raise refuse("result", _("Say what was done.") if not cancelled else _("Say why."))
    _locked(task.case, actor, allowed=WORKING)
    task = CaseTask.objects.select_for_update().get(pk=task.pk)
    if task.status != CaseTask.Status.OPEN:
        raise ApplicationError(_("This task is finished already."))
    task.status = CaseTask.Status.CANCELLED if cancelled else CaseTask.Status.DONE
    task.result = result[:300]
    task.done_at, task.done_by = timezone.now(), actor
    task.overdue_since = None
    task.save()
    return task


@transaction.atomic
def case_resolve(*, actor, case: Case, answer: str, photos=()) -> Case:
    """The answer (and a photo of the fix, if any): the worker is asked whether it is
    fixed. Every task is finished first."""
    answer = " ".join((answer or "").split())
    if not answer:
        raise refuse("answer", _("Write the answer the worker reads."))
    cleaned = cleaned_photos(photos)
    case = _locked(case, actor, allowed=WORKING)
    if case.published_at and (problem := sensitive_words.problem(answer)):
        raise refuse("answer", problem)  # the answer of a published case is public
    still_open = case.tasks.filter(status=CaseTask.Status.OPEN).count()
    if still_open:
        raise ApplicationError(
            _("%(n)d task(s) are not finished: record their results first.") % {"n": still_open}
        )
    now = timezone.now()
    history.change_status(case, Status.RESOLVED, actor=actor, reason=answer[:300], at=now)
    case.answer = answer[:1000]
    case.resolved_at = now
    case.overdue_since = None
    case.paused_since = None
    _responded(case, now)
    case.save()
    keep_photos(case, cleaned, CasePhoto.Role.FIX)
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("Your case %(number)s was answered: is it fixed?") % {"number": case.number},
            body=answer[:300],
            event=f"resolved:{case.reopen_count}",
            followers=True,
        )
    return case


@transaction.atomic
def case_reporter_answer(*, worker: Worker, case: Case, fixed: bool, comment: str = "") -> Case:
    """The reporter says fixed (closed, satisfied) or not fixed (reopened: the unit is
    told and the deadline starts again). Only the reporter answers."""
    case = _locked(case, None, allowed=Status.values)
    if case.reporter_id != worker.pk:
        raise ApplicationError(_("Only the worker who reported it can say whether it is fixed."))
    if case.status != Status.RESOLVED:
        raise ApplicationError(_("You can say this once the case is answered."))
    comment = " ".join((comment or "").split())[:MESSAGE_MAX]
    now = timezone.now()
    if comment:
        CaseMessage.objects.create(case=case, from_staff=False, text=comment, at=now)
    if fixed:
        history.change_status(case, Status.CLOSED, actor=None, reason=comment, at=now)
        case.satisfied, case.closed_at = True, now
        case.save()
        return case
    history.change_status(case, Status.IN_PROGRESS, actor=None, reason=comment, at=now)
    case.reopen_count += 1
    case.satisfied = None
    case.resolved_at = None
    case.due_at = history.deadline(case, start=now)
    case.overdue_since = None
    case.save()
    history.record_hop(
        case,
        CaseHop.Rule.REOPENED,
        area=case.responsible_area,
        department=case.department,
        reason=comment,
    )
    history.notify_unit(
        case,
        CaseNotice.Kind.REOPENED,
        _("Not fixed, says the worker: case %(number)s is open again. %(comment)s")
        % {"number": case.number, "comment": comment},
        event=f"reopened:{case.reopen_count}",
    )
    return case


@transaction.atomic
def case_message_staff(*, actor, case: Case, text: str, asks_reporter: bool = False) -> CaseMessage:
    """Staff write to the worker (as their unit). A question that waits for the worker's
    answer stops the deadline until the worker answers."""
    text = " ".join((text or "").split())
    if not text:
        raise refuse("text", _("Write the message."))
    case = _locked(case, actor, allowed=(Status.SUBMITTED, *WORKING, Status.RESOLVED))
    if case.reporter_id is None:
        raise ApplicationError(
            _("Nobody on the platform reported this case: there is no one to write to.")
        )
    now = timezone.now()
    asks = bool(asks_reporter) and case.is_open
    message = CaseMessage.objects.create(
        case=case,
        from_staff=True,
        author=actor,
        text=text[:MESSAGE_MAX],
        asks_reporter=asks,
        at=now,
    )
    if asks and case.paused_since is None:
        case.paused_since = now
    _responded(case, now)
    case.save()
    with in_workers_language():
        history.tell_reporter(
            case,
            title=_("A message on your case %(number)s") % {"number": case.number},
            body=text[:300],
            event=f"message:{message.pk}",
        )
    return message


@transaction.atomic
def case_message_reporter(*, worker: Worker, case: Case, text: str) -> CaseMessage:
    """The reporter writes to the unit; an answer to a question starts the deadline again
    where it stopped."""
    text = " ".join((text or "").split())
    if not text:
        raise refuse("text", _("Write the message."))
    case = _locked(case, None, allowed=Status.values)
    if case.reporter_id != worker.pk:
        raise ApplicationError(_("Only the worker who reported it can write here."))
    if case.status in (Status.CLOSED, Status.DECLINED, Status.DUPLICATE):
        raise ApplicationError(_("This case is closed: report it again if the problem is back."))
    now = timezone.now()
    message = CaseMessage.objects.create(
        case=case, from_staff=False, text=text[:MESSAGE_MAX], at=now
    )
    if case.paused_since is not None:
        case.due_at += now - case.paused_since
        case.paused_since = None
        case.save()
    history.notify_unit(
        case,
        CaseNotice.Kind.ANSWERED,
        _("The worker wrote on case %(number)s: %(text)s")
        % {"number": case.number, "text": text[:100]},
        event=f"answered:{message.pk}",
    )
    return message


@transaction.atomic
def case_publish(*, actor, case: Case) -> Case:
    """The district publishes a case and its official answer ("你提的建议，我们这样办"):
    only one the worker agreed to show, once it is taken up, with words the sensitive-word
    check lets through. Staff who write in the case's district publish."""
    case = _locked(case, None, allowed=(*WORKING, Status.RESOLVED, Status.CLOSED))
    access.require_write_in(actor, routing.district_of(case.area))
    if not case.public:
        raise ApplicationError(_("The worker did not agree to show this case publicly."))
    for words in (case.text, case.answer):
        if problem := sensitive_words.problem(words):
            raise ApplicationError(problem)
    if case.published_at is None:
        case.published_at = timezone.now()
        case.save(update_fields=["published_at", "updated_at"])
    return case


@transaction.atomic
def case_unpublish(*, actor, case: Case) -> Case:
    case = _locked(case, None, allowed=Status.values)
    access.require_write_in(actor, routing.district_of(case.area))
    if case.published_at is not None:
        case.published_at = None
        case.save(update_fields=["published_at", "updated_at"])
    return case
