from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "wishes"
    verbose_name = _("Micro-wishes")

    def ready(self):
        from core import work_queue
        from members import me_panels, merge, personal_data

        from . import services
        from .me_panels import links_panel
        from .personal_data import HANDLER
        from .work_queue import wishes_work

        work_queue.register(wishes_work)
        me_panels.register(links_panel)
        merge.register("wishes.Wish", services.wishes_merge)
        # What wishes holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(HANDLER)
