"""Import 30,000 workers (Shangqiu's month of registrations) through the real ledger import
path, beside a raw COPY of the same rows into the same table in the same run (issue 3's
benchmark; run by `bash bench/run.sh import`).

The path timed is the one a district's staff takes: ledgers.services.import_upload (read the
.xlsx, find the headers, check every row against the database: phones and ID numbers
already registered, communities, enterprises, outlets) and then import_commit (read and
check again — the world may have moved since the dry run — and write the workers and their
history in one transaction). Both run in this process, as the Celery task that runs them for
a file this size would (the same functions; a queue adds only its pick-up latency).

The raw COPY writes the same 30,000 rows, with their ID numbers already encrypted and
blind-indexed outside the timing, into members_worker inside a transaction that is rolled
back: the database's own share of the work, with the same indexes and constraints.
"""

import argparse
import datetime as dt
import io
import os
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from areas.models import Area, StaffGrant  # noqa: E402
from core.identifiers import id_number_check_char  # noqa: E402
from ledgers import services as ledgers  # noqa: E402
from ledgers.models import ImportJob  # noqa: E402
from members.ledgers import IMPORTED_NOTICE_VERSION, OCCUPATION_WORDS  # noqa: E402
from members.models import Enterprise, Outlet, Worker  # noqa: E402

