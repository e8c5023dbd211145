"""What members work waits for a staff member (core.work_queue): registrations to review,
those that may be someone registered twice, their own contact pairs not contacted this month, and for party-affairs staff the
three-management gaps of the coverage report."""

from django.urls import reverse
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
            _("Workers you have not contacted this month (结对联系)"),
            selectors.uncontacted_this_month(user=user).count(),
            reverse("admin:members_contactpair_changelist") + "?mine=uncontacted",
        )
    )
    if reach.reaches_any(access.Purpose.PARTY):
        members = reverse("admin:members_partymember_changelist")
        active = selectors.active_members(user=user)
        items += [
            WorkItem(
                _("Party members without fallback management (兜底管)"),
                active.filter(has_fallback=False).count(),
                f"{members}?active=yes&gap=fallback",
            ),
            WorkItem(
                _("Party members without direct management (直接管)"),
                active.filter(has_direct=False, membership_org__isnull=False).count(),
                f"{members}?active=yes&gap=direct",
            ),
            WorkItem(
                _("Party members who lost contact (失联)"),
                active.filter(lost_contact=True).count(),
                f"{members}?active=yes&lost_contact__exact=1",
            ),
            WorkItem(
                _("Collaborations overdue for feedback (协同管)"),
                selectors.overdue_collaborations(user=user).count(),
                reverse("admin:members_managementassignment_changelist") + "?overdue=yes",
            ),
        ]
    return items
