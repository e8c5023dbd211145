"""Fault run (issue 12 §4): Redis killed for 60 s under load, then a Celery worker killed
mid-task. Run by a newcomer with one command:

    .venv/bin/python bench/fault_redis.py            # ~6 minutes
    .venv/bin/python bench/fault_redis.py --outage 20 --keep   # shorter; keep the database

It never touches the machine's Redis (6379) or the development database: it starts its own
redis-server on port 6390 (no persistence, as production's cache/broker), a throwaway
database `ws_fault_redis` (dropped at the end unless --keep), and on them gunicorn (port
8031), a Celery worker and Celery beat. Then:

1. Redis outage. Worker phones log in by SMS code (read from the server log, as the console
   SMS backend writes it) and check in every ~1 s each, at the next station each time; a staff member logs into the admin
   and approves registrations through the API and uploads ledgers (each upload queues a
   check job through the outbox). After a warm-up Redis is killed (SIGKILL) for --outage
   seconds, restarted empty, and the load goes on until every queued job has run. Failed
   check-ins are retried as the phone's offline queue does (same client key).
   Reported: check-ins attempted/recorded/lost, 5xx for logged-in users, p50/p99 during
   the outage, jobs queued during the outage and whether each ran after Redis came back.
2. Worker killed mid-task. A 20,000-row ledger is committed by the worker; its pool process
   is killed (SIGKILL) while the rows are being written, then (second file) the whole worker
   is killed and started again. Reported: whether each task ran again and wrote exactly the
   file's rows (the same result as an undisturbed run).

Figures go to stdout and bench/results/fault-redis-latest.txt (copied to BENCHMARKS.md).
"""

import argparse
import datetime as dt
import io
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
REDIS_PORT = 6390
WEB_PORT = 8031
DB = "ws_fault_redis"
BASE = f"http://127.0.0.1:{WEB_PORT}"
WORKER_PHONES = [f"1669000{n:04d}" for n in range(1, 17)]
PENDING_PHONES = [f"1669100{n:04d}" for n in range(1, 61)]
STAFF = "community_beidajie"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "POSTGRES_DB": DB,
    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
    "DJANGO_DEBUG": "false",
    "SERVE_MEDIA": "false",
    "LOG_LEVEL": "INFO",
    # The community account needs no second factor by default; no password age either.
    "TWO_FACTOR_REQUIRED_FOR": "superuser",
    "PASSWORD_MAX_AGE_DAYS": "0",
    "API_REQUESTS_PER_MINUTE": "100000",
    # Each phone comes from its own address (X-Forwarded-For, as behind one proxy): the SMS
    # limit of one code a minute per address would otherwise stop the second login.
    "NUM_PROXIES": "1",
    "ADMIN_REQUESTS_PER_MINUTE": "100000",
    # Every ledger goes to the worker, so uploads queue jobs.
    "LEDGER_IMPORT_INLINE_ROWS": "0",
    # Jobs sent just before the kill were lost with Redis's memory: sent again after 60 s.
    "OUTBOX_RESEND_SECONDS": "60",
    # A whole worker killed: its task comes back after 30 s (production: 600 s).
    "CELERY_VISIBILITY_TIMEOUT": "30",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from areas.models import StaffGrant  # noqa: E402
from core.models import OutboxJob  # noqa: E402
from ledgers import services as ledgers  # noqa: E402
from ledgers.models import ImportJob  # noqa: E402
from members.models import Worker  # noqa: E402
from stations.models import CheckIn, Station  # noqa: E402

LOG = ROOT / "bench/results/fault-redis-server.log"
lines_out: list[str] = []


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def report(line: str = "") -> None:
    print(line, flush=True)
    lines_out.append(line)


# Processes ------------------------------------------------------------------------------------