BENCH_DB = "warmstations_bench"
GOAL_SECONDS = 60
# A district that exists nowhere (99xxxx): the benchmark's rows never mix with real ones.
DISTRICT_CODE = "991401000000"
COMMUNITIES = 24
ENTERPRISES = ["顺丰速运", "中通快递", "美团外卖", "饿了么", "货拉拉", "滴滴出行"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志强海波晓东小龙"
HEADERS = ["序号", "姓名", "手机号码", "身份证号", "性别", "出生年份", "职业", "用工企业", "平台",
           "所在网点", "报到社区", "标签"]  # fmt: skip


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    return parser.parse_args()


def say(message: str) -> None:
    print(f"  {message}", flush=True)


def setup_area():
    """The bench district: two streets, COMMUNITIES communities, the enterprises with an
    outlet in each community, and a district staff member to import as."""
    province, _ = Area.objects.get_or_create(
        code="990000000000", defaults={"name": "基准省", "level": Area.Level.PROVINCE}
    )
    city, _ = Area.objects.get_or_create(
        code="991400000000",
        defaults={"name": "基准市", "level": Area.Level.CITY, "parent": province},
    )
    district, _ = Area.objects.get_or_create(
        code=DISTRICT_CODE,
        defaults={"name": "基准测试区", "level": Area.Level.DISTRICT, "parent": city},
    )
    communities = []
    for s in (1, 2):
        street, _ = Area.objects.get_or_create(
            code=f"991401{s:03d}000",
            defaults={"name": f"基准第{s}街道", "level": Area.Level.STREET, "parent": district},
        )
        for c in range(1, COMMUNITIES // 2 + 1):
            community, _ = Area.objects.get_or_create(
                code=f"991401{s:03d}{c:03d}",
                defaults={
                    "name": f"基准{s}街{c}社区",
                    "level": Area.Level.COMMUNITY,
                    "parent": street,
                },
            )
            communities.append(community)
    enterprises = []
    for name in ENTERPRISES:
        enterprise, _ = Enterprise.objects.get_or_create(
            area=district, name=name, defaults={"kind": Enterprise.Kind.EXPRESS}
        )
        enterprises.append(enterprise)
        for community in communities:
            Outlet.objects.get_or_create(
                enterprise=enterprise,
                area=community,
                name=f"{community.name}{name}站",
                defaults={"kind": Outlet.Kind.EXPRESS_OUTLET},
            )
    user, _ = get_user_model().objects.get_or_create(
        username="bench_importer", defaults={"is_staff": True}
    )
    StaffGrant.objects.get_or_create(
        user=user, area=district, role=StaffGrant.Role.DISTRICT_DEPARTMENT
    )
    return district, communities, user


def clear_previous_run(district: Area) -> None:
    with connection.cursor() as cursor:
        workers = (
            "SELECT w.id FROM members_worker w JOIN areas_area a ON a.id = w.area_id "
            "WHERE a.code LIKE %s"
        )
        prefix = district.code[:6] + "%"
        cursor.execute(
            f"DELETE FROM members_workerstatuschange WHERE worker_id IN ({workers})", [prefix]
        )
        cursor.execute(f"DELETE FROM members_worker WHERE id IN ({workers})", [prefix])
    ImportJob.objects.filter(area=district).delete()


def make_rows(rng: random.Random, count: int, communities) -> list[list]:
    """Rows as a 摸排 ledger has them: unique phones, an ID number for 40%, the usual
    occupations, employers and their outlets, a community by name."""
    phones = rng.sample(range(10**8), count)
    occupations = [words[0] for words in OCCUPATION_WORDS.values()]
    weights = [30, 40, 10, 8, 4, 2, 2, 4]
    rows = []
    for n in range(count):
        community = communities[n % len(communities)]
        enterprise = ENTERPRISES[rng.randrange(len(ENTERPRISES))]
        born = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(365 * 35))
        id_number = ""
        if rng.random() < 0.4:
            first17 = f"991401{born:%Y%m%d}{n % 1000:03d}"
            id_number = first17 + id_number_check_char(first17)
        rows.append(
            [
                n + 1,
                rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
                f"1{rng.choice('3456789')}{rng.randrange(10)}{phones[n]:08d}",
                id_number,
                rng.choice(["男", "男", "男", "女"]),
                born.year,
                rng.choices(occupations, weights)[0],
                enterprise,
                rng.choice(["美团", "饿了么", "顺丰", ""]),
                f"{community.name}{enterprise}站",
                community.name,
                rng.choice(["", "", "党员", "退役军人", "志愿者"]),
            ]
        )
    # One person, one phone, one ID number: random draws can repeat (rarely), so repeats
    # are dropped (phones) or left without the ID number.
    seen_phones, seen_ids, unique = set(), set(), []
    for row in rows:
        if row[2] in seen_phones:
            continue
        seen_phones.add(row[2])
        if row[3] in seen_ids:
            row[3] = ""
        elif row[3]:
            seen_ids.add(row[3])
        unique.append(row)
    return unique


def write_xlsx(rows: list[list]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(["新就业群体摸排台账"])
    sheet.append(["填报单位：基准测试区", None, None, None, "填报日期：2026-11-01"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def copy_raw(rows: list[list], communities) -> float:
    """The same rows COPYed into members_worker (values prepared outside the timing),
    rolled back. Returns seconds."""
    areas = {c.name: c.pk for c in communities}
    enterprises = dict(Enterprise.objects.filter(name__in=ENTERPRISES).values_list("name", "pk"))
    occupation_of = {words[0]: value for value, words in OCCUPATION_WORDS.items()}
    id_field = Worker._meta.get_field("id_number")
    now = timezone.now()
    prepared = []
    for row in rows:
        id_number = row[3]
        prepared.append(
            (
                now,
                now,
                row[1],
                row[2],
                id_field.get_db_prep_value(id_number, connection) if id_number else "",
                Worker.id_number_index_of(id_number),
                "male" if row[4] == "男" else "female",
                row[5],
                occupation_of[row[6]],
                enterprises[row[7]],
                row[8],
                areas[row[10]],
                "",
                Worker.Status.APPROVED,
                "",
                Worker.Source.IMPORT,
                [row[11]] if row[11] else [],
                IMPORTED_NOTICE_VERSION,
                now,
                now,
            )
        )
    columns = (
        "created_at, updated_at, name, phone, id_number, id_number_index, gender, birth_year, "
        "occupation, enterprise_id, platform, area_id, political_status, status, status_reason, "
        "source, tags, privacy_notice_version, consented_at, approved_at"
    )
    started = time.perf_counter()
    with transaction.atomic():
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY members_worker ({columns}) FROM STDIN") as copy,
        ):
            for values in prepared:
                copy.write_row(values)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def main() -> None:
    args = parse_args()
    if settings.DATABASES["default"]["NAME"] != BENCH_DB:
        sys.exit(f"Run against {BENCH_DB} (bench/run.sh sets POSTGRES_DB).")
    rng = random.Random(args.seed)
    district, communities, user = setup_area()
    clear_previous_run(district)
    rows = make_rows(rng, args.rows, communities)
    started = time.perf_counter()
    content = write_xlsx(rows)
    made = time.perf_counter() - started
    say(f"{len(rows)} rows, {len(content) / 1e6:.1f} MB .xlsx (written in {made:.1f} s)")

    raw = copy_raw(rows, communities)
    say(f"raw COPY: {raw:.2f} s")

    settings.LEDGER_IMPORT_INLINE_ROWS = 10**9  # the task's functions, in this process
    started = time.perf_counter()
    job = ledgers.import_upload(
        actor=user, kind="workers", area=district, filename="bench.xlsx", content=content
    )
    checked = time.perf_counter() - started
    if job.status != ImportJob.Status.CHECKED or job.error_rows:
        sys.exit(f"The check did not pass: {job.status} {job.message} {job.errors[:5]}")
    say(f"upload + dry run: {checked:.2f} s")
    started = time.perf_counter()
    job = ledgers.import_commit(actor=user, job=job, skip_invalid=False)
    committed = time.perf_counter() - started
    if job.status != ImportJob.Status.DONE:
        sys.exit(f"The import did not finish: {job.status} {job.message}")
    say(f"commit (check again + write): {committed:.2f} s")
    imported = Worker.objects.filter(area__code__startswith=district.code[:6]).count()

    total = checked + committed
    report = [
        f"Ledger import benchmark, {timezone.now():%Y-%m-%d %H:%M} UTC",
        f"Machine: {machine()}; PostgreSQL {connection.pg_version // 10000}",
        f"Rows: {len(rows)} workers ({sum(1 for r in rows if r[3])} with an ID number), "
        f"{len(content) / 1e6:.1f} MB .xlsx; imported {imported}",
        "",
        "| step                                        | seconds | rows/s |",
        "|---------------------------------------------|--------:|-------:|",
        f"| upload + dry run (read, check every row)    | {checked:7.2f} | {len(rows) / checked:6.0f} |",
        f"| commit (read, check again, write)           | {committed:7.2f} | {len(rows) / committed:6.0f} |",
        f"| the whole import path                       | {total:7.2f} | {len(rows) / total:6.0f} |",
        f"| raw COPY of the same rows (rolled back)     | {raw:7.2f} | {len(rows) / raw:6.0f} |",
        "",
        f"Goal: the whole path ≤ {GOAL_SECONDS} s — {'met' if total <= GOAL_SECONDS else 'NOT met'} "
        f"({total:.1f} s, {total / raw:.1f}× the raw COPY).",
    ]
    text = "\n".join(report)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
