"""What points work waits for a staff member (core.work_queue): rewards to hand over."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def points_work(request) -> list[WorkItem]:
    reach = access.reach_of(request.user)
    # A keeper hands rewards over at the stations they keep; staff of an area (a
    # community, a district, a city) oversee every station in it and are told so, not
    # spoken to as a keeper.
    if reach.everything or reach.prefixes[access.Purpose.WRITE]:
        label = _("Rewards waiting to be picked up at the stations of your area")
        url = reverse("admin:points_redemption_changelist") + "?status__exact=reserved"
    else:
        # A keeper hands them over at the counter: their home leads straight there.
        label = _("Rewards waiting to be picked up at your stations")
        url = reverse("admin:points_redemption_hand_over")
    return [WorkItem(label, selectors.waiting_at_stations(user=request.user).count(), url)]