class Procs:
    def __init__(self):
        self.redis = self.web = self.worker = self.beat = None
        self.log = open(LOG, "ab")

    def start_redis(self):
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _redis_ping(), 10, "redis-server")

    def kill_redis(self):
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait()

    def start_web(self):
        self.web = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi:application"]
            + ["--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "4", "--timeout", "60"]
            + ["--log-level", "warning"],
            env=ENV,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        wait_for(lambda: requests.get(f"{BASE}/m/login/", timeout=2).ok, 60, "gunicorn")

    def start_worker(self):
        self.worker = subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
            + ["--concurrency=2", "--loglevel=INFO", "--hostname=fault@%h"],
            env=ENV,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )

    def start_beat(self):
        self.beat = subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
            + ["-s", str(ROOT / "bench/results/fault-beat-schedule")],
            env=ENV,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )

    def stop(self):
        for proc in (self.beat, self.worker, self.web):
            if proc and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in (self.beat, self.worker, self.web):
            if proc:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
            self.redis.wait(timeout=10)


def _redis_ping() -> bool:
    import redis

    try:
        return redis.Redis(port=REDIS_PORT, socket_connect_timeout=0.2).ping()
    except redis.exceptions.ConnectionError:
        return False


def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds} s (log: {LOG})")


# The database ---------------------------------------------------------------------------------


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", settings.DATABASES["default"]["HOST"], "-U", "postgres", "-qc", sql],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def make_database() -> None:
    connection.close()
    psql(f'DROP DATABASE IF EXISTS "{DB}"')
    owner = settings.DATABASES["default"]["USER"]
    psql(f'CREATE DATABASE "{DB}" OWNER "{owner}"')
    say("Migrating and loading the demo network (about a minute)")
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_demo"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(
            [PY, "manage.py", *command], env=ENV, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )


def seed() -> dict:
    from members.tests.factories import WorkerFactory

    staff = get_user_model().objects.get(username=STAFF)
    community = StaffGrant.objects.filter(user=staff).first().area
    for phone in WORKER_PHONES:
        WorkerFactory(area=community, phone=phone, status=Worker.Status.APPROVED)
    pending = [
        WorkerFactory(area=community, phone=phone, source=Worker.Source.STAFF).pk
        for phone in PENDING_PHONES
    ]
    stations = list(Station.objects.values_list("pk", flat=True))  # a new visit at each
    return {"community": community.code, "pending": pending, "stations": stations}


def ledger_file(first: int, rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "手机号码", "职业", "报到社区"])
    for n in range(first, first + rows):
        sheet.append([f"故障{n}", f"1558{n:07d}", "快递员", "北大街社区"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Users ------------------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = []  # (started monotonic, seconds, status or None, kind)

    def add(self, started, seconds, status, kind):
        with self.lock:
            self.samples.append((started, seconds, status, kind))


def sms_login(session: requests.Session, phone: str) -> bool:
    session.headers["X-Forwarded-For"] = (
        f"127.0.{int(phone[-4:]) // 250}.{int(phone[-4:]) % 250 + 1}"
    )
    page = session.get(f"{BASE}/m/login/", timeout=10)
    token = session.cookies.get("csrftoken") or re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
    ).group(1)
    mark = LOG.stat().st_size
    session.post(
        f"{BASE}/m/login/",
        {"csrfmiddlewaretoken": token, "phone": phone},
        headers={"Referer": f"{BASE}/m/login/"},
        timeout=10,
    )
    code = None
    for _ in range(50):
        with open(LOG, "rb") as log:
            log.seek(mark)
            found = re.findall(rf"SMS to {phone}: login code (\d{{6}})".encode(), log.read())
        if found:
            code = found[-1].decode()
            break
        time.sleep(0.1)
    if code is None:
        return False
    done = session.post(
        f"{BASE}/m/login/",
        {"csrfmiddlewaretoken": session.cookies.get("csrftoken", token), "action": "verify"}
        | {"phone": phone, "code": code},
        headers={"Referer": f"{BASE}/m/login/"},
        timeout=10,
        allow_redirects=False,
    )
    return done.status_code == 302


def phone_user(phone, stations, stop, rec: Recorder, keys, created, merged, lost):
    session = requests.Session()
    if not sms_login(session, phone):
        lost.append(f"login failed for {phone}")
        return
    queue: list[dict] = []  # the phone's offline queue: retried with the same key
    n = 0
    while not stop.is_set():
        n += 1
        body = queue.pop(0) if queue else None
        if body is None:
            body = {"station": stations[n % len(stations)], "client_key": str(uuid.uuid4())}
            body["services"] = ["water"]
            keys.append(body["client_key"])
        started = time.monotonic()
        try:
            answer = session.post(
                f"{BASE}/m/check-ins/",
                data=json.dumps(body),
                headers={
                    "Content-Type": "application/json",
                    "X-CSRFToken": session.cookies.get("csrftoken", ""),
                    "Referer": f"{BASE}/m/",
                },
                timeout=15,
            )
            status = answer.status_code
        except requests.RequestException:
            status = None
        rec.add(started, time.monotonic() - started, status, "check-in")
        if status == 201:
            created.append(body["client_key"])
        elif status == 200:
            merged.append(body["client_key"])
        else:
            queue.append(body)
        if n % 5 == 0:
            started = time.monotonic()
            try:
                status = session.get(f"{BASE}/m/me/check-ins/", timeout=15).status_code
            except requests.RequestException:
                status = None
            rec.add(started, time.monotonic() - started, status, "page")
        time.sleep(1.0)
    # Flush the offline queue, as the phone does when it is back online.
    for body in queue:
        answer = session.post(
            f"{BASE}/m/check-ins/",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": session.cookies["csrftoken"],
            },
            timeout=15,
        )
        if answer.status_code == 201:
            created.append(body["client_key"])
        elif answer.status_code == 200:
            merged.append(body["client_key"])
        else:
            lost.append(f"{answer.status_code} {answer.text[:100]}")


