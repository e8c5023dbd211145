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
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext

from areas import access
from areas.models import GrantedObject

from .models import (
    Brand,
    CheckIn,
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
    always_open: bool = False
    # When a station that is not open now opens next (China-local, naive), if within a week.
    opens_at: dt.datetime | None = None
    # Now, as the search saw it (China-local): what `opens_at` is said relative to.
    searched_at: dt.datetime | None = None

    @property
    def state(self) -> "OpeningState":
        return opening_state(
            status=self.status,
            always_open=self.always_open,
            open_now=self.open_now,
            opens_at=self.opens_at,
            now=self.searched_at,
        )

    @property
    def walking_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / WALKING_METRES_PER_MINUTE))

    @property
    def ebike_minutes(self) -> int:
        return max(1, math.ceil(self.distance_m / EBIKE_METRES_PER_MINUTE))


class OpeningStates:
    """What a worker is told about a station's hours right now (the phone's map and list)."""

    OPEN = "open"
    ALWAYS_OPEN = "always_open"  # open, and open 24 hours
    OPENS_LATER = "opens_later"  # closed now, opens within the week (opens_at says when)
    CLOSED = "closed"  # closed now, no opening in the coming week
    PAUSED = "paused"  # temporarily closed by its keeper or its community

    ALL = (OPEN, ALWAYS_OPEN, OPENS_LATER, CLOSED, PAUSED)


@dataclass(frozen=True)
class OpeningState:
    code: str  # one of OpeningStates.ALL
    label: str  # in words, translated: "24 小时开放", "明天 08:00 开门"…


def opening_state(
    *,
    status: str,
    always_open: bool,
    open_now: bool,
    opens_at: dt.datetime | None,
    now: dt.datetime | None = None,
) -> OpeningState:
    """A station's state as a worker reads it: open (24 hours, or now), paused, or closed —
    and then when it opens next ("08:00 开门", "明天 08:00 开门", "周三 08:00 开门"), where
    `opens_at` (stations_next_opening) says so."""
    if status == Station.Status.TEMPORARILY_CLOSED:
        return OpeningState(OpeningStates.PAUSED, gettext("Temporarily closed"))
    if open_now:
        if always_open:
            return OpeningState(OpeningStates.ALWAYS_OPEN, gettext("Open 24 hours"))
        return OpeningState(OpeningStates.OPEN, gettext("Open now"))
    if opens_at is None:
        return OpeningState(OpeningStates.CLOSED, gettext("Closed now"))
    today = local_now(now).date()
    at = f"{opens_at:%H:%M}"
    days_ahead = (opens_at.date() - today).days
    if days_ahead <= 0:
        label = gettext("Opens at %(time)s") % {"time": at}
    elif days_ahead == 1:
        label = gettext("Opens tomorrow at %(time)s") % {"time": at}
    else:
        weekday = OpeningPeriod.Weekday(opens_at.weekday()).label
        label = gettext("Opens %(weekday)s at %(time)s") % {"weekday": weekday, "time": at}
    return OpeningState(OpeningStates.OPENS_LATER, label)


def next_opening(station_id: int, at: dt.datetime | None = None) -> dt.datetime | None:
    """When the station opens next after `at` (default: now), China-local and naive, within
    the coming week; None when it does not (stations_next_opening says the rule)."""
    now = local_now(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stations_next_opening(%s, %s, %s, %s)",
            [station_id, now.date(), now.time().replace(microsecond=0), Station.Status.OPEN.value],
        )
        return cursor.fetchone()[0]


