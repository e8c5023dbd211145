"""Reading the figures from a streaming replica (issue 13, "Past one machine"), run as root
by `.venv/bin/python bench/replica.py` on the machine whose PostgreSQL it copies.

It starts a hot standby of the local cluster (scripts/replica.sh: pg_basebackup, port
5433), points the project at it (POSTGRES_REPLICA_HOST/PORT) and shows, with the demo
network in its own database (warmstations_replica, made once: migrate + load_demo):

1. which server each connection reaches (port, in recovery or not);
2. the rollup job (a check-in, then the job, as Celery runs it) writes and reads on the
   primary only — no query reaches the replica;
3. the dashboard selectors (reports.selectors), read as a page request reads them: the
   figures (Bucket, CoverageSnapshot) from the replica, everything else (areas, grants,
   pending changes) from the primary; the same figures as the primary's once replayed;
4. through the whole middleware stack (the stats API and the dashboard page, a district
   staff member): figures from the replica; right after the same person's write (visitors
   recorded at a station, POST /api/v1/check-ins/) from the primary; after
   REPLICA_STICKY_SECONDS from the replica again;
5. replication lag: from a roll-up's commit on the primary to its figure on the replica,
   idle and while another district writes check-ins as fast as it can;
6. a stats request's time, served from the replica and from the primary, in the same run
   (alternating, after a warm-up of both);
7. the replica stopped: the pages are served from the primary (a warning logged); started
   again: read from it after REPLICA_RETRY_SECONDS.

Requests go through Django's test client in this process (so the queries each connection
ran can be counted), with what the real handler does between requests (closing obsolete
connections) done by hand. Results go to --out and to the terminal; BENCHMARKS.md
("Reading from a streaming replica") quotes them.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("POSTGRES_DB", "warmstations_replica")
os.environ.setdefault("POSTGRES_REPLICA_HOST", "127.0.0.1")
os.environ.setdefault("POSTGRES_REPLICA_PORT", "5433")
os.environ.setdefault("REPLICA_RETRY_SECONDS", "5")
os.environ["DJANGO_DEBUG"] = "false"
# The bench signs a district staff member in without a second factor and makes a few
# hundred requests a minute: neither control is what is measured here.
os.environ["TWO_FACTOR_REQUIRED_FOR"] = "superuser"
os.environ["API_REQUESTS_PER_MINUTE"] = "100000"
os.environ["ADMIN_REQUESTS_PER_MINUTE"] = "100000"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import close_old_connections, connections  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

# The pages link their static files without `collectstatic` having run (as in the tests).
override_settings(
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()

from config.db_router import PRIMARY, REPLICA, STICKY_COOKIE, replica_reads  # noqa: E402

DB = settings.DATABASES[PRIMARY]["NAME"]
XIFENG = "621002000000"
ZHIFU = "370602000000"
VISITS = "stations.visits"
lines: list[str] = []


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)
    lines.append(f"\n## {message}")


def out(message: str = "") -> None:
    print(message, flush=True)
    lines.append(message)


def replica_script(action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/replica.sh", action], cwd=ROOT, capture_output=True, text=True
    )


def psql(sql: str, *, port: int = 5432, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-qtAXc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def prepare_database() -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'") != "1":
        say(f"Making {DB}: migrate, load_demo")
        psql(f'CREATE DATABASE "{DB}" OWNER "{settings.DATABASES[PRIMARY]["USER"]}"')
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", verbosity=0)
    else:
        call_command("migrate", interactive=False, verbosity=0)


def wait_for_replica_database() -> None:
    """The database (made or migrated a moment ago) reaches the standby by replay."""
    for _try in range(600):
        try:
            if psql("SELECT to_regclass('reports_bucket') IS NOT NULL", port=5433, db=DB) == "t":
                return
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{DB} did not appear on the replica within a minute")


def server_of(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), pg_is_in_recovery(), current_database()")
        port, recovery, name = cursor.fetchone()
    return f"port {port}, database {name}, in recovery (a standby): {recovery}"


def tables(queries) -> dict[str, int]:
    """Which tables a list of captured queries read, counted by their FROM table."""
    counted: dict[str, int] = {}
    for query in queries:
        sql = query["sql"]
        start = sql.find(' FROM "')
        name = sql[start + 7 : sql.find('"', start + 7)] if start >= 0 else sql[:30]
        counted[name] = counted.get(name, 0) + 1
    return counted


class Counted:
    """The queries each connection ran within the block (without connecting first, as
    CaptureQueriesContext would: the replica may be down)."""

    def __enter__(self):
        # Each request empties the logs (request_started → reset_queries): start empty too.
        self.forced = {}
        for alias in (PRIMARY, REPLICA):
            connection = connections[alias]
            self.forced[alias] = connection.force_debug_cursor
            connection.force_debug_cursor = True
            connection.queries_log.clear()
        return self

    def __exit__(self, *exc):
        self.queries = {}
        for alias, forced in self.forced.items():
            connection = connections[alias]
            connection.force_debug_cursor = forced
            self.queries[alias] = list(connection.queries_log)

    @property
    def primary(self):
        return self.queries[PRIMARY]

    @property
    def replica(self):
        return self.queries[REPLICA]

    def line(self) -> str:
        return (
            f"primary {len(self.primary)} queries {tables(self.primary)}; "
            f"replica {len(self.replica)} queries {tables(self.replica)}"
        )


def check_in(station, count: int = 1):
    from stations.models import CheckIn

    CheckIn.objects.bulk_create(
        [
            CheckIn(station=station, at=timezone.now(), visitors=1, source=CheckIn.Source.KEEPER)
            for _ in range(count)
        ]
    )


BUCKET_VALUE = (
    "SELECT value FROM reports_bucket WHERE fact = %s AND area_id = %s AND station_id IS NULL "
    "AND period_kind = 'day' AND period_start = %s AND breakdown = ''"
)


def figure_on(alias: str, area, day):
    with connections[alias].cursor() as cursor:
        cursor.execute(BUCKET_VALUE, [VISITS, area.pk, day])
        row = cursor.fetchone()
    return row[0] if row else None


def lag_sample(station, district, unit: str) -> float:
    """A check-in, its district's roll-up committed on the primary; then the seconds until
    the replica shows the figure the primary has."""
    from reports import services

    check_in(station)
    services.roll_up_unit(unit)  # commits when it returns
    committed = time.perf_counter()
    today = timezone.localdate()
    expected = figure_on(PRIMARY, district, today)
    while figure_on(REPLICA, district, today) != expected:
        pass
    return time.perf_counter() - committed


def percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return f"n={len(ms)} p50 {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms, max {ms[-1]:.2f} ms"


class Writer(threading.Thread):
    """Check-ins in another district, 500 per statement, as fast as the primary takes them
    (its own connection): WAL for the standby to replay while the lag is measured."""

    def __init__(self, station_id: int):
        super().__init__(daemon=True)
        self.station_id, self.stop, self.rows = station_id, threading.Event(), 0

    def run(self):
        import psycopg

        db = settings.DATABASES[PRIMARY]
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], dbname=DB, user=db["USER"], password=db["PASSWORD"]
        ) as conn:
            conn.autocommit = True
            while not self.stop.is_set():
                conn.execute(
                    "INSERT INTO stations_checkin (station_id, visitors, at, services, "
                    "far_away, source, created_at) SELECT %s, 1, now(), '{}', false, 'keeper', "
                    "now() FROM generate_series(1, 500)",
                    [self.station_id],
                )
                self.rows += 500


def timed_request(client, url: str) -> float:
    close_old_connections()  # what the real handler does at each request's start
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench/results/replica-latest.txt")
    parser.add_argument("--samples", type=int, default=50, help="lag samples per condition")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per side")
    parser.add_argument("--keep", action="store_true", help="leave the replica running")
    args = parser.parse_args()

    from areas.models import Area
    from reports import selectors, services
    from reports.models import CoverageSnapshot
    from reports.periods import Period, PeriodKind
    from reports.selectors import Span
    from stations.models import Station

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    out(f"# Reading from a streaming replica — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    out(f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}")
    out(f"PostgreSQL: {psql('SHOW server_version')}; database {DB}")

    say("Starting the replica (scripts/replica.sh start)")
    was_running = replica_script("status").returncode == 0
    started = time.perf_counter()
    done = replica_script("start")
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    out(
        f"{'already running' if was_running else 'started'} in {time.perf_counter() - started:.1f} s"
    )
    for line in done.stdout.splitlines():
        if "Copied in" in line or "Copying" in line:
            out("  " + line.replace("\x1b[1m==> ", "").replace("\x1b[0m", ""))
    out(f"primary data directory: {psql('SHOW data_directory')}")

    prepare_database()
    wait_for_replica_database()

    say("1. Where each alias connects")
    out(f"{PRIMARY}: {server_of(PRIMARY)}")
    out(f"{REPLICA}: {server_of(REPLICA)}")

    xifeng = Area.objects.get(code=XIFENG)
    station = Station.objects.filter(area__code__startswith=XIFENG[:6]).order_by("id").first()
    zhifu_station = Station.objects.filter(area__code__startswith=ZHIFU[:6]).order_by("id").first()
    user = get_user_model().objects.get(username="district_xifeng")
    today = timezone.localdate()
    span = Span.of(Period.containing(PeriodKind.DAY, today))

    say("2. The rollup job (outside a request, as in Celery) on the primary only")
    services.roll_up_all()
    services.coverage_refresh(xifeng)
    with Counted() as counted:
        check_in(station, 3)
        runs = services.roll_up_all()
        CoverageSnapshot.objects.filter(area=xifeng).first()
    out(f"{len(runs)} units rolled up; {counted.line()}")
    assert len(counted.replica) == 0

    say("3. The dashboard selectors, as a page request reads them")
    expected = figure_on(PRIMARY, xifeng, today)
    started = time.perf_counter()
    while figure_on(REPLICA, xifeng, today) != expected:
        time.sleep(0.0005)
    lag = time.perf_counter() - started
    with replica_reads(), Counted() as counted:
        facts = selectors.facts_for(user, xifeng)
        figures = {f.key: f for f in selectors.figures(user, xifeng, span, facts)}
        selectors.children_table(facts, xifeng, span)
        selectors.series(facts, xifeng, PeriodKind.DAY, today - dt.timedelta(days=6), today)
        selectors.last_computed(xifeng)
        selectors.pending_changes(xifeng)
        CoverageSnapshot.objects.filter(area=xifeng).first()
    out(f"figures, children table, series, freshness, coverage: {counted.line()}")
    assert len(counted.replica) > 0 and all(
        "reports_bucket" in q["sql"] or "reports_coveragesnapshot" in q["sql"]
        for q in counted.replica
    )
    with replica_reads(allowed=False):
        on_primary = selectors.figures(user, xifeng, span, facts)
    same = all(figures[f.key].value == f.value for f in on_primary)
    out(
        f"today's visits in Xifeng: {figures[VISITS].value:g} from the replica (computed at "
        f"{figures[VISITS].computed_at:%H:%M:%S}), the same {len(on_primary)} figures as the "
        f"primary's: {same} (replayed {lag * 1000:.1f} ms after the job's commit)"
    )

    say("4. Through the middleware: the sticky window after the person's own write")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    api = f"/api/v1/stats/areas/{XIFENG}/figures/?kind=day"
    page = f"/dashboard/{XIFENG}/"
    visit = ("/api/v1/check-ins/", {"station": station.pk, "visitors": 2})
    steps = [
        ("GET  stats API", "get", api),
        ("GET  dashboard page", "get", page),
        ("POST record 2 visitors (API)", "post", visit),
        ("GET  stats API right after", "get", api),
        ("GET  dashboard page right after", "get", page),
        ("wait", None, settings.REPLICA_STICKY_SECONDS),
        ("GET  stats API after the window", "get", api),
        ("GET  dashboard page after", "get", page),
    ]
    for label, method, target in steps:
        if method is None:
            out(f"… {target} s (REPLICA_STICKY_SECONDS)")
            time.sleep(target + 0.2)
            continue
        close_old_connections()
        with Counted() as counted:
            if method == "post":
                response = client.post(target[0], target[1], content_type="application/json")
            else:
                response = client.get(target)
        sticky = " + sticky cookie" if STICKY_COOKIE in response.cookies else ""
        out(f"{label:34} {response.status_code}{sticky:16} {counted.line()}")
        assert response.status_code in (200, 201), response.status_code

    say("5. Replication lag: a roll-up's commit on the primary → its figure on the replica")
    samples = [lag_sample(station, xifeng, XIFENG[:6]) for _ in range(args.samples)]
    out(f"idle primary: {percentiles(samples)}")
    writer = Writer(zhifu_station.pk)
    writer.start()
    time.sleep(1)
    started = time.perf_counter()
    busy = [lag_sample(station, xifeng, XIFENG[:6]) for _ in range(args.samples)]
    elapsed = time.perf_counter() - started
    writer.stop.set()
    writer.join()
    out(
        f"another district writing check-ins flat out ({writer.rows / (elapsed + 1):,.0f} rows/s): "
        f"{percentiles(busy)}"
    )
    out(
        "primary's view: " + psql("SELECT coalesce(replay_lag::text, '0') FROM pg_stat_replication")
    )
    services.roll_up_all()  # the other district's marks, so the next run starts clean

    say("6. A stats request's time, from the replica and from the primary (same run)")
    sticky_client = Client(HTTP_HOST="localhost")
    sticky_client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    close_old_connections()
    sticky_client.post(visit[0], visit[1], content_type="application/json")
    from_replica, from_primary = [], []
    # A window longer than the timed requests: every one of sticky_client's reads the primary.
    with override_settings(REPLICA_STICKY_SECONDS=3600):
        for _warm_up in range(20):
            timed_request(client, api)
            timed_request(sticky_client, api)
        for _ in range(args.requests):
            from_replica.append(timed_request(client, api))
            from_primary.append(timed_request(sticky_client, api))
    out(f"from the replica: {percentiles(from_replica)}")
    out(f"from the primary: {percentiles(from_primary)}")
    services.roll_up_all()

    say("7. The replica stopped, then started again")
    replica_script("stop")
    close_old_connections()
    with Counted() as counted:
        response = client.get(api)
    out(f"replica stopped: GET stats API {response.status_code}, {counted.line()}")
    assert response.status_code == 200
    replica_script("start")
    time.sleep(settings.REPLICA_RETRY_SECONDS + 0.5)
    close_old_connections()
    with Counted() as counted:
        response = client.get(api)
    out(
        f"started again, after REPLICA_RETRY_SECONDS={settings.REPLICA_RETRY_SECONDS}: "
        f"GET stats API {response.status_code}, {counted.line()}"
    )

    if not args.keep and not was_running:
        replica_script("stop")
        out("\nreplica stopped (its copy stays in var/replica; scripts/replica.sh remove)")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
