"""Feedback at city scale (issue 16), run by `bash bench/run.sh feedback`.

1. Reporting under load, with the check-in benchmark's setup (gunicorn, 4 sync workers,
   DEBUG off; locust from its own process): workers post hazard reports through the
   phone's own endpoint (`POST /m/report/`, the form as the page's script sends it, CSRF
   and session and all, photos excluded) at random points of a city of 1,000 community
   boundaries — so each is routed by point-in-polygon, checked against the category's
   rules and the similar open cases nearby, timed in working days and recorded with its
   routing steps and history. Beside it, in the same run, the bare view: one INSERT of a
   case, nothing else. Goal: ≥ 200 submissions/s.
2. The deadline job over a city's year: 50,000 cases and 100,000 tasks (made with SQL, a
   realistic share still open and past due), `deadlines_run()` timed once with work to do
   and once again with none. Goal: ≤ 5 s.

The city, its boundaries, stations and workers are made once in the bench database; the
year of cases is made afresh for each run of part 2.
"""

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.gis.geos import MultiPolygon, Point, Polygon  # noqa: E402
from django.contrib.sessions.backends.cached_db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from areas.models import Area  # noqa: E402
from bench.checkins import locust, say, start_gunicorn  # noqa: E402
from feedback.models import Case, CaseTask, FeedbackCategory  # noqa: E402
from feedback.services import deadlines_run  # noqa: E402
from members.models import Worker  # noqa: E402
from members.phone_login import (  # noqa: E402
    SESSION_CONSENT,
    SESSION_PHONE,
    current_notice_version,
)
from stations.models import Brand, Station  # noqa: E402

CITY = "991600000000"
DISTRICT = "991601000000"
STREETS = 20
COMMUNITIES = 1_000  # 50 per street, in a grid of 40 × 25 squares of 0.01°
COLUMNS = 40
WEST, SOUTH, SIDE = 111.0, 31.0, 0.01
WORKERS = 5_000
SESSIONS = 1_000
CASES = 50_000
TASKS_PER_CASE = 2


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", 40)))
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", 32)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_GUNICORN", 4)))
    parser.add_argument("--out", default="bench/results/feedback-latest.txt")
    return parser.parse_args()


# The city --------------------------------------------------------------------------------


def square(column: int, row: int) -> MultiPolygon:
    lng, lat = WEST + column * SIDE, SOUTH + row * SIDE
    ring = ((lng, lat), (lng + SIDE, lat), (lng + SIDE, lat + SIDE), (lng, lat + SIDE), (lng, lat))
    return MultiPolygon(Polygon(ring), srid=4326)


