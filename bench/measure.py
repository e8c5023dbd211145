"""Time the nearby endpoint server-side, beside the raw PostGIS KNN query for the same points
(run by bench/run.sh, after bench/generate.py).

Everything runs in this process: the endpoint is called through Django's test client, so a
timing covers the whole request inside Django (middleware, URL routing, DRF, the queries,
serialisation) and nothing of a network or a WSGI server. For each query point, in the
same run, it also times:

- `selectors.stations_nearby()` alone: its one SQL statement and the result objects;
- that SQL statement, with its parameters, run raw on a cursor: the database's share;
- the raw KNN query, no filters: the baseline the issue's "≤ 3×" goal compares with.

The four are interleaved point by point, in a rotating order, so a hiccup on the machine
(another job, autovacuum) hits all of them alike.
"""

import argparse
import datetime as dt
import gc
import importlib
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

# The same start-up as a gunicorn worker: django.setup(), the URLconf, gc.freeze().
importlib.import_module("config.wsgi")

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from stations import selectors  # noqa: E402
from stations.models import Station  # noqa: E402

BENCH_DB = "warmstations_bench"
GOAL_P50_MS = 15
GOAL_P99_MS = 50
GOAL_RATIO = 3
METRES_PER_DEGREE = 111_320

RAW_KNN = (
    "SELECT id, location <-> ST_GeogFromText(%s) AS d FROM stations_station "
    "WHERE ST_DWithin(location, ST_GeogFromText(%s), %s) "
    "ORDER BY location <-> ST_GeogFromText(%s) LIMIT 20"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=2000, help="query points to time")
    parser.add_argument("--warmup", type=int, default=200, help="untimed points first")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--radius", type=int, default=5000, help="metres")
    parser.add_argument("--facility", default="water")
    parser.add_argument(
        "--at",
        help="China local time HH:MM to evaluate open_now at (default: the real clock). "
        "Patches selectors.local_now; night hours leave fewer stations open.",
    )
    parser.add_argument(
        "--open-now",
        choices=["preference", "filter"],
        default="preference",
        help="preference (default, what the phone asks since issue 14: every station with "
        "its state and next opening, and the nearest open one farther away when none is "
        "open); filter: open_now=true, only open stations (what it asked before)",
    )
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    return parser.parse_args()


def query_points(rng: random.Random, count: int) -> list[tuple[float, float]]:
    """Points where workers are: a random station's spot moved up to ~1.5 km (Gaussian),
    so dense districts get more queries, as they would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(location::geometry), ST_Y(location::geometry) "
            "FROM stations_station ORDER BY id"
        )
        spots = cursor.fetchall()
    points = []
    for _ in range(count):
        lng, lat = rng.choice(spots)
        dy, dx = rng.gauss(0, 750), rng.gauss(0, 750)
        lat2 = lat + dy / METRES_PER_DEGREE
        lng2 = lng + dx / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
        points.append((round(lng2, 6), round(lat2, 6)))
    return points


def ewkt(lng: float, lat: float) -> str:
    return f"SRID=4326;POINT({lng} {lat})"


class Runner:
    def __init__(self, args):
        self.args = args
        self.client = Client(HTTP_HOST="localhost")
        self.url = reverse("station-nearby")
        self.open_only = args.open_now == "filter"

    def endpoint(self, lng, lat) -> int:
        response = self.client.get(
            self.url,
            {
                "lat": lat,
                "lng": lng,
                "facility": self.args.facility,
                "radius": self.args.radius,
                **({"open_now": "true"} if self.open_only else {}),
            },
        )
        if response.status_code != 200:
            raise SystemExit(f"nearby answered {response.status_code}: {response.content[:300]}")
        return response

    def selector(self, lng, lat):
        return selectors.stations_nearby(
            lng=lng,
            lat=lat,
            radius_m=self.args.radius,
            facility_codes=[self.args.facility],
            open_now=self.open_only,
        )

    def orm_sql(self, lng, lat) -> str:
        """The selector's statement, as sent (parameters inlined by the driver)."""
        with CaptureQueriesContext(connection) as captured:
            self.selector(lng, lat)
        return next(q["sql"] for q in captured.captured_queries if "<->" in q["sql"])

    def raw_sql(self, sql: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return len(cursor.fetchall())

    def raw_knn(self, lng, lat) -> int:
        point = ewkt(lng, lat)
        with connection.cursor() as cursor:
            cursor.execute(RAW_KNN, [point, point, self.args.radius, point])
            return len(cursor.fetchall())


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "mean": statistics.fmean(ordered),
        "max": ordered[-1],
    }