def staff_user(seeded, stop, rec: Recorder, uploads: list, problems: list):
    session = requests.Session()
    session.get(f"{BASE}/admin/login/", timeout=10)
    session.post(
        f"{BASE}/admin/login/",
        {
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            "username": STAFF,
            "password": settings.DEMO_PASSWORD,
            "next": "/admin/",
        },
        headers={"Referer": f"{BASE}/admin/login/"},
        timeout=10,
    )
    pending = list(seeded["pending"])
    n = 0
    while not stop.is_set():
        n += 1
        headers = {"X-CSRFToken": session.cookies.get("csrftoken", ""), "Referer": BASE + "/"}
        started = time.monotonic()
        try:
            if n % 4 == 0:
                # Each upload queues the worker's check job (through the outbox).
                first = 10_000 + n * 10
                answer = session.post(
                    f"{BASE}/api/v1/ledger-imports/",
                    data={"kind": "workers", "area": seeded["community"]},
                    files={"file": ("台账.xlsx", ledger_file(first, 10))},
                    headers=headers,
                    timeout=15,
                )
                if answer.status_code == 201:
                    uploads.append((started, answer.json()["id"]))
                else:
                    problems.append(f"upload: {answer.status_code} {answer.text[:200]}")
                kind = "upload"
            elif pending:
                answer = session.post(
                    f"{BASE}/api/v1/workers/{pending[0]}/approve/", headers=headers, timeout=15
                )
                if answer.status_code == 200:
                    pending.pop(0)
                kind = "approve"
            else:
                answer = session.get(f"{BASE}/admin/members/worker/", timeout=15)
                kind = "admin page"
            status = answer.status_code
        except requests.RequestException:
            status, kind = None, "staff"
        rec.add(started, time.monotonic() - started, status, kind)
        time.sleep(1.0)


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# Scenario 1 -------------------------------------------------------------------------------------


