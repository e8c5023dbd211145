"""What estate pass work waits for a staff member (core.work_queue): suspensions the
worker objected to, which the community (or the property company) settles."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def estates_work(request) -> list[WorkItem]:
    if not access.reach_of(request.user).reaches_any(access.Purpose.WRITE):
        return []
    return [
        WorkItem(
            _("Pass suspensions objected to"),
            selectors.contested_passes(user=request.user).count(),
            reverse("admin:estates_estatepass_changelist") + "?contested=yes",
        )
    ]