def machine() -> list[str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SELECT postgis_lib_version()")
        postgis = cursor.fetchone()[0]
    return [
        f"machine   {os.cpu_count()} CPUs · {cpu} · {kib / 1024 / 1024:.1f} GiB RAM",
        f"software  PostgreSQL {pg} · PostGIS {postgis} · Python {platform.python_version()} "
        f"· Django {django.get_version()}",
    ]


def dataset() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM stations_station),"
            " (SELECT count(*) FROM areas_area WHERE level = 'district'),"
            " (SELECT count(*) FROM stations_stationfacility),"
            " (SELECT count(*) FROM stations_openingperiod),"
            " (SELECT count(*) FROM stations_openingexception)"
        )
        stations, districts, facilities, periods, exceptions = cursor.fetchone()
    return (
        f"data      {stations:,} stations in {districts:,} districts · "
        f"{facilities:,} facility rows · {periods:,} opening periods · "
        f"{exceptions:,} opening exceptions"
    )


def explain(runner: Runner, lng: float, lat: float) -> list[str]:
    sql = runner.orm_sql(lng, lat)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'stations_station' "
            "AND indexdef LIKE '%USING gist (location)%'"
        )
        gist = [row[0] for row in cursor.fetchall()]
    used = [name for name in gist if any(f"Index Scan using {name}" in line for line in plan)]
    verdict = f"GiST index used: {'yes, ' + used[0] if used else 'NO'}"
    return [
        f"EXPLAIN (ANALYZE, BUFFERS) of the selector's query at ({lng}, {lat}):",
        *plan,
        verdict,
    ]