def redis_outage(procs: Procs, seeded, args) -> None:
    say(f"Scenario 1: load for {args.warmup} s, Redis killed for {args.outage} s, then back")
    stop = threading.Event()
    rec, keys, created, merged, lost, uploads = Recorder(), [], [], [], [], []
    threads = [
        threading.Thread(
            target=phone_user, args=(p, seeded["stations"], stop, rec, keys, created, merged, lost)
        )
        for p in WORKER_PHONES
    ] + [threading.Thread(target=staff_user, args=(seeded, stop, rec, uploads, lost))]
    for thread in threads:
        thread.start()
    time.sleep(args.warmup)
    outage_started = time.monotonic()
    outage_wall = dt.datetime.now(dt.UTC)
    procs.kill_redis()
    say("Redis killed")
    time.sleep(args.outage)
    procs.start_redis()
    outage_ended = time.monotonic()
    outage_wall_end = dt.datetime.now(dt.UTC)
    say("Redis restarted (empty); load goes on until every queued job has run")
    time.sleep(args.after)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    deadline = time.monotonic() + args.drain_wait
    queued = OutboxJob.objects.filter(created_at__gte=outage_wall)
    while time.monotonic() < deadline and queued.filter(done_at=None).exists():
        time.sleep(2)
    ran_at = time.monotonic()

    recorded = CheckIn.objects.filter(client_key__in=created).count()
    stray = CheckIn.objects.filter(client_key__in=merged).count()
    logged_in = [s for s in rec.samples]
    errors_5xx = sum(1 for s in logged_in if s[2] is not None and s[2] >= 500)
    no_answer = sum(1 for s in logged_in if s[2] is None)
    during = [s for s in rec.samples if outage_started <= s[0] < outage_ended]
    ci_during = [s[1] * 1000 for s in during if s[3] == "check-in"]
    ci_before = [s[1] * 1000 for s in rec.samples if s[0] < outage_started and s[3] == "check-in"]
    all_during = [s[1] * 1000 for s in during]
    in_outage = queued.filter(created_at__lt=outage_wall_end)
    report_outage = (in_outage.count(), in_outage.exclude(done_at=None).count())
    jobs_total = queued.count()
    jobs_done = queued.exclude(done_at=None).count()
    imports = ImportJob.objects.filter(pk__in=[pk for _, pk in uploads])
    outage_uploads = [pk for at, pk in uploads if outage_started <= at < outage_ended]
    approved = Worker.objects.filter(
        pk__in=seeded["pending"], status=Worker.Status.APPROVED
    ).count()

    report(f"Scenario 1 — Redis killed for {args.outage} s under load")
    report(
        f"  users: {len(WORKER_PHONES)} phones (SMS login, a check-in every ~1 s at the next station, a page"
    )
    report("         every 5th), 1 staff member (admin login; approvals, ledger uploads)")
    report(
        f"  check-ins attempted: {len(keys)}; answered as a new visit (201): {len(created)}, "
        f"as the same visit within the window (200, by design): {len(merged)}, "
        f"never answered: {len(keys) - len(created) - len(merged)}"
    )
    report(
        f"  new visits recorded with their key: {recorded} of {len(created)} "
        f"(lost: {len(created) - recorded}); same-visit answers stored twice: {stray}"
    )
    report(
        f"  requests by logged-in users: {len(logged_in)}; 5xx: {errors_5xx}; no answer: {no_answer}"
    )
    report(
        f"  check-in latency before the outage: p50 {percentile(ci_before, 50):.0f} ms, "
        f"p99 {percentile(ci_before, 99):.0f} ms ({len(ci_before)} requests)"
    )
    report(
        f"  check-in latency during the outage: p50 {percentile(ci_during, 50):.0f} ms, "
        f"p99 {percentile(ci_during, 99):.0f} ms ({len(ci_during)} requests)"
    )
    report(
        f"  all requests during the outage: p50 {percentile(all_during, 50):.0f} ms, "
        f"p99 {percentile(all_during, 99):.0f} ms ({len(all_during)} requests)"
    )
    report(f"  registrations approved: {approved} (during the outage too)")
    report(
        f"  jobs queued from the outage on: {jobs_total}; run: {jobs_done}; "
        f"not run: {jobs_total - jobs_done} (all run {ran_at - outage_ended:.0f} s after Redis "
        "came back)"
        if jobs_done == jobs_total
        else f"  jobs queued from the outage on: {jobs_total}; run: {jobs_done}; NOT RUN: "
        f"{jobs_total - jobs_done}"
    )
    report(
        f"  of which queued while Redis was down: {report_outage[0]}; "
        f"run after it came back: {report_outage[1]}"
    )
    report(
        f"  ledger uploads: {len(uploads)} ({len(outage_uploads)} during the outage); checked by "
        f"the worker: {imports.filter(status=ImportJob.Status.CHECKED).count()}"
    )
    if lost:
        report(f"  problems: {lost}")


