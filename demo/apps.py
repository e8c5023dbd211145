from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo network (`manage.py load_demo`). Above every app: it may use any of them,
    and none of them knows it."""

    name = "demo"
    verbose_name = _("Demo")
