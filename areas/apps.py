from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "areas"
    verbose_name = _("Areas")

    def ready(self):
        from core.geocoder import register_place_source

        from .places import area_places

        # The admin's map search finds areas by name (core.geocoder).
        register_place_source("areas.area", area_places)
