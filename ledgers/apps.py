from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    """Ledgers (台账) in and out of Excel: the engine, the import jobs and their pages.
    Apps describe their ledgers in ledgers.registry and register them in ready()."""

    name = "ledgers"
    verbose_name = _("Ledgers")
