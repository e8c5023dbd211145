from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points")

    def ready(self):
        from core import work_queue
        from members import me_panels, merge

        from .me_panels import balance_panel
        from .services import points_merge, redemptions_merge
        from .work_queue import points_work

        work_queue.register(points_work)
        me_panels.register(balance_panel)
        merge.register("points.PointsAccount", points_merge)
        merge.register("points.Redemption", redemptions_merge)
