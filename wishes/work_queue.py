"""What wishes work waits for a staff member (core.work_queue): wishes to review."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def wishes_work(request) -> list[WorkItem]:
    if not access.reach_of(request.user).reaches_any(access.Purpose.WRITE):
        return []
    return [
        WorkItem(
            _("Micro-wishes waiting for review"),
            selectors.review_queue(user=request.user).count(),
            reverse("admin:wishes_wish_changelist") + "?status__exact=submitted",
        )
    ]
