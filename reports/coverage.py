"""The 一刻钟服务圈 (15-minute service circle): which outlets and communities of an area lie
within a quarter of an hour of an open station, walking and by e-bike; what share of the
area's workers that is; where the gaps are; and where a few new stations would close the
most of them (issue 13 §2).

A pure computation: it reads the ledgers and the station network and returns plain
dataclasses (`Coverage.to_dict()` is JSON), so the Celery job that stores the results, the
dashboard, the 大屏 and the stats API all show the same figures. Nothing here writes a row.
The caller has already checked that the user may see `area`; every outlet, community and
candidate site is taken from `area` by division-code prefix, as core.facts does.

How it decides, in words a district can check:

Reach. A station is "within reach" of a place when the straight-line distance is at most
    speed × minutes ÷ detour factor.
Streets do not run straight to the door: the route is longer than the crow's flight by a
factor of about 1.2–1.4 in a city street grid, more where gated estates (进门难), rivers or
railways are in the way. COVERAGE_DETOUR_FACTOR (1.3) stands for that. With the defaults
(walking 4.8 km/h, e-bike 15 km/h — the speeds the station finder on the phone uses — and
15 minutes) a place is covered on foot within 923 m of a station and by e-bike within
2,885 m. Distances are PostGIS geography distances in metres (ST_DWithin on the spheroid).

Open station. A station counts when it is in service: its status is "open" and it keeps
opening hours — open 24 hours, or at least one weekly opening period. The time of day does
not matter: the circle is a planning figure about what the network offers, computed by a
job, not "open this minute" (the dashboard's open-now count says that). A temporarily closed
station does not count; nor does one marked open with no hours entered, which the phone
pages show as never open (stations_station_open_at) — `Coverage.open_stations_without_hours`
counts those so a district sees why they do not help. Dated exceptions (a holiday) are left
out: they say nothing about the network.

Stations across the boundary. By default a station in the next district counts: a courier
at the edge of Xifeng rests wherever the nearest station is, and a community then gets the
same answer whether its district or its city asks. `stations_from_outside=False` counts only
the area's own stations. Stations are public (the phone's finder shows them to anyone), so
naming one outside the area as the nearest leaks nothing.

Where a place is. Outlets have no coordinates of their own in the 摸排 ledger yet, so an
outlet stands at its community's point. A community's point is its centre (set from its
boundary when boundaries are imported), else a point on its boundary, else the middle of
its own stations (the demo's stations sit in the communities' party-mass service centres);
a community with none of these is unplaced. Each place says how it was placed
(`placed_by`); unplaced places are listed and counted apart, never in the percentages —
counting them as covered or as gaps would both be guesses. When outlets get a location of
their own, PLACES_SQL judges reach per outlet point instead of per community point
(`judged_point`), and the rest stays as it is.

How many workers. At each place the larger of two lower bounds of the same people: the
survey's head count (an outlet's `worker_count`; for a community, its outlets' workers) and
the workers registered there (报到, waiting or approved, not merged, returned or deleted).
A survey misses whoever was out on the road, registration whoever has not registered;
adding them would count most people twice. So an outlet nobody surveyed still weighs what
its registrations say, and a community without outlets weighs its registrations.

Suggested sites. A greedy maximum-coverage choice (the classic (1 − 1/e) approximation):
the candidates are the area's outlets and communities (partner merchants are not in the
ledgers yet), one per distinct point; the demand is every place not covered in the planning
mode (e-bike by default: riders ride), weighing its workers — an outlet its own, a community
those its outlets do not already account for, so nobody is counted twice. Each round takes
the candidate that covers the most still-uncovered workers (ties: more places, then the
lower slot), marks what it covers, and goes again, k times or until no candidate adds a
worker. Each suggestion says how many workers and places it adds.

How it runs. Set-based, in a few statements: one builds the places with their coverage and
nearest station (ST_DWithin and the KNN operator on the stations' spatial index) into a
temporary table, indexed; one pairs candidates with uncovered places (ST_DWithin on that
index); one per greedy round picks and marks. Temporary tables need the primary database
(not a read replica): this runs in the job, not per request. Measured on a synthetic city
(2,000 stations, 2,000 communities, 20,000 outlets, 80,000 workers): about 0.7 s.
"""

