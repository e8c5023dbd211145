"""What feedback work waits for a staff member (core.work_queue): cases to accept (研判),
overdue cases, notices to their units (reopened, escalated, referred, overdue tasks)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def feedback_work(request) -> list[WorkItem]:
    if not access.reach_of(request.user).reaches_any(access.Purpose.WRITE):
        return []
    cases = reverse("admin:feedback_case_changelist")
    return [
        WorkItem(
            _("Cases waiting to be accepted"),
            selectors.acceptance_queue(user=request.user).count(),
            cases + "?status__exact=submitted",
        ),
        WorkItem(
            _("Cases overdue"),
            selectors.overdue_cases(user=request.user).count(),
            cases + "?overdue=now",
        ),
        WorkItem(
            _("Notices about cases, unread"),
            selectors.unread_notices(user=request.user).count(),
            reverse("admin:feedback_casenotice_changelist") + "?read_at__isempty=1",
        ),
    ]
