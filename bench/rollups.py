"""Rollups at city scale (issue 13's benchmark), run by `bash bench/run.sh rollups`.

The data is the check-in benchmark's city (bench/checkins.py makes it when missing): 2,000
stations in 100 communities of 5 districts, 100,000 workers, 10 million check-ins over
the past year. Measured, in one run on this machine:

(c) a full rebuild of the city's check-in facts (every station, community, street,
    district, the city and its province; day, week, month, quarter, year; breakdowns),
    beside ONE raw statement — GROUPING SETS over the same rows — that produces the same
    buckets' values (its result is only counted, not stored); then the rebuild of every
    fact, in minutes;
(b) one city day of new data (10,000,000 / 365 ≈ 27,400 check-ins, written by one
    INSERT, so the triggers mark them as the check-in SQL function would) rolled up: in
    this process unit after unit, and fanned out as the beat does it — one task per unit
    on a real Celery worker with two processes (this machine's two cores);
(a) freshness: the time from a check-in's commit to its figure on the dashboard, with
    rollups run as the beat runs them (every 15 s), sampled over several cycles.

Results go to --out and to the terminal; BENCHMARKS.md quotes them.
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# The fanned-out beat's tasks go through a broker database of their own, so a worker of a
# running `make run` never takes them.
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from areas.models import Area  # noqa: E402
from bench import checkins as city  # noqa: E402
from reports import engine, services, tasks  # noqa: E402
from reports.facts import all_facts, part_of  # noqa: E402
from reports.models import Bucket, BucketRow, DirtyBucket  # noqa: E402
from stations.models import CheckIn, OpeningException, OpeningPeriod, Station  # noqa: E402

CITY = city.CITY
LOCAL_DAY = "(c.at AT TIME ZONE 'Asia/Shanghai')::date"

# One statement, the same buckets: every node (via the ancestry), every period kind, the
# check-in facts' six aggregates, and for the areas the same breakdowns the engine keeps
# (by source, by the local hour of day; stations keep totals only). Services used, which
# counts each value of an array, cannot be grouped in one plain GROUPING SETS statement:
# the engine's rebuild is timed without it (the same facts) and with it (all of them).
_SIX = """sum(visitors), sum(visitors) FILTER (WHERE worker_id IS NOT NULL),
           sum(visitors) FILTER (WHERE worker_id IS NULL), count(*),
           count(*) FILTER (WHERE far_away), count(DISTINCT worker_id)"""
_PERIODS = ("day", "week", "month", "quarter", "year")
RAW_GROUPING_SETS = f"""
WITH r AS MATERIALIZED (
    SELECT c.station_id, s.area_id, {LOCAL_DAY} AS day, c.visitors, c.worker_id, c.far_away,
           c.source, extract(hour FROM c.at AT TIME ZONE 'Asia/Shanghai') AS hour
      FROM stations_checkin c
      JOIN stations_station s ON s.id = c.station_id
      JOIN areas_area a ON a.id = s.area_id
     WHERE a.code LIKE %s
), periods AS (
    SELECT r.*, date_trunc('week', day)::date AS week, date_trunc('month', day)::date AS month,
           date_trunc('quarter', day)::date AS quarter, date_trunc('year', day)::date AS year
      FROM r
)
SELECT count(*) FROM (
    SELECT anc.ancestor_id AS node, {_SIX}
      FROM periods p JOIN reports_areaancestry anc ON anc.area_id = p.area_id
     WHERE anc.district_code LIKE %s
     GROUP BY GROUPING SETS ({
    ", ".join(
        f"(anc.ancestor_id, {period}{extra})"
        for period in _PERIODS
        for extra in ("", ", source", ", hour")
    )
})
    UNION ALL
    SELECT station_id, {_SIX}
      FROM periods
     GROUP BY GROUPING SETS ({", ".join(f"(station_id, {period})" for period in _PERIODS)})
) AS buckets
"""


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def timed(action) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


IN_TIME_ORDER = "bench: check-ins stored in time order"


def make_city() -> Area:
    communities = city.city_and_communities()
    city.make_stations(communities)
    city.make_workers(communities)
    city.make_check_ins()
    in_time_order()
    return Area.objects.get(code=CITY)


def in_time_order() -> None:
    """The generator writes a year of check-ins shuffled in time; a real table receives
    them as they happen, so a day's rows sit together. Once, the table is put in time
    order (CLUSTER on a temporary index), as production's would be."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT obj_description('stations_checkin'::regclass, 'pg_class')")
        if cursor.fetchone()[0] == IN_TIME_ORDER:
            return
        say("Putting the check-ins in time order (once)")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("CREATE INDEX bench_checkin_at_tmp ON stations_checkin (at)")
        cursor.execute("CLUSTER stations_checkin USING bench_checkin_at_tmp")
        cursor.execute("DROP INDEX bench_checkin_at_tmp")
        cursor.execute("ANALYZE stations_checkin")
        cursor.execute(f"COMMENT ON TABLE stations_checkin IS '{IN_TIME_ORDER}'")