# Scenario 2 -------------------------------------------------------------------------------------


def worker_kill(procs: Procs, seeded, args) -> None:
    say("Scenario 2: a Celery worker killed mid-task")
    staff = get_user_model().objects.get(username=STAFF)
    community = StaffGrant.objects.filter(user=staff).first().area
    report("")
    report(f"Scenario 2 — a Celery worker killed while it writes a {args.rows:,}-row ledger")
    for n, (what, how) in enumerate(
        [
            ("undisturbed (the reference)", None),
            ("pool process killed (SIGKILL)", "child"),
            ("whole worker killed (SIGKILL), started again", "worker"),
        ]
    ):
        first = 1_000_000 + n * args.rows
        job = ledgers.import_upload(
            actor=staff,
            kind="workers",
            area=community,
            filename="大台账.xlsx",
            content=ledger_file(first, args.rows),
        )
        wait_job(job, ImportJob.Status.CHECKED, 300)
        began = time.monotonic()
        ledgers.import_commit(actor=staff, job=job, skip_invalid=False)
        killed = ""
        if how:
            time.sleep(args.kill_after)
            job.refresh_from_db()
            if job.status != ImportJob.Status.COMMITTING:
                killed = f" (too late to kill: already {job.status}; raise --rows)"
            elif how == "child":
                children = subprocess.run(
                    ["pgrep", "-P", str(procs.worker.pid)], capture_output=True, text=True
                ).stdout.split()
                for pid in children:
                    os.kill(int(pid), signal.SIGKILL)
                killed = f" (killed {len(children)} pool processes)"
            else:
                os.killpg(procs.worker.pid, signal.SIGKILL)
                procs.worker.wait()
                procs.start_worker()
                killed = " (worker and pool killed, worker restarted)"
        job = wait_job(job, ImportJob.Status.DONE, 300)
        workers = Worker.objects.filter(
            phone__in=[f"1558{m:07d}" for m in range(first, first + args.rows)]
        )
        report(
            f"  {what}{killed}: {job.status}, written {job.written_rows:,} rows, "
            f"{workers.count():,} workers with the file's phones, "
            f"{time.monotonic() - began:.0f} s"
        )


def wait_job(job, status, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        if job.status == ImportJob.Status.FAILED:
            break
        time.sleep(0.5)
    return job


# -------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--outage", type=int, default=60)
    parser.add_argument("--after", type=int, default=30, help="load after Redis is back (s)")
    parser.add_argument("--drain-wait", type=int, default=150)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--kill-after", type=float, default=1.5)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--skip-worker-kill", action="store_true")
    args = parser.parse_args()

    if _redis_ping():
        raise SystemExit(f"Something already listens on port {REDIS_PORT}: stop it first.")
    (ROOT / "bench/results").mkdir(exist_ok=True)
    LOG.write_bytes(b"")
    procs = Procs()
    try:
        say(f"Starting redis-server on port {REDIS_PORT} (its own; not the machine's)")
        procs.start_redis()
        make_database()
        seeded = seed()
        connection.close()
        say("Starting gunicorn, a Celery worker and beat")
        procs.start_web()
        procs.start_worker()
        procs.start_beat()
        time.sleep(5)
        report(
            f"Fault run — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
            f"{os.cpu_count()} cores; gunicorn 4 sync workers, Celery prefork ×2, beat"
        )
        redis_outage(procs, seeded, args)
        if not args.skip_worker_kill:
            worker_kill(procs, seeded, args)
    finally:
        procs.stop()
        connection.close()
        if not args.keep:
            psql(f'DROP DATABASE IF EXISTS "{DB}"')
    out = ROOT / "bench/results/fault-redis-latest.txt"
    out.write_text("\n".join(lines_out) + "\n")
    say(f"Written to {out}")


if __name__ == "__main__":
    main()
