"""What party work waits for party-affairs staff (core.work_queue): the three-management
gaps of the coverage report, lost contact, collaborations overdue for feedback."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def party_work(request) -> list[WorkItem]:
    user = request.user
    if not access.reach_of(user).reaches_any(access.Purpose.PARTY):
        return []
    members = reverse("admin:party_partymember_changelist")
    active = selectors.active_members(user=user)
    return [
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
            reverse("admin:party_managementassignment_changelist") + "?overdue=yes",
        ),
    ]
