"""Generate the nearby-search data set in the bench database (run by bench/run.sh).

200,000 stations over every real district (≈3,000, from `areas.services.divisions_load`),
one street and two to four communities per district, random facilities, weekly opening
hours and a few dated exceptions. Everything is drawn from a fixed seed, so every run builds
the same network.

Districts carry no coordinates, so each gets a pseudo-centre drawn inside China's bounding
box (lng 98–122, lat 22–42). Its stations fall around that centre like a town's do: most
within a few kilometres, none further than 10 km. Districts are not all the same size
either: a log-normal weight per district gives city districts several times the average.

Idempotent: when the database already holds exactly STATIONS stations it does nothing;
BENCH_REGENERATE=1 throws the stations (and what hangs off them) away and starts again.
"""

import datetime as dt
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import GEOSGeometry, Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402

from areas.models import Area  # noqa: E402
from areas.services import divisions_load  # noqa: E402
from stations.models import (  # noqa: E402
    Brand,
    Facility,
    OpeningException,
    OpeningPeriod,
    Station,
    StationFacility,
)
from stations.selectors import local_now  # noqa: E402
from stations.services import pinyin_initials  # noqa: E402

BENCH_DB = "warmstations_bench"
STATIONS = 200_000
SEED = 20_260_208
BATCH = 5_000
MAX_SPREAD_M = 10_000
METRES_PER_DEGREE = 111_320

# How often a station lists each facility (all listed ones are available). Water, the
# benchmark's filter, is at most stations but not all of them.
FACILITY_SHARE = {
    "water": 0.75,
    "seating": 0.85,
    "phone-charging": 0.70,
    "air-conditioning": 0.60,
    "meal-heater": 0.55,
    "toilet": 0.50,
    "medicine-kit": 0.50,
    "wifi": 0.45,
    "umbrella": 0.40,
    "needle-thread": 0.40,
    "books": 0.35,
    "ebike-charging": 0.30,
    "tyre-inflation": 0.25,
    "printer": 0.10,
    "canteen": 0.10,
    "massage-chair": 0.05,
    "study-room": 0.05,
}

T = dt.time
# (share of stations, always_open, weekly periods as (weekdays, opens, closes))
HOURS = [
    (0.10, True, []),
    (0.55, False, [(range(7), T(8), T(20))]),
    (0.10, False, [(range(5), T(9), T(18))]),
    (0.08, False, [(range(7), T(20), T(2))]),  # night shift, past midnight
    (0.12, False, [(range(7), T(8), T(12)), (range(7), T(14), T(20))]),  # lunch break
    (0.05, False, []),  # no hours entered yet: never open unless an exception says so
]
EXCEPTION_SHARE = 0.02
STATUS_SHARE = [
    (Station.Status.OPEN, 0.92),
    (Station.Status.TEMPORARILY_CLOSED, 0.06),
    (Station.Status.CLOSED, 0.02),
]


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def ensure_bench_database() -> None:
    name = settings.DATABASES["default"]["NAME"]
    if name != BENCH_DB:
        sys.exit(f"Refusing to generate into {name!r}: set POSTGRES_DB={BENCH_DB}.")


