"""The stations' figures for rollups and dashboards (core.facts; reports/ discovers them).

Not here, on purpose: open hours per week. A station's hours are its OpeningPeriod rows
(one per weekday and period, past midnight allowed), not a stored per-station figure, and
a fact may only add up a column of its own rows; it needs a stored weekly total on the
station (a model change) before it can be a fact."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import ExtractHour
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure, Ratio

FACTS = [
    Fact(
        key="stations.stations",
        label=_("Stations"),
        model="stations.Station",
        area_path="area",
        station_path="pk",
        breakdown="status",
    ),
    # The same stations as above, by brand instead of status, so both breakdowns share one
    # total. The value is the brand's id: a brand's name lives in the catalogue (another
    # table, which the rollups do not watch), and the dashboard names it from there.
    Fact(
        key="stations.stations_by_brand",
        label=_("Stations by brand"),
        model="stations.Station",
        area_path="area",
        station_path="pk",
        breakdown="brand",
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
    # Visits = named + anonymous. A named worker's check-in is one visitor (a check
    # constraint), so the named sum is also the number of named check-ins.
    Fact(
        key="stations.named_visits",
        label=_("Visits by workers who gave their name"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        where=Q(worker__isnull=False),
    ),
    # Visits taken while the station was not open (temporarily closed, closed for the
    # day, outside its hours): a station whose workers come when it is shut needs other
    # hours, and a keeper who marks it closed today sees the cost (issue 14 §2).
    Fact(
        key="stations.visits_outside_hours",
        label=_("Visits while the station was not open"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        where=Q(outside_hours=True),
    ),
    Fact(
        key="stations.anonymous_visits",
        label=_("Visitors counted by the keeper without names"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        where=Q(worker__isnull=True),
    ),
    # The busiest hours: visits by the hour of day on the local clock (a check-in at
    # 00:30 UTC is an 8 o'clock visit in China).
    Fact(
        key="stations.visits_by_hour",
        label=_("Visits by hour of day"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        breakdown=ExtractHour("at", tzinfo=ZoneInfo(settings.TIME_ZONE)),
    ),
    # Each service ticked counts the check-in's visitors once: a keeper's count of twelve
    # visitors who took water is twelve uses of water. A check-in with no service ticked
    # counts in the total only, so the services do not add up to it (nor should they: one
    # visit may use several).
    Fact(
        key="stations.services_used",
        label=_("Services used"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        measure=Measure.SUM,
        over="visitors",
        date_field="at",
        breakdown="services",
        breakdown_each=True,
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
    # Rows, not visitors: the denominator of the far-away share (a keeper's count of
    # visitors is one check-in made at the station, never far away).
    Fact(
        key="stations.check_ins",
        label=_("Check-ins"),
        model="stations.CheckIn",
        area_path="station__area",
        station_path="station",
        date_field="at",
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

RATIOS = [
    Ratio(
        key="stations.far_away_share",
        label=_("Share of check-ins over 1 km away"),
        numerator="stations.far_away_check_ins",
        denominator="stations.check_ins",
    ),
    Ratio(
        key="stations.meeting_the_standard_share",
        label=_("Share of stations meeting the standard (六有)"),
        numerator="stations.stations_meeting_the_standard",
        denominator="stations.stations",
    ),
]
