from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        # The system checks; health stamps each published task with its time.
        from . import checks, health, sensitive_words  # noqa: F401
