"""The libraries' apps under names a Chinese admin reads (their own are English and not
marked for translation)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lockouts")
