"""The stations' figures for rollups and dashboards (core.facts; reports/ discovers them)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

FACTS = [
    Fact(
        key="stations.stations",
        label=_("Stations"),
        model="stations.Station",
        area_path="area",
        station_path="pk",
        breakdown="status",
    ),
    Fact(
        key="stations.stations_meeting_the_standard",
        label=_("Stations meeting the standard (六有)"),
        model="stations.Station",
        area_path="area",
        station_path="pk",
        where=Q(compliant=True),
    ),
    Fact(
        key="stations.visits",
        label=_("Visits"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        breakdown="source",
    ),
    Fact(
        key="stations.workers_checked_in",
        label=_("Workers who checked in"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.DISTINCT,
        over="worker",
        date_field="at",
        where=Q(worker__isnull=False),
    ),
    Fact(
        key="stations.far_away_check_ins",
        label=_("Check-ins over 1 km away"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        date_field="at",
        where=Q(far_away=True),
    ),
]
