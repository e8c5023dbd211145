from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Workers and party work")

    def ready(self):
        from core import work_queue

        from .ledgers import register_ledgers
        from .work_queue import members_work

        work_queue.register(members_work)
        register_ledgers()
