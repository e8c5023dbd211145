from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points")

    def ready(self):
        from core import work_queue
        from members import inbox, me_panels, merge, personal_data

        from .me_panels import balance_panel
        from .personal_data import HANDLER as personal_data_handler
        from .services import REDEMPTION_MESSAGES, points_merge, redemptions_merge
        from .work_queue import points_work

        work_queue.register(points_work)
        me_panels.register(balance_panel)
        merge.register("points.PointsAccount", points_merge)
        merge.register("points.Redemption", redemptions_merge)
        # What points holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(personal_data_handler)
        inbox.register(
            inbox.MessageKind(
                code=REDEMPTION_MESSAGES,
                label=_("A gift ready to pick up, and a day before it goes back"),
            )
        )
