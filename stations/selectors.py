"""Reads of stations: scoped lists for staff, and the public nearest-station search."""

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import BooleanField, F, Func, Prefetch, Q, QuerySet, TextField, Value
from django.utils import timezone

from areas import access
from areas.models import GrantedObject

from .models import (
    Brand,
    CheckIn,
    Facility,
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


class StationOpenAt(Func):
    """The one rule for "is this station open?", evaluated by the database for the station
    row: the SQL function `stations_station_open_at`, which asks `stations_open_stations`
    (stations/sql/ holds the rule and says it in words) for this station. The hand-written
    nearby search calls the same function; open_now_by_station asks for many at once."""

    function = "stations_station_open_at"
    output_field = BooleanField()

    def __init__(self, at: dt.datetime | None = None):
        now = local_now(at)
        super().__init__(
            F("pk"),
            F("status"),
            F("always_open"),
            Value(now.date()),
            Value(now.time().replace(microsecond=0)),
            Value(Station.Status.OPEN.value),
        )


class StationHasFacilities(Func):
    """Every facility in `codes` is available at the station (SQL function
    `stations_station_has_facilities` in stations/sql/; the nearby search shares it)."""

    function = "stations_station_has_facilities"
    output_field = BooleanField()

    def __init__(self, codes: list[str]):
        super().__init__(F("pk"), Value(list(codes), output_field=ArrayField(TextField())))


def open_now_q(at: dt.datetime | None = None) -> Q:
    """A filter for stations open at `at` (default: now), China time."""
    return Q(StationOpenAt(at))


def with_open_now(queryset: QuerySet, at: dt.datetime | None = None) -> QuerySet:
    """Annotate `is_open_now` on each station (the same rule as the filter)."""
    return queryset.annotate(is_open_now=StationOpenAt(at))


def open_now_by_station(stations: QuerySet, at: dt.datetime | None = None) -> dict[int, bool]:
    """{id: open at `at` (default: now)} for every station of `stations`, in one statement:
    the same rule as open_now_q, asked of the SQL function for the whole set
    (stations_open_stations) instead of once per station — for pages that show or count
    many stations (a city's 2,000 cost 40 ms one by one, 1 ms as a set)."""
    now = local_now(at)
    try:
        ids_sql, ids_params = stations.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter that can match nothing
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, o.station_id IS NOT NULL FROM ({ids_sql}) AS s(id) "
            "LEFT JOIN stations_open_stations(%s, %s, %s) AS o ON o.station_id = s.id",
            [*ids_params, now.date(), now.time().replace(microsecond=0), Station.Status.OPEN.value],
        )
        return dict(cursor.fetchall())


def with_facilities(queryset: QuerySet, codes: list[str]) -> QuerySet:
    """Stations that have every facility in `codes` available."""
    return queryset.filter(StationHasFacilities(codes)) if codes else queryset


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


BRAND_NAMES_CACHE_KEY = "stations:brand-names"


def brand_names() -> dict[str, str]:
    """{brand id as text: name} (figures broken down by brand name their values so), cached
    in Redis for the dashboards; stations.apps clears the entry whenever a brand changes."""
    return cache.get_or_set(
        BRAND_NAMES_CACHE_KEY,
        lambda: {str(pk): name for pk, name in Brand.objects.values_list("pk", "name")},
        timeout=3600,
    )


@dataclass(frozen=True)
class NearbyResult:
    """One station found by the nearby search: the fields a worker's phone shows, plain
    values rather than a model instance (this is the hottest public endpoint)."""

    id: int
    name: str
    brand: str
    address: str
    status: str
    lng: float
    lat: float
    open_now: bool
    distance_m: int
    facilities: list[dict]  # [{"code", "name", "note"}], catalogue order

    @property
    def walking_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / WALKING_METRES_PER_MINUTE))

    @property
    def ebike_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / EBIKE_METRES_PER_MINUTE))


