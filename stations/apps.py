from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = _("Stations")

    def ready(self):
        from django.core.cache import cache
        from django.db.models.signals import post_delete, post_save

        from .models import Brand, Facility
        from .selectors import BRAND_NAMES_CACHE_KEY, FACILITY_CODES_CACHE_KEY

        def forget_facility_codes(**kwargs):
            cache.delete(FACILITY_CODES_CACHE_KEY)

        post_save.connect(forget_facility_codes, sender=Facility, weak=False)
        post_delete.connect(forget_facility_codes, sender=Facility, weak=False)

        def forget_brand_names(**kwargs):
            cache.delete(BRAND_NAMES_CACHE_KEY)

        post_save.connect(forget_brand_names, sender=Brand, weak=False)
        post_delete.connect(forget_brand_names, sender=Brand, weak=False)

        from areas import object_grants
        from areas.models import StaffGrant
        from core.geocoder import register_place_source
        from members import me_panels, merge, personal_data

        from .me_panels import check_ins_panel
        from .personal_data import HANDLER as personal_data_handler
        from .places import station_places
        from .services import check_ins_merge

        merge.register("stations.CheckIn", check_ins_merge)
        # What stations holds about a worker, erases and keeps for how long (PIPL).
        personal_data.register(personal_data_handler)
        me_panels.register(check_ins_panel)
        # The admin's map search finds stations by name or address (core.geocoder).
        register_place_source("stations.station", station_places)
        # A station keeper's grant names the stations they keep.
        object_grants.register(
            object_grants.ObjectKind(
                key="stations.station",
                label=_("stations kept"),
                roles=frozenset({StaffGrant.Role.STATION_KEEPER}),
            )
        )