def main() -> None:
    args = parse_args()
    if settings.DATABASES["default"]["NAME"] != BENCH_DB:
        sys.exit(f"Refusing to measure outside {BENCH_DB}: set POSTGRES_DB={BENCH_DB}.")
    if settings.DEBUG:
        print("warning: DEBUG is on; the query log adds to every request.", file=sys.stderr)
    if not Station.objects.exists():
        sys.exit("No stations: run bench/generate.py first.")

    now = selectors.local_now()
    if args.at:
        hour, minute = (int(part) for part in args.at.split(":"))
        now = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        mock.patch.object(selectors, "local_now", lambda at=None: now).start()

    runner = Runner(args)
    rng = random.Random(args.seed)
    warmup = query_points(rng, args.warmup)
    points = query_points(rng, args.points)

    for lng, lat in warmup:
        runner.endpoint(lng, lat)
        runner.selector(lng, lat)
        runner.raw_knn(lng, lat)
    sqls = [runner.orm_sql(lng, lat) for lng, lat in points]  # untimed: just the text

    # Full (generation 2) garbage collections stop the process for as long as the heap
    # takes to scan; count them, since they are what the slowest requests wait on.
    pauses: list[float] = []
    started: list[float] = []

    def on_gc(phase, info):
        if info["generation"] != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            pauses.append((time.perf_counter() - started.pop()) * 1000)

    names = ["endpoint", "selector", "orm_sql", "raw_knn"]
    times: dict[str, list[float]] = {name: [] for name in names}
    found = {"endpoint": [], "raw_knn": []}
    clock = time.perf_counter
    gc.callbacks.append(on_gc)
    began = clock()
    for i, ((lng, lat), sql) in enumerate(zip(points, sqls, strict=True)):
        for step in range(4):
            name = names[(i + step) % 4]
            start = clock()
            if name == "endpoint":
                response = runner.endpoint(lng, lat)
            elif name == "selector":
                runner.selector(lng, lat)
            elif name == "orm_sql":
                runner.raw_sql(sql)
            else:
                knn_rows = runner.raw_knn(lng, lat)
            times[name].append((clock() - start) * 1000)
        found["endpoint"].append(json.loads(response.content)["count"])
        found["raw_knn"].append(knn_rows)
    elapsed = clock() - began
    gc.callbacks.remove(on_gc)

    with CaptureQueriesContext(connection) as captured:
        runner.endpoint(*points[0])
    queries_per_request = len(captured.captured_queries)

    stats = {name: summary(samples) for name, samples in times.items()}
    base = stats["raw_knn"]
    labels = {
        "endpoint": "GET /api/v1/stations/nearby/ (server-side)",
        "selector": "selectors.stations_nearby() alone",
        "orm_sql": "  its SQL statement, run raw",
        "raw_knn": "raw PostGIS KNN, no filters (baseline)",
    }
    open_now = "&open_now=true" if runner.open_only else ""
    query = f"?lat=..&lng=..&facility={args.facility}{open_now}&radius={args.radius}"
    lines = [
        "Nearby search benchmark (issue 2 §8)",
        f"date      {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        *machine(),
        dataset(),
        f"query     {query}; open_now evaluated at {now:%a %H:%M} China time"
        + (" (fixed with --at)" if args.at else ""),
        f"points    {args.points:,} timed (seed {args.seed}) after {args.warmup} warm-up; "
        f"{elapsed:.0f} s; {queries_per_request} SQL queries per request",
        f"results   endpoint {statistics.fmean(found['endpoint']):.1f} stations a query "
        f"(0 at {sum(1 for n in found['endpoint'] if n == 0) / len(points):.0%} of points, "
        f"20 at {sum(1 for n in found['endpoint'] if n == 20) / len(points):.0%}); "
        f"raw KNN {statistics.fmean(found['raw_knn']):.1f}",
        f"gc        {len(pauses)} full collections while timing, "
        f"{max(pauses, default=0):.0f} ms the longest; {len(gc.get_objects()):,} objects tracked",
        "",
        f"{'milliseconds':<44}{'p50':>8}{'p90':>8}{'p99':>8}{'mean':>8}{'max':>8}"
        f"{'p50 ×':>8}{'p99 ×':>8}",
    ]
    for name in names:
        s = stats[name]
        lines.append(
            f"{labels[name]:<44}"
            + "".join(f"{s[k]:>8.2f}" for k in ("p50", "p90", "p99", "mean", "max"))
            + f"{s['p50'] / base['p50']:>8.1f}{s['p99'] / base['p99']:>8.1f}"
        )
    e = stats["endpoint"]
    goals = [
        (f"p50 ≤ {GOAL_P50_MS} ms", e["p50"] <= GOAL_P50_MS, f"{e['p50']:.2f} ms"),
        (f"p99 ≤ {GOAL_P99_MS} ms", e["p99"] <= GOAL_P99_MS, f"{e['p99']:.2f} ms"),
    ]
    # "≤ 3× the raw query" read two ways: against the same filtered KNN query run raw (what
    # Django and DRF add), and against the bare KNN with no filters (what the filters add too).
    for baseline, label in (("orm_sql", "its SQL run raw"), ("raw_knn", "bare KNN")):
        for p in ("p50", "p99"):
            ratio = e[p] / stats[baseline][p]
            goals.append((f"{p} ≤ {GOAL_RATIO}× {label}", ratio <= GOAL_RATIO, f"{ratio:.1f}×"))
    lines += ["", "goals (endpoint)"]
    lines += [
        f"  {'met    ' if ok else 'NOT MET'}  {goal:<28} {value}" for goal, ok, value in goals
    ]
    lines += ["", *explain(runner, *points[0])]

    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report)
        print(f"(written to {args.out})")


if __name__ == "__main__":
    main()