# The nearby search is one hand-written, parameterised statement: building and compiling
# the equivalent ORM query cost ~14 ms of Python per request against ~4 ms of SQL
# (BENCHMARKS.md). The rules it applies are not restated here: "open" and "has these
# facilities" are the SQL functions the ORM filters call too (stations/sql/), and "public"
# is every station that is not closed, as in public_station_detail().
#
# Ordering uses PostGIS's KNN operator (<->) on the geography column's GiST index, so the
# database walks stations outward from the point and stops after `limit` matches instead
# of measuring every station in the country; ST_DWithin bounds the walk.
NEARBY_SQL = """
SELECT s.id, s.name, b.name, s.address, s.status,
       ST_X(s.location::geometry), ST_Y(s.location::geometry),
       %(open_only)s OR stations_station_open_at(
           s.id, s.status, s.always_open, %(local_date)s, %(local_time)s, %(open)s),
       s.location <-> ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography,
       (SELECT coalesce(
                   json_agg(json_build_object('code', f.code, 'name', f.name, 'note', sf.note)
                            ORDER BY f."order", f.code),
                   '[]'::json)
          FROM stations_stationfacility sf
          JOIN stations_facility f ON f.id = sf.facility_id
         WHERE sf.station_id = s.id AND sf.available)
  FROM stations_station s
  JOIN stations_brand b ON b.id = s.brand_id
 WHERE s.status <> %(closed)s
   AND ST_DWithin(s.location, ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography,
                  %(radius_m)s)
   AND (cardinality(%(codes)s::text[]) = 0
        OR stations_station_has_facilities(s.id, %(codes)s::text[]))
   AND (NOT %(open_only)s
        OR stations_station_open_at(
               s.id, s.status, s.always_open, %(local_date)s, %(local_time)s, %(open)s))
 ORDER BY s.location <-> ST_SetSRID(ST_MakePoint(%(lng)s, %(lat)s), 4326)::geography
 LIMIT %(limit)s
"""


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
    """The nearest public stations to a WGS-84 point, nearest first, within `radius_m`;
    with `open_now`, only stations open at `at` (default: now); with `facility_codes`,
    only stations where every one of them is available."""
    now = local_now(at)
    params = {
        "lng": float(lng),
        "lat": float(lat),
        "radius_m": float(radius_m or settings.NEARBY_DEFAULT_RADIUS_M),
        "codes": list(facility_codes),
        "open_only": bool(open_now),
        "local_date": now.date(),
        "local_time": now.time().replace(microsecond=0),
        "open": Station.Status.OPEN.value,
        "closed": Station.Status.CLOSED.value,
        "limit": int(limit),
    }
    with connection.cursor() as cursor:
        cursor.execute(NEARBY_SQL, params)
        rows = cursor.fetchall()
    return [
        NearbyResult(
            id=id_,
            name=name,
            brand=brand,
            address=address,
            status=status,
            lng=x,
            lat=y,
            open_now=is_open,
            distance_m=round(distance),
            facilities=facilities,
        )
        for id_, name, brand, address, status, x, y, is_open, distance, facilities in rows
    ]


def weekly_hours(station: Station) -> list[tuple[str, list[str]]]:
    """Hours for display, Monday first: [(day name, ["08:00–20:00", …]), …]."""
    days = []
    periods = list(station.opening_periods.all())
    for value, label in OpeningPeriod.Weekday.choices:
        spans = [f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods if p.weekday == value]
        days.append((label, spans))
    return days


# Check-ins -------------------------------------------------------------------------------


def check_in_list(*, user) -> QuerySet:
    """Check-ins at the stations a staff member reaches (keepers: their stations)."""
    return access.scope(CheckIn.objects.all(), user).select_related(
        "station", "station__area", "worker", "recorded_by"
    )


def check_ins_of(worker) -> QuerySet:
    """A worker's own check-in history, newest first (their /m/me pages)."""
    return CheckIn.objects.filter(worker=worker).select_related("station").order_by("-at")


# Station keepers: a keeper's grant names the stations they keep (areas.object_grants).
KEPT_STATION = "stations.station"


def stations_kept(*, grant=None) -> QuerySet:
    """The stations one keeper's grant names, or (no grant) every station with a keeper."""
    named = GrantedObject.objects.filter(kind=KEPT_STATION)
    named = named.filter(grant=grant) if grant is not None else named.filter(grant__role="keeper")
    return Station.objects.filter(pk__in=named.values("object_id"))
