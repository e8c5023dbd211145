"""What wishes work waits for a staff member (core.work_queue): wishes to review,
organisations to verify, gifts to hand over at the counter of the stations they keep or
reach, and claims whose deadline is near (a call to the donor helps)."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def wishes_work(request) -> list[WorkItem]:
    if not access.reach_of(request.user).reaches_any(access.Purpose.WRITE):
        return []
    soon = timedelta(days=settings.WISH_CLAIM_REMINDER_DAYS)
    return [
        WorkItem(
            _("Micro-wishes waiting for review"),
            selectors.review_queue(user=request.user).count(),
            reverse("admin:wishes_wish_changelist") + "?status__exact=submitted",
        ),
        WorkItem(
            _("Donor organisations to verify"),
            selectors.donors_to_verify(user=request.user).count(),
            reverse("admin:wishes_donor_changelist")
            + "?kind__exact=organisation&verified_at__isempty=1",
        ),
        WorkItem(
            _("Micro-wish gifts to hand over at the counter"),
            selectors.claims_to_hand_over(user=request.user).count(),
            reverse("admin:wishes_claim_hand_over"),
        ),
        WorkItem(
            _("Claims due within %(days)d days") % {"days": soon.days},
            selectors.claims_near_deadline(user=request.user, within=soon).count(),
            reverse("admin:wishes_claim_changelist") + "?status__exact=claimed&o=6",
        ),
    ]
