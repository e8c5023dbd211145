"""What every write on a case shares: the step written to its history, the message the
worker (and those with the same problem) read, the notice a unit receives, and the
deadline the category gives."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from areas import access
from areas.models import Area
from core import outbox
from members.services import message_send

from .. import working_days
from ..models import Case, CaseHop, CaseNotice, CaseStatusChange, FeedbackRules, PartnerDepartment

CASE_MESSAGES = "feedback.my_case"


def change_status(case: Case, to: str, *, actor, reason: str = "", at=None) -> None:
    """Move a (locked) case to `to`, writing the step to its history; the caller saves."""
    CaseStatusChange.objects.create(
        case=case,
        from_status=case.status,
        to_status=to,
        actor=actor,
        reason=reason[:300],
        at=at or timezone.now(),
    )
    case.status = to


def record_hop(case: Case, rule: str, *, area=None, department=None, actor=None, reason=""):
    CaseHop.objects.create(
        case=case,
        rule=rule,
        to_area=area,
        to_department=department,
        actor=actor,
        reason=reason[:200],
    )


def deadline(case: Case, *, start=None):
    """When a case is due: its category's working days for its priority, counted in its
    district's calendar from `start` (now)."""
    days = case.category.working_days(case.priority)
    return working_days.add_working_days(start or timezone.now(), days, area=case.area)


def close_after_days(area: Area) -> int:
    rules = FeedbackRules.objects.filter(area__code=area.district_code).first()
    return rules.close_after_days if rules else settings.FEEDBACK_CLOSE_AFTER_DAYS


def tell_reporter(case: Case, *, title: str, body: str = "", event: str, followers=False):
    """A message in the worker's inbox (and, with `followers`, in the inbox of every worker
    who has the same problem). Compose title and body inside in_workers_language()."""
    link = reverse("mobile-my-case", args=[case.pk])
    workers = []
    if case.reporter_id:
        workers.append(case.reporter)
    if followers:
        workers += [follower.worker for follower in case.followers.select_related("worker")]
    for worker in workers:
        message_send(
            worker=worker,
            kind=CASE_MESSAGES,
            title=title,
            body=body,
            link=link,
            event_key=f"case:{case.pk}:{event}",
        )


def notify_unit(
    case: Case,
    kind: str,
    text: str,
    *,
    event: str,
    area: Area | None = None,
    department: PartnerDepartment | None = None,
) -> CaseNotice | None:
    """Tell the responsible unit (or `area` / `department`) once per `event`: a notice on
    its staff's work queue, and a text message to its duty phone where it has one."""
    department = department if department is not None else case.department
    area = area or case.responsible_area
    try:
        with transaction.atomic():
            notice = CaseNotice.objects.create(
                case=case,
                kind=kind,
                area=area,
                department=department,
                text=text[:200],
                event_key=f"{case.pk}:{event}"[:80],
            )
    except IntegrityError:
        return None  # told already
    if duty_phone(notice):
        outbox.enqueue("feedback.tasks.text_notice", notice.pk)
    return notice


def duty_phone(notice: CaseNotice) -> str:
    """The phone a unit's notices are texted to ("" when it has none): a department's
    duty phone, or a district office's (FeedbackRules)."""
    if notice.department_id:
        return notice.department.duty_phone
    if notice.area.level == Area.Level.DISTRICT:
        rules = FeedbackRules.objects.filter(area=notice.area).first()
        return rules.duty_phone if rules else ""
    return ""


def notice_text(*, notice_id: int) -> str:
    """Text a notice to its unit's duty phone, once (the outbox may run this twice)."""
    from core import sms

    with transaction.atomic():
        notice = (
            CaseNotice.objects.select_for_update(of=("self",))
            .select_related("area", "department")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None or notice.texted_at is not None:
            return "done"
        phone = duty_phone(notice)
        if not phone:
            return "no phone"
        sms.get_backend().send_notice(phone=phone, title=notice.text[:60])
        notice.texted_at = timezone.now()
        notice.save(update_fields=["texted_at"])
    return "sent"


@transaction.atomic
def notice_read(*, actor, notice: CaseNotice) -> CaseNotice:
    """Someone of the unit has read the notice: it leaves the unit's work queue."""
    notice = CaseNotice.objects.select_for_update().get(pk=notice.pk)
    access.require_write_to(actor, notice)
    if notice.read_at is None:
        notice.read_at, notice.read_by = timezone.now(), actor
        notice.save(update_fields=["read_at", "read_by"])
    return notice