import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas.models import Area
from core.exceptions import refuse
from members.models import Worker
from stations.models import Station


class Mode(StrEnum):
    WALKING = "walking"
    EBIKE = "ebike"


class PlaceKind(StrEnum):
    COMMUNITY = "community"
    OUTLET = "outlet"


class PlacedBy(StrEnum):
    CENTRE = "centre"  # the area's centre
    BOUNDARY = "boundary"  # a point on its boundary (a boundary without a centre)
    STATIONS = "stations"  # the middle of the community's own stations
    NOWHERE = ""  # no position known: listed, not counted


# Plausible bounds: a speed in m/h or a detour factor of 13 is a typo, not a city. The
# settings check the same bounds at start-up (config/settings/base.py).
MAX_SPEED_KMH = 100.0
DETOUR_FACTOR_RANGE = (1.0, 3.0)
MINUTES_RANGE = (1, 120)
MAX_SUGGESTIONS = 50
DEFAULT_SUGGESTIONS = 5


def _number(value, field_name: str, message: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise refuse(field_name, message) from None


@dataclass(frozen=True)
class Reach:
    """How far a quarter of an hour takes a worker: the speeds, the detour factor and the
    minutes, and from them the straight-line radius of the circle for each mode."""

    walking_kmh: float
    ebike_kmh: float
    detour_factor: float
    minutes: int

    def __post_init__(self):
        speed_message = _("A speed must be a number of km/h above 0 and at most %(max)s.") % {
            "max": int(MAX_SPEED_KMH)
        }
        for name in ("walking_kmh", "ebike_kmh"):
            speed = _number(getattr(self, name), name, speed_message)
            if not 0 < speed <= MAX_SPEED_KMH:  # also refuses NaN
                raise refuse(name, speed_message)
            object.__setattr__(self, name, speed)
        low, high = DETOUR_FACTOR_RANGE
        detour_message = _(
            "The detour factor must be between %(low)s and %(high)s (route length ÷ "
            "straight-line distance)."
        ) % {"low": f"{low:g}", "high": f"{high:g}"}
        detour = _number(self.detour_factor, "detour_factor", detour_message)
        if not low <= detour <= high:
            raise refuse("detour_factor", detour_message)
        object.__setattr__(self, "detour_factor", detour)
        low, high = MINUTES_RANGE
        minutes_message = _("The minutes must be a whole number from %(low)s to %(high)s.") % {
            "low": low,
            "high": high,
        }
        minutes = _number(self.minutes, "minutes", minutes_message)
        if not (low <= minutes <= high and minutes == int(minutes)):
            raise refuse("minutes", minutes_message)
        object.__setattr__(self, "minutes", int(minutes))

    @classmethod
    def from_settings(cls, **overrides) -> "Reach":
        values = {
            "walking_kmh": settings.COVERAGE_WALKING_KMH,
            "ebike_kmh": settings.COVERAGE_EBIKE_KMH,
            "detour_factor": settings.COVERAGE_DETOUR_FACTOR,
            "minutes": settings.COVERAGE_MINUTES,
        }
        values.update(overrides)
        return cls(**values)

    def speed_kmh(self, mode: Mode) -> float:
        return self.walking_kmh if mode == Mode.WALKING else self.ebike_kmh

    def route_m(self, mode: Mode) -> float:
        """How far along the streets the minutes take a worker."""
        return self.speed_kmh(mode) * 1000 / 60 * self.minutes

    def radius_m(self, mode: Mode) -> float:
        """The straight-line radius that stands for that route."""
        return self.route_m(mode) / self.detour_factor


@dataclass(frozen=True)
class Place:
    """An outlet or a community as the map and the gap list show it."""

    kind: str  # PlaceKind
    id: int  # the outlet's or the community's (Area) id
    name: str
    area_code: str  # the community (or street) it lies in
    workers: int
    lon: float | None  # WGS-84; None when unplaced
    lat: float | None
    placed_by: str  # PlacedBy
    walking: bool  # within reach of an open station on foot
    ebike: bool  # … by e-bike
    nearest_station_id: int | None
    nearest_station_name: str
    nearest_station_m: int | None

    @property
    def placed(self) -> bool:
        return self.lon is not None

    def covered(self, mode: Mode) -> bool:
        return self.walking if mode == Mode.WALKING else self.ebike


@dataclass(frozen=True)
class Figures:
    """Coverage of one kind of place in one mode. Percentages are of placed places only;
    None when there is nothing to divide by."""

    places: int
    places_covered: int
    places_percent: float | None
    workers: int
    workers_covered: int
    workers_percent: float | None
    unplaced: int
    unplaced_workers: int

    @classmethod
    def of(cls, places: list[Place], mode: Mode) -> "Figures":
        placed = [p for p in places if p.placed]
        covered = [p for p in placed if p.covered(mode)]
        workers = sum(p.workers for p in placed)
        workers_covered = sum(p.workers for p in covered)
        return cls(
            places=len(placed),
            places_covered=len(covered),
            places_percent=_percent(len(covered), len(placed)),
            workers=workers,
            workers_covered=workers_covered,
            workers_percent=_percent(workers_covered, workers),
            unplaced=len(places) - len(placed),
            unplaced_workers=sum(p.workers for p in places if not p.placed),
        )


@dataclass(frozen=True)
class Suggestion:
    """A suggested site for a new station: the place it would stand at and what it adds,
    given the suggestions before it."""

    rank: int
    kind: str  # PlaceKind of the place it stands at
    id: int
    name: str
    area_code: str
    lon: float
    lat: float
    workers_added: int
    outlets_added: int
    communities_added: int
    workers_covered_after: int  # with this and every suggestion before it
    workers_percent_after: float | None


@dataclass(frozen=True)
class Planning:
    """The site suggestions and the coverage they would bring, in one mode, over the
    planning population (outlets' workers plus what their communities hold besides)."""

    mode: str
    radius_m: int
    workers: int
    workers_covered: int
    workers_percent: float | None
    suggestions: list[Suggestion]
    workers_covered_after: int
    workers_percent_after: float | None


@dataclass(frozen=True)
class Coverage:
    """The circle of one area as computed at `computed_at`: the figures by kind of place and
    mode, every place with its coverage (the map's points, the gap lists), and the plan."""

    area_code: str
    area_name: str
    area_level: str
    computed_at: str  # ISO 8601
    took_ms: int
    reach: Reach
    radius_m: dict[str, int]  # mode → straight-line metres
    stations_from_outside: bool
    open_stations: int  # the area's own stations that count (open, keeping hours)
    open_stations_without_hours: int  # the area's, marked open with no hours: not counted
    outlets: dict[str, Figures]  # mode → figures
    communities: dict[str, Figures]
    outlet_places: list[Place] = field(default_factory=list)
    community_places: list[Place] = field(default_factory=list)
    planning: Planning | None = None

    def places(self, kind: PlaceKind) -> list[Place]:
        return self.outlet_places if kind == PlaceKind.OUTLET else self.community_places

    def covered(self, kind: PlaceKind, mode: Mode) -> list[Place]:
        return [p for p in self.places(kind) if p.placed and p.covered(mode)]

    def gaps(self, kind: PlaceKind, mode: Mode) -> list[Place]:
        """Placed and out of reach: what the map shows as gaps."""
        return [p for p in self.places(kind) if p.placed and not p.covered(mode)]

    def unplaced(self, kind: PlaceKind) -> list[Place]:
        return [p for p in self.places(kind) if not p.placed]

    def to_dict(self) -> dict:
        """Plain JSON types only (modes and kinds are str)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Coverage":
        """Read back what to_dict() gave (e.g. from a JSON column)."""
        data = dict(data)
        data["reach"] = Reach(**data["reach"])
        data["outlets"] = {mode: Figures(**f) for mode, f in data["outlets"].items()}
        data["communities"] = {mode: Figures(**f) for mode, f in data["communities"].items()}
        data["outlet_places"] = [Place(**p) for p in data["outlet_places"]]
        data["community_places"] = [Place(**p) for p in data["community_places"]]
        if data.get("planning") is not None:
            planning = dict(data["planning"])
            planning["suggestions"] = [Suggestion(**s) for s in planning["suggestions"]]
            data["planning"] = Planning(**planning)
        return cls(**data)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# A station that counts (see the module's docstring): in service and keeping hours; from
# anywhere, or from the area only.
OPEN_STATION = """
    s.status = %(open)s
    AND (s.always_open OR EXISTS (
        SELECT 1 FROM stations_openingperiod h WHERE h.station_id = s.id))
    AND (%(stations_from_outside)s
         OR s.area_id IN (SELECT id FROM areas_area WHERE code LIKE %(prefix)s))
"""

# Every community and outlet of the area with its workers, its point, whether an open
# station is within each radius, and the nearest open station (KNN on the stations' GiST
# index). Reach is judged once per point — per community or street, since outlets stand at
# theirs — not once per outlet. `reached` starts the greedy planning: covered in the
# planning mode, or unplaced (no site can reach a place with no position).
PLACES_SQL = f"""
CREATE TEMP TABLE coverage_place ON COMMIT DROP AS
WITH scope_area AS (
    SELECT a.id, a.code, a.name, a.level, a.centre, a.boundary
      FROM areas_area a
     WHERE a.code LIKE %(prefix)s AND a.level IN (%(community)s, %(street)s)
),
area_point AS (
    SELECT sa.id, sa.code, sa.name, sa.level,
           (CASE WHEN sa.centre IS NOT NULL THEN sa.centre
                 WHEN sa.boundary IS NOT NULL THEN ST_PointOnSurface(sa.boundary)
                 ELSE (SELECT ST_Centroid(ST_Collect(s.location::geometry))
                         FROM stations_station s WHERE s.area_id = sa.id)
            END)::geography AS geog,
           CASE WHEN sa.centre IS NOT NULL THEN %(by_centre)s::text
                WHEN sa.boundary IS NOT NULL THEN %(by_boundary)s::text
                WHEN EXISTS (SELECT 1 FROM stations_station s WHERE s.area_id = sa.id)
                    THEN %(by_stations)s::text
                ELSE %(nowhere)s::text
           END AS placed_by
      FROM scope_area sa
),
judged_point AS (
    SELECT ap.*,
           ST_X(ap.geog::geometry) AS lon, ST_Y(ap.geog::geometry) AS lat,
           CASE WHEN ap.geog IS NULL THEN false ELSE EXISTS (
               SELECT 1 FROM stations_station s
                WHERE {OPEN_STATION} AND ST_DWithin(s.location, ap.geog, %(walking_m)s))
           END AS walking,
           CASE WHEN ap.geog IS NULL THEN false ELSE EXISTS (
               SELECT 1 FROM stations_station s
                WHERE {OPEN_STATION} AND ST_DWithin(s.location, ap.geog, %(ebike_m)s))
           END AS ebike,
           nearest.id AS nearest_id, nearest.name AS nearest_name,
           nearest.distance_m AS nearest_m
      FROM area_point ap
      LEFT JOIN LATERAL (
          SELECT s.id, s.name, ST_Distance(s.location, ap.geog) AS distance_m
            FROM stations_station s
           WHERE ap.geog IS NOT NULL AND {OPEN_STATION}
           ORDER BY s.location <-> ap.geog
           LIMIT 1
      ) nearest ON true
),
counted_worker AS (
    SELECT w.area_id, w.outlet_id
      FROM members_worker w
     WHERE w.area_id IN (SELECT id FROM scope_area)
       AND w.status IN (%(approved)s, %(pending)s)
       AND w.erased_at IS NULL
),
registered_in_area AS (
    SELECT area_id, count(*) AS n FROM counted_worker GROUP BY area_id
),
registered_at_outlet AS (
    SELECT outlet_id, count(*) AS n FROM counted_worker
     WHERE outlet_id IS NOT NULL GROUP BY outlet_id
),
outlet_row AS (
    SELECT o.id, e.name || ' · ' || o.name AS name, o.area_id,
           GREATEST(o.worker_count, COALESCE(r.n, 0)) AS workers
      FROM members_outlet o
      JOIN members_enterprise e ON e.id = o.enterprise_id
      LEFT JOIN registered_at_outlet r ON r.outlet_id = o.id
     WHERE o.area_id IN (SELECT id FROM scope_area)
),
community_row AS (
    SELECT jp.id, COALESCE(ow.workers, 0) AS outlet_workers,
           GREATEST(COALESCE(ow.workers, 0), COALESCE(r.n, 0)) AS workers
      FROM judged_point jp
      LEFT JOIN (SELECT area_id, sum(workers)::bigint AS workers FROM outlet_row GROUP BY area_id) ow
             ON ow.area_id = jp.id
      LEFT JOIN registered_in_area r ON r.area_id = jp.id
     WHERE jp.level = %(community)s
),
place AS (
    -- `demand`: the workers this place adds to the planning population (a community only
    -- those its outlets do not already account for).
    SELECT %(kind_community)s::text AS kind, c.id AS ref_id, jp.name, c.workers,
           c.workers - c.outlet_workers AS demand, jp.id AS area_id
      FROM community_row c
      JOIN judged_point jp ON jp.id = c.id
    UNION ALL
    SELECT %(kind_outlet)s::text, o.id, o.name, o.workers, o.workers, o.area_id
      FROM outlet_row o
)
SELECT row_number() OVER (ORDER BY p.kind, jp.code, p.ref_id) AS slot,
       p.kind, p.ref_id, p.name, jp.code AS area_code, p.workers, p.demand,
       jp.geog, jp.lon, jp.lat, jp.placed_by, jp.walking, jp.ebike,
       jp.nearest_id, jp.nearest_name, jp.nearest_m,
       (jp.geog IS NULL
        OR CASE WHEN %(plan)s::text = %(walking)s::text THEN jp.walking ELSE jp.ebike END)
           AS reached
  FROM place p
  JOIN judged_point jp ON jp.id = p.area_id
"""

PLACES_READ_SQL = """
SELECT kind, ref_id, name, area_code, workers, lon, lat, placed_by, walking, ebike,
       nearest_id, nearest_name, nearest_m, slot, demand
  FROM coverage_place
 ORDER BY slot
"""

STATIONS_SQL = """
SELECT count(*) FILTER (WHERE s.always_open OR h.station_id IS NOT NULL),
       count(*) FILTER (WHERE NOT s.always_open AND h.station_id IS NULL)
  FROM stations_station s
  JOIN areas_area a ON a.id = s.area_id
  LEFT JOIN (SELECT DISTINCT station_id FROM stations_openingperiod) h ON h.station_id = s.id
 WHERE a.code LIKE %(prefix)s AND s.status = %(open)s
"""

# Candidate sites (one per distinct point; a community's name before an outlet's, then the
# place with the most workers) paired with every place still to reach within the radius.
PAIRS_SQL = """
CREATE TEMP TABLE coverage_pair ON COMMIT DROP AS
SELECT c.slot AS candidate, d.slot AS demand
  FROM (SELECT DISTINCT ON (ST_AsBinary(geog)) slot, geog
          FROM coverage_place
         WHERE geog IS NOT NULL
         ORDER BY ST_AsBinary(geog), kind = %(kind_community)s DESC, workers DESC, slot) c
  JOIN coverage_place d ON ST_DWithin(c.geog, d.geog, %(radius_m)s)
 WHERE NOT d.reached
"""

# One greedy round: the candidate adding the most uncovered workers (then places, then the
# lower slot, so the choice is the same on every run), and what it reaches marked reached.
GREEDY_ROUND_SQL = """
WITH best AS (
    SELECT p.candidate,
           sum(d.demand)::bigint AS added,
           count(*) FILTER (WHERE d.kind = %(kind_outlet)s) AS outlets,
           count(*) FILTER (WHERE d.kind = %(kind_community)s) AS communities
      FROM coverage_pair p
      JOIN coverage_place d ON d.slot = p.demand
     WHERE NOT d.reached
     GROUP BY p.candidate
     ORDER BY added DESC, count(*) DESC, p.candidate
     LIMIT 1
),
newly_reached AS (
    UPDATE coverage_place d SET reached = true
      FROM coverage_pair p, best
     WHERE p.candidate = best.candidate AND d.slot = p.demand AND NOT d.reached
 RETURNING d.slot
)
SELECT best.candidate, best.added, best.outlets, best.communities,
       (SELECT count(*) FROM newly_reached)
  FROM best
"""

DROP_SQL = "DROP TABLE IF EXISTS pg_temp.coverage_pair, pg_temp.coverage_place"


def area_coverage(
    *,
    area: Area,
    reach: Reach | None = None,
    suggestions: int = DEFAULT_SUGGESTIONS,
    plan_mode: Mode | str = Mode.EBIKE,
    stations_from_outside: bool = True,
) -> Coverage:
    """The 15-minute circle of `area` (any level; the caller has checked access): figures,
    places with their coverage, and `suggestions` sites for new stations planned for
    `plan_mode`. `reach` defaults to the COVERAGE_* settings."""
    started = time.perf_counter()
    reach = reach or Reach.from_settings()
    if plan_mode not in {m.value for m in Mode}:
        raise refuse("plan_mode", _("Plan for walking or for e-bikes."))
    plan_mode = Mode(plan_mode)
    if (
        isinstance(suggestions, bool)
        or not isinstance(suggestions, int)
        or not 0 <= suggestions <= MAX_SUGGESTIONS
    ):
        raise refuse(
            "suggestions",
            _("Ask for 0 to %(max)s suggested sites.") % {"max": MAX_SUGGESTIONS},
        )
    params = {
        "prefix": f"{area.prefix}%",
        "community": Area.Level.COMMUNITY.value,
        "street": Area.Level.STREET.value,
        "approved": Worker.Status.APPROVED.value,
        "pending": Worker.Status.PENDING.value,
        "open": Station.Status.OPEN.value,
        "stations_from_outside": bool(stations_from_outside),
        "walking_m": reach.radius_m(Mode.WALKING),
        "ebike_m": reach.radius_m(Mode.EBIKE),
        "plan": plan_mode.value,
        "walking": Mode.WALKING.value,
        "kind_community": PlaceKind.COMMUNITY.value,
        "kind_outlet": PlaceKind.OUTLET.value,
        "by_centre": PlacedBy.CENTRE.value,
        "by_boundary": PlacedBy.BOUNDARY.value,
        "by_stations": PlacedBy.STATIONS.value,
        "nowhere": PlacedBy.NOWHERE.value,
    }
    # The temporary tables live in this transaction (ON COMMIT DROP) and are dropped at the
    # end as well, for a caller that is itself inside a transaction (a test, a job batch).
    with transaction.atomic(), connection.cursor() as cursor:
        # These statements are estimated dear enough for PostgreSQL to compile them (JIT),
        # which cost more than they run (0.5 s of 0.6 s on the synthetic city): off here.
        cursor.execute("SELECT current_setting('jit')")
        (jit,) = cursor.fetchone()
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(DROP_SQL)
        cursor.execute(PLACES_SQL, params)
        # Only places still to reach are ever looked up by position (the pairs); creating
        # the index also tells the planner how many rows the table has.
        cursor.execute("CREATE INDEX ON coverage_place USING gist (geog) WHERE NOT reached")
        cursor.execute(PLACES_READ_SQL)
        rows = cursor.fetchall()
        cursor.execute(STATIONS_SQL, params)
        open_stations, open_without_hours = cursor.fetchone()
        places_by_slot, demand_by_slot = {}, {}
        for row in rows:
            place = Place(
                kind=row[0],
                id=row[1],
                name=row[2],
                area_code=row[3],
                workers=int(row[4]),
                lon=None if row[5] is None else round(row[5], 6),
                lat=None if row[6] is None else round(row[6], 6),
                placed_by=row[7],
                walking=row[8],
                ebike=row[9],
                nearest_station_id=row[10],
                nearest_station_name=row[11] or "",
                nearest_station_m=None if row[12] is None else round(row[12]),
            )
            places_by_slot[row[13]] = place
            demand_by_slot[row[13]] = int(row[14])
        planning = _plan(
            cursor,
            places_by_slot,
            demand_by_slot,
            mode=plan_mode,
            radius_m=reach.radius_m(plan_mode),
            rounds=suggestions,
            params=params,
        )
        cursor.execute(DROP_SQL)
        cursor.execute("SELECT set_config('jit', %s, true)", [jit])
    places = list(places_by_slot.values())
    outlets = [p for p in places if p.kind == PlaceKind.OUTLET]
    communities = [p for p in places if p.kind == PlaceKind.COMMUNITY]
    return Coverage(
        area_code=area.code,
        area_name=area.name,
        area_level=area.level,
        computed_at=timezone.now().isoformat(),
        took_ms=round((time.perf_counter() - started) * 1000),
        reach=reach,
        radius_m={mode.value: round(reach.radius_m(mode)) for mode in Mode},
        stations_from_outside=bool(stations_from_outside),
        open_stations=open_stations,
        open_stations_without_hours=open_without_hours,
        outlets={mode.value: Figures.of(outlets, mode) for mode in Mode},
        communities={mode.value: Figures.of(communities, mode) for mode in Mode},
        outlet_places=outlets,
        community_places=communities,
        planning=planning,
    )


def _plan(cursor, places_by_slot, demand_by_slot, *, mode, radius_m, rounds, params) -> Planning:
    """The greedy rounds over the temporary tables (see the module's docstring)."""
    placed = [slot for slot, p in places_by_slot.items() if p.placed]
    workers = sum(demand_by_slot[slot] for slot in placed)
    covered = sum(demand_by_slot[slot] for slot in placed if places_by_slot[slot].covered(mode))
    suggestions: list[Suggestion] = []
    if rounds:
        cursor.execute(PAIRS_SQL, {**params, "radius_m": radius_m})
    for rank in range(1, rounds + 1):
        cursor.execute(GREEDY_ROUND_SQL, params)
        best = cursor.fetchone()
        if best is None or not best[1]:
            break  # nothing left to reach, or no site would add a single worker
        slot, added, outlets_added, communities_added, _marked = best
        covered += int(added)
        site = places_by_slot[slot]
        suggestions.append(
            Suggestion(
                rank=rank,
                kind=site.kind,
                id=site.id,
                name=site.name,
                area_code=site.area_code,
                lon=site.lon,
                lat=site.lat,
                workers_added=int(added),
                outlets_added=outlets_added,
                communities_added=communities_added,
                workers_covered_after=covered,
                workers_percent_after=_percent(covered, workers),
            )
        )
    before = covered - sum(s.workers_added for s in suggestions)
    return Planning(
        mode=mode.value,
        radius_m=round(radius_m),
        workers=workers,
        workers_covered=before,
        workers_percent=_percent(before, workers),
        suggestions=suggestions,
        workers_covered_after=covered,
        workers_percent_after=_percent(covered, workers),
    )