def check_in_facts():
    return [f for f in all_facts() if f.model == "stations.CheckIn"]


def grouped_check_in_facts():
    """The check-in facts one raw GROUPING SETS statement can compute (all but services
    used, whose breakdown counts each value of an array)."""
    return [f for f in check_in_facts() if not f.breakdown_each]


def stored_rows(facts) -> int:
    return BucketRow.objects.filter(
        part__in={part_of(f) for f in facts}, district_code__startswith=CITY[:2]
    ).count()


def rebuild(area: Area, facts) -> None:
    """What `manage.py rollups rebuild --area` does for these facts, in one transaction."""
    with transaction.atomic():
        engine.tune_transaction(large=True)
        engine.rebuild(facts, area.prefix, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {BucketRow._meta.db_table}")


def beat_run() -> None:
    """What the beat's tasks do, in this process: every unit with ordinary marks, the
    districts first, then the city and the province (slow marks wait)."""
    for _round in range(4):
        services.pass_marks_up()
        units = sorted(services.units_with_marks(slow=False), key=lambda u: -len(u))
        if not units:
            return
        for unit in units:
            services.roll_up_unit(unit, slow=False)


def vacuum() -> None:
    """What autovacuum does after a burst of writes. PostgreSQL runs it by default; this
    machine's server has it off (its CI configuration), and 11 million dead row versions
    left by a rebuild made the beat's index scans several times slower. The generated
    stations are analysed too: without statistics, the open-now read of a city's 2,000
    stations took 173 ms instead of 1.5 ms."""
    with connection.cursor() as cursor:
        for table in (BucketRow._meta.db_table, DirtyBucket._meta.db_table):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        for model in (Station, OpeningPeriod, OpeningException):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def start_worker() -> subprocess.Popen:
    """A Celery worker with two processes (as `make run` starts it), on the bench's
    broker database and the bench's PostgreSQL database."""
    worker = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "--concurrency=2",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    time.sleep(8)  # its two processes are up and listening
    return worker


def fanned_out_beat_run() -> None:
    """The beat's fan-out, as fast as it can go: what `reports.tasks.dispatch` sends — one
    roll_up_unit task per unit with marks it can act on, after copying new marks to the
    city and the province (a district's task sends its city once the city's days are
    rolled up below it, and the city's the province) — and, as soon as the marks it sent
    for are gone, again, until no ordinary mark is left."""
    claimable = services._claimable(timezone.now(), slow=False)
    while DirtyBucket.objects.filter(claimable).exists():
        services.pass_marks_up()
        units = services.units_ready(services.units_with_marks(slow=False))
        sent = set(
            DirtyBucket.objects.filter(claimable, district_code__in=units).values_list(
                "id", flat=True
            )
        )
        for unit in units:
            tasks.roll_up_unit.delay(unit)
        while DirtyBucket.objects.filter(id__in=sent).exists() or not units:
            time.sleep(0.01)
            if not units:
                break


def one_city_day(area: Area, day: dt.date, roll_up) -> tuple[int, float]:
    """Insert a day's check-ins (dated `day`) in one statement, then `roll_up` as the beat
    does (every figure but the distinct counts over weeks and longer, which wait for
    ROLLUP_SLOW_SECONDS). Returns (check-ins, seconds)."""
    stations = list(
        Station.objects.filter(area__code__startswith=CITY[:4]).values_list("pk", flat=True)
    )
    per_day = city.CHECK_INS // 365
    beat_run()  # start from no ordinary mark pending (slow ones wait, as in production)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO stations_checkin (station_id, worker_id, visitors, at, services,
                far_away, source, created_at)
            SELECT (%s::bigint[])[1 + (g * 7919) %% %s],
                   (SELECT min(id) FROM members_worker WHERE phone LIKE '166%%')
                     + (g * 104729) %% %s,
                   1, %s::date::timestamp AT TIME ZONE 'Asia/Shanghai'
                      + ((g * 7907) %% 86000) * interval '1 second', '{water}', false, 'phone',
                   now()
              FROM generate_series(1::bigint, %s) g
            """,
            [stations, len(stations), city.WORKERS, day, per_day],
        )

    return per_day, timed(roll_up)


def freshness(area: Area, cycles: int) -> list[float]:
    """Check in one visit, then run the beat's work every 15 s as it would; the lag is the
    time from the commit to the first roll-up that shows it."""
    station = Station.objects.filter(area__code__startswith=CITY[:4]).first()
    today = timezone.localdate()
    lags = []
    for _cycle in range(cycles):
        before = _visits(station, today)
        CheckIn.objects.create(
            station=station, visitors=1, at=timezone.now(), source=CheckIn.Source.KEEPER
        )
        written = time.perf_counter()
        # The beat fires at a random moment of its 15-s interval after the write.
        time.sleep(15 * (_cycle % 4) / 4)
        beat_run()
        if _visits(station, today) == before + 1:
            lags.append(time.perf_counter() - written)
    return lags


def _visits(station, day) -> float:
    bucket = Bucket.objects.filter(
        fact="stations.visits", station=station, period_kind="day", period_start=day, breakdown=""
    ).first()
    return float(bucket.value) if bucket else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench/results/rollups-latest.txt")
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument(
        "--days-only", action="store_true", help="skip (c): the figures are already rebuilt"
    )
    args = parser.parse_args()
    lines = []

    def report(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    say("The city (made once: 2,000 stations, 100,000 workers, 10 million check-ins)")
    area = make_city()
    rows = CheckIn.objects.filter(station__area__code__startswith=CITY[:4]).count()
    report(f"check-ins in the city: {rows:,}")
    engine.refresh_ancestry()

    if not args.days_only:
        DirtyBucket.objects.all().delete()  # the generation's marks: the rebuild replaces them
        say("(c) raw GROUPING SETS statement over the city's check-ins")
        # The same memory to sort and hash in as the engine's rebuild gets (ROLLUP_WORK_MEM).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.ROLLUP_WORK_MEM])
            raw = timed(lambda: cursor.execute(RAW_GROUPING_SETS, [CITY[:4] + "%", CITY[:4] + "%"]))
            buckets = cursor.fetchone()[0] if cursor.description else 0
        report(
            f"(c) raw GROUPING SETS: {raw:.1f} s ({buckets:,} node-period groups; "
            f"work_mem {settings.ROLLUP_WORK_MEM}, as the rebuild)"
        )
        facts = grouped_check_in_facts()
        say(f"(c) rebuild of the {len(facts)} check-in facts the raw statement computes")
        rebuilt = timed(lambda: rebuild(area, facts))
        report(
            f"(c) rebuild of those {len(facts)} check-in facts: {rebuilt:.1f} s = "
            f"{rebuilt / raw:.2f}x the raw statement"
        )
        report(f"    rows stored for them: {stored_rows(facts):,}")
        say("(c) rebuild of every check-in fact, services used (each value of an array) included")
        every_check_in = timed(lambda: rebuild(area, check_in_facts()))
        report(
            f"(c) rebuild of all {len(check_in_facts())} check-in facts: {every_check_in:.1f} s = "
            f"{every_check_in / raw:.2f}x the raw statement"
        )
        report(f"    rows stored for them: {stored_rows(check_in_facts()):,}")
        say("(c) rebuild of every fact")
        everything = timed(lambda: services.rebuild(area=area))
        report(f"(c) rebuild of every fact ({len(all_facts())}): {everything / 60:.1f} min")
        report(
            f"    rows in the province: "
            f"{BucketRow.objects.filter(district_code__startswith=CITY[:2]).count():,}"
        )
    vacuum()

    today = timezone.localdate()
    # Today, and a late day of last month: the week's and the month's distinct counts read
    # every row of the period so far, so the day's place in its month changes the cost.
    late_last_month = today.replace(day=1) - dt.timedelta(days=3)
    worker = start_worker()
    try:
        for day, which in ((today, "today"), (late_last_month, "late in last month")):
            say(f"(b) one city day of new check-ins, dated {day} ({which}), rolled up")
            per_day, beat = one_city_day(area, day, beat_run)
            report(
                f"(b) one city day ({per_day:,} check-ins on {day}, {which}), unit after unit "
                f"in one process: {beat:.2f} s"
            )
            report(
                f"    then the distinct counts over weeks and longer it leaves: "
                f"{timed(services.roll_up_all):.1f} s"
            )
            day_before = day - dt.timedelta(days=1)
            per_day, beat = one_city_day(area, day_before, fanned_out_beat_run)
            report(
                f"(b) one city day ({per_day:,} check-ins on {day_before}), one task per unit "
                f"on a Celery worker with 2 processes: {beat:.2f} s"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    services.roll_up_all()  # what the slower run would do next
    vacuum()

    say("(a) freshness with the beat's 15-s cycle")
    lags = freshness(area, args.cycles)
    if lags:
        report(
            f"(a) check-in to figure: median {statistics.median(lags):.1f} s, "
            f"max {max(lags):.1f} s over {len(lags)} check-ins"
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    report(
        f"machine: {os.cpu_count()} cores; PostgreSQL shared_buffers {shared_buffers}; "
        f"date {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
