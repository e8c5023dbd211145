"""What members work waits for a staff member (core.work_queue): registrations to review,
those that may be someone registered twice, workers asking to move in, their own contact pairs not contacted this
month, account deletion requests to answer (PIPL art. 47)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def members_work(request) -> list[WorkItem]:
    user = request.user
    reach = access.reach_of(user)
    items = []
    if reach.reaches_any(access.Purpose.WRITE):
        items.append(
            WorkItem(
                _("Registrations waiting for review"),
                selectors.review_queue(user=user).count(),
                reverse("admin:members_worker_changelist") + "?status__exact=pending",
            )
        )
        items.append(
            WorkItem(
                _("Registrations waiting for review that may be duplicates"),
                selectors.possible_duplicates(selectors.review_queue(user=user)).count(),
                reverse("admin:members_worker_changelist")
                + "?status__exact=pending&duplicates=yes",
            )
        )
        items.append(
            WorkItem(
                _("Workers asking to move in (转入)"),
                selectors.transfers_to_decide(user=user).count(),
                reverse("admin:members_workertransfer_changelist")
                + "?status__exact=pending&direction=in",
            )
        )
        deletions = selectors.deletion_queue(user=user)
        deletions_url = reverse("admin:members_deletionrequest_changelist")
        items.append(
            WorkItem(
                _("Requests to delete an account (answer within 15 days)"),
                deletions.count(),
                deletions_url + "?status__exact=pending",
            )
        )
        items.append(
            WorkItem(
                _("Requests to delete an account past their deadline"),
                deletions.filter(due_on__lt=timezone.localdate()).count(),
                deletions_url + "?status__exact=pending",
            )
        )
    items.append(
        WorkItem(
            _("Workers you have not contacted this month (结对联系)"),
            selectors.uncontacted_this_month(user=user).count(),
            reverse("admin:members_contactpair_changelist") + "?mine=uncontacted",
        )
    )
    return items