def station_opening_state(station: Station, at: dt.datetime | None = None) -> OpeningState:
    """The state of a station annotated by with_open_now (public_station_detail's), as the
    phone's station page says it: one more query only when it is not open now."""
    now = local_now(at)
    return opening_state(
        status=station.status,
        always_open=station.always_open,
        open_now=station.is_open_now,
        opens_at=None if station.is_open_now else next_opening(station.pk, now),
        now=now,
    )


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
SELECT found.*,
       CASE WHEN NOT found.open_now
            THEN stations_next_opening(found.id, %(local_date)s, %(local_time)s, %(open)s)
       END
  FROM (
SELECT s.id, s.name, b.name, s.address, s.status, s.always_open,
       ST_X(s.location::geometry), ST_Y(s.location::geometry),
       %(open_only)s OR stations_station_open_at(
           s.id, s.status, s.always_open, %(local_date)s, %(local_time)s, %(open)s) AS open_now,
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
) AS found
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
    searched_at = now.replace(tzinfo=None, microsecond=0)
    return [
        NearbyResult(
            id=id_,
            name=name,
            brand=brand,
            address=address,
            status=status,
            always_open=always_open,
            lng=x,
            lat=y,
            open_now=is_open,
            distance_m=round(distance),
            facilities=facilities,
            opens_at=opens_at,
            searched_at=searched_at,
        )
        for (
            id_,
            name,
            brand,
            address,
            status,
            always_open,
            x,
            y,
            is_open,
            distance,
            facilities,
            opens_at,
        ) in rows
    ]


def nearest_open_beyond(
    results: list[NearbyResult],
    *,
    lng: float,
    lat: float,
    facility_codes: list[str] = (),
    at: dt.datetime | None = None,
) -> NearbyResult | None:
    """When none of the nearby `results` is open: the nearest open station (with the same
    facilities) up to NEARBY_MAX_RADIUS_M away, so a worker at 2 a.m. is told truthfully
    that nothing is open within reach and where the nearest open one is — never an empty
    page. None when one of the results is open, or nothing is open that far."""
    if any(r.open_now for r in results):
        return None
    farther = stations_nearby(
        lng=lng,
        lat=lat,
        radius_m=settings.NEARBY_MAX_RADIUS_M,
        facility_codes=facility_codes,
        open_now=True,
        limit=1,
        at=at,
    )
    return farther[0] if farther else None


def weekly_hours(station: Station) -> list[tuple[str, list[str]]]:
    """Hours for display, Monday first: [(day name, ["08:00–20:00", …]), …]."""
    days = []
    periods = list(station.opening_periods.all())
    for value, label in OpeningPeriod.Weekday.choices:
        spans = [f"{p.opens:%H:%M}–{p.closes:%H:%M}" for p in periods if p.weekday == value]
        days.append((label, spans))
    return days


# A keeper's home -------------------------------------------------------------------------


@dataclass(frozen=True)
class KeptStation:
    """One of a keeper's stations as their home page shows it."""

    station: Station
    opening: OpeningState
    closed_today: bool  # by a dated exception for today (the keeper's tap, or the community)
    check_ins_today: int
    visitors_today: int


def keeper_home_stations(user, at: dt.datetime | None = None) -> list[KeptStation]:
    """The stations a station keeper keeps, with today's state and visits — for a user
    whose only grants are keepers' grants (an area's staff get their work queue and
    dashboard instead). Three queries, and one more for each station closed now."""
    reach = access.reach_of(user)
    if reach.everything or any(reach.prefixes.values()) or not reach.objects_of(KEPT_STATION):
        return []
    now = local_now(at)
    today = now.date()
    midnight = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
    # Through the choke point, as every staff read: for a keeper, their stations.
    stations = list(
        with_open_now(access.scope(Station.objects.all(), user), now)
        .exclude(status=Station.Status.CLOSED)
        .order_by("name")
    )
    kept = [s.pk for s in stations]
    visits = {
        row["station"]: row
        for row in CheckIn.objects.filter(station__in=kept, at__gte=midnight)
        .values("station")
        .annotate(check_ins=Count("pk"), visitors=Sum("visitors"))
    }
    closed_today = set(
        OpeningException.objects.filter(station__in=kept, date=today, closed=True).values_list(
            "station_id", flat=True
        )
    )
    return [
        KeptStation(
            station=s,
            # The next opening is asked only of a closed station (one query each): a keeper
            # keeps one station, rarely a few.
            opening=station_opening_state(s, now),
            closed_today=s.pk in closed_today,
            check_ins_today=visits.get(s.pk, {}).get("check_ins", 0),
            visitors_today=visits.get(s.pk, {}).get("visitors") or 0,
        )
        for s in stations
    ]


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
