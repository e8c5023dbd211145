from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from core import work_queue
        from members import inbox, me_panels, merge, personal_data
        from points import rules

        from . import services
        from .me_panels import links_panel
        from .models import ActivityKind
        from .personal_data import HANDLER as personal_data_handler
        from .work_queue import activities_work

        work_queue.register(activities_work)
        me_panels.register(links_panel)
        merge.register("activities.SignUp", services.signups_merge)
        merge.register("activities.RoleAppointment", services.role_appointments_merge)
        merge.register("activities.VolunteerService", services.volunteer_services_merge)
        # What activities holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(personal_data_handler)
        # The activity types a points rule for attendance may name.
        rules.register_activity_kinds(ActivityKind.choices)
        inbox.register(
            inbox.MessageKind(
                code=services.ACTIVITY_TOMORROW,
                label=_("An activity you signed up for is tomorrow"),
            )
        )