def city() -> list[Area]:
    province, _ = Area.objects.get_or_create(
        code="990000000000", defaults={"name": "基准省", "level": Area.Level.PROVINCE}
    )
    town, _ = Area.objects.get_or_create(
        code=CITY, defaults={"name": "反映基准市", "level": Area.Level.CITY, "parent": province}
    )
    district, _ = Area.objects.get_or_create(
        code=DISTRICT, defaults={"name": "反映基准区", "level": Area.Level.DISTRICT, "parent": town}
    )
    have = Area.objects.filter(code__startswith=DISTRICT[:6], level=Area.Level.COMMUNITY).count()
    if have < COMMUNITIES:
        say(f"Making {STREETS} streets and {COMMUNITIES:,} communities with boundaries")
        for s in range(STREETS):
            street, _ = Area.objects.get_or_create(
                code=f"{DISTRICT[:6]}{s + 1:03d}000",
                defaults={
                    "name": f"反映基准{s + 1}街道",
                    "level": Area.Level.STREET,
                    "parent": district,
                },
            )
            for c in range(COMMUNITIES // STREETS):
                n = s * (COMMUNITIES // STREETS) + c
                column, row = n % COLUMNS, n // COLUMNS
                Area.objects.update_or_create(
                    code=f"{DISTRICT[:6]}{s + 1:03d}{c + 1:03d}",
                    defaults={
                        "name": f"反映基准{n + 1}社区",
                        "level": Area.Level.COMMUNITY,
                        "parent": street,
                        "boundary": square(column, row),
                        "centre": Point(
                            WEST + (column + 0.5) * SIDE, SOUTH + (row + 0.5) * SIDE, srid=4326
                        ),
                    },
                )
    communities = list(
        Area.objects.filter(code__startswith=DISTRICT[:6], level=Area.Level.COMMUNITY).order_by(
            "code"
        )
    )
    if not Station.objects.filter(area__code__startswith=DISTRICT[:6]).exists():
        say("Making 200 stations and 5,000 workers")
        brand = Brand.objects.get(code="nuanfeng")
        Station.objects.bulk_create(
            Station(
                brand=brand,
                name=f"反映基准驿站{n}",
                area=community,
                address="基准路",
                location=community.centre,
                always_open=True,
                name_initials="fyjzyz",
            )
            for n, community in enumerate(communities[::5])
        )
        Worker.objects.bulk_create(
            Worker(
                name=f"基准骑手{n}",
                phone=f"167{n:08d}",
                occupation="food_delivery",
                status=Worker.Status.APPROVED,
                source="import",
                privacy_notice_version="import",
                consented_at=timezone.now(),
                approved_at=timezone.now(),
                area=communities[n % len(communities)],
            )
            for n in range(WORKERS)
        )
    return communities


def plan_file(path: Path) -> None:
    say(f"Logging {SESSIONS:,} phones in (sessions made directly; the SMS login is not measured)")
    version = current_notice_version()
    sessions = []
    for pk, phone in Worker.objects.filter(phone__startswith="167").values_list("pk", "phone")[
        :SESSIONS
    ]:
        store = SessionStore()
        store[SESSION_PHONE] = phone
        store[SESSION_CONSENT] = [phone, version]
        store.create()
        sessions.append([store.session_key, pk])
    community = Area.objects.filter(
        code__startswith=DISTRICT[:6], level=Area.Level.COMMUNITY
    ).first()
    path.write_text(
        json.dumps(
            {
                "sessions": sessions,
                "csrf": secrets.token_hex(16),
                "category": FeedbackCategory.objects.get(area=None, code="flying-wire").pk,
                "bounds": [
                    WEST,
                    SOUTH,
                    WEST + COLUMNS * SIDE,
                    SOUTH + (COMMUNITIES // COLUMNS) * SIDE,
                ],
                "community": community.pk,
            }
        )
    )


# The year of cases -------------------------------------------------------------------------


def year_of_cases(communities) -> dict:
    """50,000 cases and 100,000 tasks over the past year, made with SQL: most closed, some
    resolved and waiting, about 6% open — a third of those past their deadline — and 5%
    of the tasks open, half of those past theirs."""
    say(f"Making a year of {CASES:,} cases and {CASES * TASKS_PER_CASE:,} tasks")
    user, _ = get_user_model().objects.get_or_create(
        username="bench_feedback", defaults={"is_staff": True}
    )
    category = FeedbackCategory.objects.get(area=None, code="flying-wire")
    ids = [c.pk for c in communities]
    with connection.cursor() as cursor:
        # The year made last time, the baseline's rows and the reports of earlier runs
        # (bench/urls.py, the bench's workers): left, they would fall due on a later run.
        bench_rows = (
            "SELECT id FROM feedback_case WHERE (source = 'other' AND source_note LIKE 'bench%%')"
            " OR reporter_id IN (SELECT id FROM members_worker WHERE phone LIKE '167%%')"
        )
        for table in ("casenotice", "casehop", "casestatuschange", "casetask"):
            cursor.execute(f"DELETE FROM feedback_{table} WHERE case_id IN ({bench_rows})")
        cursor.execute(f"DELETE FROM feedback_case WHERE id IN ({bench_rows})")
        began = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO feedback_case (created_at, updated_at, kind, category_id, text, priority,
                source, source_note, reporter_role, place_note, area_id, responsible_area_id, status,
                status_reason, public, answer, due_at, late, escalations, reopen_count,
                resolved_at, closed_at)
            SELECT now() - ((g * 7907) %% 31536000) * interval '1 second', now(), 'hazard', %s,
                '基准案件' || g, 'normal', 'other', 'bench', '', '', a, a,
                CASE WHEN g %% 100 < 6 THEN 'in_progress'
                     WHEN g %% 100 < 10 THEN 'resolved' ELSE 'closed' END,
                '', false, '',
                CASE WHEN g %% 100 < 2 THEN now() - interval '1 hour'
                     ELSE now() + interval '3 days' END,
                false, 0, 0,
                CASE WHEN g %% 100 BETWEEN 6 AND 9 THEN now() - ((g %% 20) || ' days')::interval END,
                CASE WHEN g %% 100 >= 10 THEN now() END
            FROM generate_series(1::bigint, %s::bigint) g,
                 LATERAL (SELECT (%s::bigint[])[1 + (g * 104729) %% %s] AS a) pick
            """,
            [category.pk, CASES, ids, len(ids)],
        )
        cursor.execute(
            """
            INSERT INTO feedback_casetask (case_id, description, unit_id, due_at, status,
                result, late, created_by_id, created_at)
            SELECT c.id, '任务' || t, c.area_id,
                CASE WHEN (c.id + t) %% 40 = 0 THEN now() - interval '2 hours'
                     ELSE now() + interval '2 days' END,
                CASE WHEN (c.id + t) %% 20 = 0 THEN 'open' ELSE 'done' END,
                CASE WHEN (c.id + t) %% 20 = 0 THEN '' ELSE '已完成' END,
                false, %s, c.created_at
            FROM feedback_case c, generate_series(1, %s) t
            WHERE c.source = 'other' AND c.source_note = 'bench'
            """,
            [user.pk, TASKS_PER_CASE],
        )
        cursor.execute("ANALYZE feedback_case")
        cursor.execute("ANALYZE feedback_casetask")
    made = time.perf_counter() - began
    open_due = Case.objects.filter(
        source_note="bench", status__in=Case.OPEN, due_at__lt=timezone.now()
    ).count()
    tasks_due = CaseTask.objects.filter(
        case__source_note="bench", status="open", due_at__lt=timezone.now()
    ).count()
    return {"made_s": made, "open_past_due": open_due, "tasks_past_due": tasks_due}


def main() -> None:
    args = parse_args()
    results = ROOT / "bench/results"
    results.mkdir(parents=True, exist_ok=True)
    communities = city()
    lines = [f"Feedback benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"]

    plan = results / "feedback-plan.json"
    plan_file(plan)
    server = start_gunicorn(args.workers)
    try:
        say(f"Reports flat out: {args.users} users, {args.seconds} s")
        report = locust(plan, "report", args.users, 0, args.seconds, results / "feedback-report")
        say(f"The bare INSERT view flat out: {args.users} users, {args.seconds} s")
        bare = locust(plan, "bare-case", args.users, 0, args.seconds, results / "feedback-bare")
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines.append(
        f"reports:  {report['rps']:.1f}/s, p50 {report['p50']:.0f} ms, p99 {report['p99']:.0f} ms, "
        f"{report['failures']} failed of {report['requests']}"
    )
    lines.append(
        f"bare:     {bare['rps']:.1f}/s, p50 {bare['p50']:.0f} ms, p99 {bare['p99']:.0f} ms "
        f"(reports at {report['rps'] / bare['rps']:.2f}× the bare INSERT)"
    )

    year = year_of_cases(communities)
    began = time.perf_counter()
    first = deadlines_run()
    first_s = time.perf_counter() - began
    began = time.perf_counter()
    second = deadlines_run()
    second_s = time.perf_counter() - began
    lines.append(
        f"deadline job over {CASES:,} cases and {CASES * TASKS_PER_CASE:,} tasks "
        f"({year['open_past_due']:,} open cases and {year['tasks_past_due']:,} tasks past due): "
        f"{first_s:.2f} s ({first}); again, nothing to do: {second_s:.2f} s ({second})"
    )
    text = "\n".join(lines)
    print(text)
    Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
