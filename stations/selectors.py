"""Reads of stations: scoped lists for staff, and the public nearest-station search."""

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db.models import BooleanField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils import timezone

from areas import access

from .models import (
    Facility,
    OpeningException,
    OpeningPeriod,
    RetiredPosterKey,
    Station,
    StationFacility,
)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
WALKING_METRES_PER_MINUTE = 80  # 4.8 km/h
EBIKE_METRES_PER_MINUTE = 250  # 15 km/h, the e-bike speed a delivery rider keeps in town


def local_now(at: dt.datetime | None = None) -> dt.datetime:
    """Opening hours are kept in China time whatever the server's clock says."""
    return (at or timezone.now()).astimezone(LOCAL_TZ)


def open_now_q(at: dt.datetime | None = None) -> Q:
    """The one rule for "is this station open now?", as a filter the database can run.

    Open means: status is open, and
    - if today has a dated exception, the exception decides (closed, or its hours);
    - otherwise it is open 24 hours, or inside one of today's weekly periods, or inside a
      period that started yesterday and runs past midnight (unless yesterday itself had
      an exception, which replaced that period).
    """
    now = local_now(at)
    today, time = now.date(), now.time().replace(microsecond=0)
    yesterday = today - dt.timedelta(days=1)
    weekday, prev_weekday = today.weekday(), yesterday.weekday()

    exception_today = OpeningException.objects.filter(station=OuterRef("pk"), date=today)
    exception_yesterday = OpeningException.objects.filter(station=OuterRef("pk"), date=yesterday)
    open_by_exception = exception_today.filter(closed=False, opens__lte=time, closes__gt=time)
    in_period_today = OpeningPeriod.objects.filter(
        Q(closes__gt=time) | Q(closes__lte=F("opens")),  # ends later today, or after midnight
        station=OuterRef("pk"),
        weekday=weekday,
        opens__lte=time,
    )
    overnight_from_yesterday = OpeningPeriod.objects.filter(
        station=OuterRef("pk"), weekday=prev_weekday, closes__lte=F("opens"), closes__gt=time
    )
    regular = (
        Q(always_open=True)
        | Q(Exists(in_period_today))
        | (Q(Exists(overnight_from_yesterday)) & ~Q(Exists(exception_yesterday)))
    )
    return Q(status=Station.Status.OPEN) & (
        (Q(Exists(exception_today)) & Q(Exists(open_by_exception)))
        | (~Q(Exists(exception_today)) & regular)
    )


def with_open_now(queryset: QuerySet, at: dt.datetime | None = None) -> QuerySet:
    """Annotate `is_open_now` on each station (the same rule as the filter)."""
    from django.db.models import ExpressionWrapper

    return queryset.annotate(
        is_open_now=ExpressionWrapper(open_now_q(at), output_field=BooleanField())
    )


def with_facilities(queryset: QuerySet, codes: list[str]) -> QuerySet:
    """Stations that have every facility in `codes` available."""
    for code in codes:
        queryset = queryset.filter(
            Exists(
                StationFacility.objects.filter(
                    station=OuterRef("pk"), facility__code=code, available=True
                )
            )
        )
    return queryset


def facility_prefetch() -> Prefetch:
    return Prefetch(
        "station_facilities",
        queryset=StationFacility.objects.filter(available=True)
        .select_related("facility")
        .order_by("facility__order", "facility__code"),
    )


def station_list(*, user) -> QuerySet:
    """Stations a staff member reaches, ready for a list page or API."""
    return with_open_now(
        access.scope(Station.objects.all(), user)
        .select_related("brand", "area", "area__parent")
        .prefetch_related(facility_prefetch())
    )


def public_station_detail(*, station_id: int) -> Station:
    """A station as workers see it: every station that is not closed is public."""
    return (
        with_open_now(Station.objects.exclude(status=Station.Status.CLOSED))
        .select_related("brand", "area", "area__parent__parent")
        .prefetch_related(facility_prefetch(), "opening_periods", "photos", "opening_exceptions")
        .get(pk=station_id)
    )


def station_for_poster_key(key: str) -> tuple[Station | None, bool]:
    """The station a poster key leads to and whether the key is still current.
    (None, False) when no station that is still open used this key."""
    station = Station.objects.filter(poster_key=key).exclude(status=Station.Status.CLOSED).first()
    if station is not None:
        return station, True
    retired = RetiredPosterKey.objects.select_related("station").filter(key=key).first()
    if retired is not None and retired.station.status != Station.Status.CLOSED:
        return retired.station, False
    return None, False


FACILITY_CODES_CACHE_KEY = "stations:facility-codes"


def known_facility_codes() -> set[str]:
    """The catalogue's codes, cached in Redis (the nearby search checks them on every
    request); stations.apps clears the entry whenever the catalogue changes."""
    return cache.get_or_set(
        FACILITY_CODES_CACHE_KEY,
        lambda: set(Facility.objects.values_list("code", flat=True)),
        timeout=3600,
    )


@dataclass(frozen=True)
class NearbyResult:
    station: Station
    distance_m: int
    facilities: list[dict]  # [{"code", "name", "note"}], catalogue order

    @property
    def walking_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / WALKING_METRES_PER_MINUTE))

    @property
    def ebike_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / EBIKE_METRES_PER_MINUTE))


def stations_nearby(
    *,
    lng: float,
    lat: float,
    radius_m: int | None = None,
    facility_codes: list[str] = (),
    open_now: bool = False,
    limit: int = 20,
    at: dt.datetime | None = None,
) -> list[NearbyResult]:
    """The nearest public stations to a WGS-84 point, nearest first.

    Ordering uses PostGIS's KNN operator (<->) on the geography column's GiST index, so
    the database walks stations outward from the point and stops after `limit` matches
    instead of measuring every station in the country.
    """
    radius_m = radius_m or settings.NEARBY_DEFAULT_RADIUS_M
    point = Point(lng, lat, srid=4326)
    distance = RawSQL(f"{Station._meta.db_table}.location <-> ST_GeogFromText(%s)", (point.ewkt,))
    queryset = (
        Station.objects.exclude(status=Station.Status.CLOSED)
        .filter(location__dwithin=(point, D(m=radius_m)))
        .select_related("brand")
        .only("id", "name", "address", "location", "status", "brand__name")
        # Facilities come back as one JSON array per row: no second query, no model
        # instances to build (this is the hottest public endpoint).
        .annotate(distance_m=distance, facility_list=_facility_list())
        .order_by("distance_m")
    )
    queryset = with_facilities(queryset, list(facility_codes))
    if open_now:
        # Filtered on the rule already: every row is open, so the rule is not compiled and
        # evaluated a second time as an annotation.
        queryset = queryset.filter(open_now_q(at)).annotate(
            is_open_now=Value(True, output_field=BooleanField())
        )
    else:
        queryset = with_open_now(queryset, at)
    return [
        NearbyResult(station=s, distance_m=round(s.distance_m), facilities=s.facility_list)
        for s in queryset[:limit]
    ]


def _facility_list() -> ArraySubquery:
    return ArraySubquery(
        StationFacility.objects.filter(station=OuterRef("pk"), available=True)
        .order_by("facility__order", "facility__code")
        .values(json=JSONObject(code="facility__code", name="facility__name", note="note"))
    )


def weekly_hours(station: Station) -> list[tuple[str, list[str]]]:
    """Hours for display, Monday first: [(day name, ["08:00–20:00", …]), …]."""
    days = []
    periods = list(station.opening_periods.all())
    for value, label in OpeningPeriod.Weekday.choices:
        spans = [f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods if p.weekday == value]
        days.append((label, spans))
    return days
