"""What points work waits for a staff member (core.work_queue): rewards to hand over."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.work_queue import WorkItem

from . import selectors


def points_work(request) -> list[WorkItem]:
    return [
        WorkItem(
            _("Rewards waiting to be picked up at your stations"),
            selectors.waiting_at_stations(user=request.user).count(),
            reverse("admin:points_redemption_changelist") + "?status__exact=reserved",
        )
    ]
