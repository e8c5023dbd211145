"""What activities work waits for a staff member (core.work_queue): roll calls due and
volunteer hours to verify."""

from django.urls import reverse
from django.utils.translation import gettext as _

from areas import access
from core.work_queue import WorkItem

from . import selectors


def activities_work(request) -> list[WorkItem]:
    if not access.reach_of(request.user).reaches_any(access.Purpose.WRITE):
        return []
    return [
        WorkItem(
            _("Activities of the last 7 days with no attendance recorded (roll call due)"),
            selectors.without_attendance(user=request.user).count(),
            reverse("admin:activities_activity_changelist") + "?roll_call=due",
        ),
        WorkItem(
            _("Volunteer hours to verify"),
            selectors.services_to_verify(user=request.user).count(),
            reverse("admin:activities_volunteerservice_changelist") + "?status__exact=reported",
        ),
    ]