def wipe_stations() -> None:
    """Drop the stations and every row that points at them (bench database only)."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Station._meta.db_table} RESTART IDENTITY CASCADE")


def make_local_areas(rng: random.Random, districts: list[Area]) -> dict[int, list[int]]:
    """One street and 2–4 communities per district; returns district id → area ids a station
    may hang from (the street itself and its communities)."""
    existing = dict(Area.objects.filter(level=Area.Level.STREET).values_list("code", "pk"))
    streets = [
        Area(code=f"{d.code[:6]}001000", name=f"{d.name}第一街道", level="street", parent=d)
        for d in districts
        if f"{d.code[:6]}001000" not in existing
    ]
    Area.objects.bulk_create(streets, batch_size=BATCH)
    street_ids = dict(Area.objects.filter(level=Area.Level.STREET).values_list("code", "pk"))

    existing = set(Area.objects.filter(level=Area.Level.COMMUNITY).values_list("code", flat=True))
    communities = []
    for d in districts:
        for n in range(1, rng.randint(2, 4) + 1):
            code = f"{d.code[:6]}001{n:03d}"
            if code not in existing:
                communities.append(
                    Area(
                        code=code,
                        name=f"第{n}社区",
                        level="community",
                        parent_id=street_ids[f"{d.code[:6]}001000"],
                    )
                )
    Area.objects.bulk_create(communities, batch_size=BATCH)

    homes: dict[int, list[int]] = {d.pk: [] for d in districts}
    by_prefix = {d.code[:6]: d.pk for d in districts}
    for code, pk in Area.objects.filter(
        level__in=[Area.Level.STREET, Area.Level.COMMUNITY], code__regex=r"^\d{6}001"
    ).values_list("code", "pk"):
        if code[:6] in by_prefix:
            homes[by_prefix[code[:6]]].append(pk)
    return homes


def copy_in(objs: list) -> None:
    """Insert model instances with COPY: the ORM's bulk_create spends ~0.4 ms a station
    building SQL, which made the load take five minutes. Values go through each field's
    pre_save, so model defaults (poster_key, timestamps) apply as they would in save().
    A primary key is written only when it is already set."""
    if not objs:
        return
    model = type(objs[0])
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(objs[0], f.attname) is None)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            row = []
            for field in fields:
                value = field.pre_save(obj, add=True)
                row.append(value.ewkt if isinstance(value, GEOSGeometry) else value)
            copy.write_row(row)


def copy_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in field_names
    )
    sql = f"COPY {model._meta.db_table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def pick(rng: random.Random, shares):
    """Choose from [(value, share), …] (shares sum to 1)."""
    roll, total = rng.random(), 0.0
    for value, share in shares:
        total += share
        if roll < total:
            return value
    return shares[-1][0]


def point_near(rng: random.Random, lng: float, lat: float) -> Point:
    distance = min(abs(rng.gauss(0, MAX_SPREAD_M / 2.5)), MAX_SPREAD_M)
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / METRES_PER_DEGREE
    dlng = distance * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return Point(round(lng + dlng, 6), round(lat + dlat, 6), srid=4326)


def make_stations(rng: random.Random, districts: list[Area], homes: dict[int, list[int]]):
    brands = list(Brand.objects.order_by("code"))
    facilities = dict(Facility.objects.values_list("code", "pk"))
    facility_shares = [(facilities[c], s) for c, s in FACILITY_SHARE.items() if c in facilities]
    today = local_now().date()
    host_kinds = [k for k, _ in Station.HostKind.choices]
    number_initials = pinyin_initials("号")

    centres = {d.pk: (rng.uniform(98, 122), rng.uniform(22, 42)) for d in districts}
    weights = [rng.lognormvariate(0, 0.8) for _ in districts]
    chosen = rng.choices(districts, weights=weights, k=STATIONS)
    numbers: dict[int, int] = {}
    initials_cache: dict[tuple[int, int], str] = {}

    counts = {"periods": 0, "facilities": 0, "exceptions": 0}
    next_id = Station.objects.aggregate(top=Max("pk"))["top"] or 0
    for start in range(0, STATIONS, BATCH):
        batch, plans = [], []
        for district in chosen[start : start + BATCH]:
            brand = rng.choice(brands)
            n = numbers[district.pk] = numbers.get(district.pk, 0) + 1
            key = (district.pk, brand.pk)
            if key not in initials_cache:
                initials_cache[key] = pinyin_initials(f"{district.name}{brand.name}")
            hours = pick(rng, [(h, h[0]) for h in HOURS])
            batch.append(
                Station(
                    brand=brand,
                    name=f"{district.name}{brand.name}{n}号",
                    name_initials=f"{initials_cache[key]}{n}{number_initials}",
                    area_id=rng.choice(homes[district.pk]),
                    address=f"{district.name}幸福路{n}号",
                    location=point_near(rng, *centres[district.pk]),
                    host_kind=rng.choice(host_kinds),
                    status=pick(rng, STATUS_SHARE),
                    always_open=hours[1],
                    capacity=rng.randint(4, 40),
                )
            )
            plans.append(hours[2])

        for station in batch:
            next_id += 1
            station.pk = next_id
        # The million-row children go in as plain tuples: building a model instance each
        # would cost more than the COPY itself.
        periods, listed, exceptions = [], [], []
        for station, weekly in zip(batch, plans, strict=True):
            for days, opens, closes in weekly:
                periods += [(station.pk, d, opens, closes) for d in days]
            listed += [
                (station.pk, pk, True, "") for pk, share in facility_shares if rng.random() < share
            ]
            if rng.random() < EXCEPTION_SHARE:
                closed = rng.random() < 0.7
                exceptions.append(
                    OpeningException(
                        station_id=station.pk,
                        date=today + dt.timedelta(days=rng.randint(-3, 3)),
                        closed=closed,
                        opens=None if closed else T(10),
                        closes=None if closed else T(16),
                        note="节假日调整",
                    )
                )
        with transaction.atomic():
            copy_in(batch)
            copy_rows(OpeningPeriod, ["station", "weekday", "opens", "closes"], periods)
            copy_rows(StationFacility, ["station", "facility", "available", "note"], listed)
            copy_in(exceptions)
        counts["periods"] += len(periods)
        counts["facilities"] += len(listed)
        counts["exceptions"] += len(exceptions)
        done = start + len(batch)
        if done % 50_000 == 0 or done == STATIONS:
            say(f"{done:,} stations")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [Station._meta.db_table, next_id]
        )
    return counts


def analyse() -> None:
    tables = [
        Area._meta.db_table,
        Station._meta.db_table,
        StationFacility._meta.db_table,
        OpeningPeriod._meta.db_table,
        OpeningException._meta.db_table,
    ]
    with connection.cursor() as cursor:
        for table in tables:
            # VACUUM as well, so the visibility map lets index-only scans skip the heap.
            cursor.execute(f"VACUUM ANALYZE {table}")


def main() -> None:
    ensure_bench_database()
    if os.environ.get("BENCH_REGENERATE") == "1":
        wipe_stations()
    have = Station.objects.count()
    if have == STATIONS:
        say(f"{have:,} stations already in {BENCH_DB}: nothing to generate.")
        return
    if have:
        say(f"{have:,} stations found, not {STATIONS:,}: starting again.")
        wipe_stations()

    began = time.perf_counter()
    rng = random.Random(SEED)
    loaded = divisions_load()
    districts = list(Area.objects.filter(level=Area.Level.DISTRICT).order_by("code"))
    say(f"divisions: {loaded:,} loaded, {len(districts):,} districts")
    homes = make_local_areas(rng, districts)
    say(f"streets and communities: {sum(len(v) for v in homes.values()):,}")
    counts = make_stations(rng, districts, homes)
    say(
        f"{counts['facilities']:,} station facilities, {counts['periods']:,} opening periods, "
        f"{counts['exceptions']:,} opening exceptions"
    )
    analyse()
    say(f"generated in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
