"""Running the rollups: the job that takes a unit's dirty marks and recomputes what they
name, the rebuild, the comparison with the raw rows, and the seal a retention rule asks
for. reports/engine.py computes; this module decides what to compute and keeps it safe to
run twice, concurrently, or after a crash.

A unit's work is one transaction holding the unit's advisory lock: it reads the unit's
marks, recomputes, and deletes exactly the marks it read. Marks written meanwhile stay for
the next run. The units above a district (its city, its province) need the same marks: the beat
copies each new mark up (`pass_marks_up`) before it sends the tasks. They add their
additive days up from the figures of the units below them (engine.days_from_units_below),
so a city's run counts a day's people once from the raw rows at once (beside its
districts' runs) and leaves the day's sums as a SUMS mark until its districts have rolled
that day up (`_sorted_by_units_below`); the last district's task then sends the city's,
and the city's the province's (tasks.roll_up_unit).
"""

import datetime as dt
import logging
import random
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, F, Func, Q
from django.utils import timezone

from areas.models import Area
from core.facts import Fact

from . import engine
from .facts import all_facts, facts_of_model
from .models import (
    AreaAncestry,
    Bucket,
    BucketRow,
    CoverageSnapshot,
    DirtyBucket,
    SealedPeriod,
    district_code_of,
    is_above_districts,
)
from .periods import Period, PeriodKind

logger = logging.getLogger(__name__)

TREE = "areas.area"  # the mark the area tree's trigger writes
EVERYTHING = "*"  # a unit to rebuild in full (its areas moved)
SLOW = "slow:"  # prefix of the marks of distinct counts over quarters and years
# Prefix of a city's (or province's) mark whose people counted once are done and whose sums
# wait for the units below it to roll the day up (_sorted_by_units_below).
SUMS = "sums:"
MARKS_PER_RUN = 50_000


def _lock(unit: str, *, wait: bool = False) -> bool:
    """This transaction's hold on the unit: one job per unit at a time (a second one,
    started by an overlapping beat, finds it taken and leaves; a rebuild waits)."""
    key = zlib.crc32(f"reports.rollup:{unit}".encode())
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return cursor.fetchone()[0]


# Copy every mark not yet passed up to each unit above its own, once: the UPDATE takes the
# marks (a concurrent beat waits on their row locks and then finds them passed up), the
# INSERT writes one copy per (source, day, area above), itself passed up. Slow marks are
# the unit's own leftovers; the tree's marks have no unit.
PASS_MARKS_UP_SQL = f"""
WITH taken AS (
    UPDATE {DirtyBucket._meta.db_table}
       SET passed_up = true
     WHERE NOT passed_up AND district_code <> '' AND source NOT LIKE %(slow)s
    RETURNING source, district_code, day
), above AS (
    SELECT DISTINCT own.district_code AS unit, up.ancestor_id, up.district_code
      FROM (SELECT DISTINCT district_code FROM taken) units
      JOIN {AreaAncestry._meta.db_table} own ON own.district_code = units.district_code
      JOIN {AreaAncestry._meta.db_table} up ON up.area_id = own.ancestor_id
     WHERE up.district_code <> own.district_code
)
INSERT INTO {DirtyBucket._meta.db_table} (source, district_code, area_id, day, passed_up)
SELECT DISTINCT taken.source, above.district_code, above.ancestor_id, taken.day, true
  FROM taken JOIN above ON above.unit = taken.district_code
"""


def pass_marks_up() -> int:
    """Mark the units above each unit with new marks (its city, its province) for the same
    sources and days. Returns the copies written."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PASS_MARKS_UP_SQL, {"slow": SLOW + "%"})
        return cursor.rowcount


def units_with_marks(*, slow: bool = True) -> list[str]:
    return list(
        DirtyBucket.objects.filter(_claimable(timezone.now(), slow=slow))
        .exclude(district_code="")
        .values_list("district_code", flat=True)
        .distinct()
        .order_by("district_code")
    )


@transaction.atomic
def apply_tree_changes() -> set[str]:
    """Handle the tree's marks: rebuild the ancestry and mark every unit whose areas
    moved for a full recomputation. Returns those units."""
    marks = list(DirtyBucket.objects.filter(source=TREE).values_list("id", flat=True))
    if not marks or not _lock("tree"):
        return set()
    units = engine.refresh_ancestry() & units_with_data()
    DirtyBucket.objects.bulk_create(
        [DirtyBucket(source=EVERYTHING, district_code=u, area_id=0, day=None) for u in units]
    )
    DirtyBucket.objects.filter(id__in=marks).delete()
    return units


def units_with_data() -> set[str]:
    """The units a change of the tree can alter: those with figures, those with rows a
    fact counts, and the units above those (a moved district changes its city's count).
    Loading a whole country's division tree touches thousands of empty units; only these
    are recomputed."""
    units = set(BucketRow.objects.values_list("district_code", flat=True).distinct())
    for fact in all_facts():
        units |= set(
            fact.model_class._default_manager.filter(fact.where)
            .order_by()
            .values_list(
                Func(
                    F(f"{fact.area_path}__code"),
                    F(f"{fact.area_path}__level"),
                    function="reports_district_code",
                    output_field=CharField(),
                ),
                flat=True,
            )
            .distinct()
        )
    above = AreaAncestry.objects.filter(
        area__in=AreaAncestry.objects.filter(district_code__in=units).values("ancestor")
    )
    return units | set(above.values_list("district_code", flat=True).distinct())


@dataclass
class UnitRun:
    unit: str
    marks: int = 0
    facts: int = 0
    skipped: bool = False
    waiting: int = 0  # marks whose sums wait for the units below to roll them up


def _waited_for(unit: str) -> tuple[set[tuple[str, dt.date | None]], bool]:
    """What a unit above the districts must wait for before it adds up its days: the
    (source, day) of the marks the units below it hold that were passed up to it (their
    figures are not rolled up yet), and whether one of them is rebuilding in full. Marks
    written below after the last pass are not waited for: they will be passed up in
    their turn, so a busy district never holds its city back."""
    below = (
        DirtyBucket.objects.filter(district_code__startswith=unit, passed_up=True)
        .exclude(district_code=unit)
        .exclude(source__startswith=SLOW)
        .values_list("source", "day")
        .distinct()
    )
    pairs = {(source.removeprefix(SUMS), day) for source, day in below}
    return pairs, any(source == EVERYTHING for source, _day in pairs)


@dataclass
class SortedMarks:
    """A unit's marks by what the units below it allow now (every mark of a district is
    `ready`)."""

    ready: list
    count_once_now: list = field(default_factory=list)  # their sums wait
    sums_waiting: list = field(default_factory=list)  # people counted once already

    @property
    def actionable(self) -> bool:
        return bool(self.ready or self.count_once_now)


def _sorted_by_units_below(unit: str, marks: list) -> SortedMarks:
    """A unit above the districts adds its additive days up from the units below it, so
    a day of a source they have not rolled up waits — its people counted once (from the
    raw rows) are counted now, and its sums wait as a SUMS mark. Whatever is counted from
    the raw rows alone (states, distinct counts over longer periods, a full rebuild)
    never waits."""
    if not is_above_districts(unit):
        return SortedMarks(ready=marks)
    waited_for, rebuilding_below = _waited_for(unit)
    if not waited_for:
        return SortedMarks(ready=marks)
    ready, count_once_now, sums_waiting = [], [], []
    for mark in marks:
        _id, source, day, _passed_up = mark
        if day is None or source.startswith(SLOW):
            ready.append(mark)
        elif not rebuilding_below and (source.removeprefix(SUMS), day) not in waited_for:
            ready.append(mark)
        elif source.startswith(SUMS):
            sums_waiting.append(mark)
        else:
            count_once_now.append(mark)
    return SortedMarks(ready, count_once_now, sums_waiting)


def units_ready(units: list[str]) -> list[str]:
    """Those of `units` with an ordinary mark they can act on now (a city whose only
    marks are sums waiting for its districts is not: its districts' tasks send it)."""
    now = timezone.now()
    ready = []
    for unit in units:
        if not is_above_districts(unit):
            ready.append(unit)
            continue
        marks = list(
            DirtyBucket.objects.filter(_claimable(now, slow=False), district_code=unit)
            .order_by("id")
            .values_list("id", "source", "day", "passed_up")[:MARKS_PER_RUN]
        )
        if _sorted_by_units_below(unit, marks).actionable:
            ready.append(unit)
    return ready


def units_above(unit: str) -> list[str]:
    """The units above `unit` (its city, its province), nearest first."""
    return sorted(
        set(
            AreaAncestry.objects.filter(
                area__in=AreaAncestry.objects.filter(district_code=unit).values("ancestor")
            )
            .exclude(district_code=unit)
            .values_list("district_code", flat=True)
        ),
        key=len,
        reverse=True,
    )


def _claimable(now, *, slow: bool):
    """Marks a run takes: every ordinary mark, and the slow ones (distinct counts over
    quarters and years) once they have waited ROLLUP_SLOW_SECONDS — or at once when
    `slow` (a command, a test, verify)."""
    ordinary = ~Q(source__startswith=SLOW)
    if slow:
        return Q()
    return ordinary | Q(marked_at__lt=now - dt.timedelta(seconds=settings.ROLLUP_SLOW_SECONDS))


def roll_up_unit(unit: str, *, today: dt.date | None = None, slow: bool = False) -> UnitRun:
    """Recompute what the unit's marks name (see the module's doc)."""
    run = UnitRun(unit)
    with transaction.atomic():
        if not _lock(unit):
            run.skipped = True
            return run
        engine.tune_transaction(large=False)
        stamp = timezone.now()
        marks = list(
            DirtyBucket.objects.filter(_claimable(stamp, slow=slow), district_code=unit)
            .order_by("id")
            .values_list("id", "source", "day", "passed_up")[:MARKS_PER_RUN]
        )
        sorted_marks = _sorted_by_units_below(unit, marks)
        run.waiting = len(sorted_marks.count_once_now) + len(sorted_marks.sums_waiting)
        marks = sorted_marks.ready + sorted_marks.count_once_now
        if not marks:
            return run
        run.marks = len(marks)
        # Days by source, and which of its facts to recompute for them: every fact, only
        # the distinct counts (the sums wait), or only the sums (counted once already).
        days: dict[str, set[dt.date]] = defaultdict(set)
        once_days: dict[str, set[dt.date]] = defaultdict(set)
        sum_days: dict[str, set[dt.date]] = defaultdict(set)
        slow_days: dict[str, set[dt.date]] = defaultdict(set)
        states: set[str] = set()
        everything = False
        for _id, source, day, _passed_up in sorted_marks.ready:
            if source == EVERYTHING:
                everything = True
            elif source.startswith(SLOW):
                slow_days[source.removeprefix(SLOW)].add(day)
            elif source.startswith(SUMS):
                sum_days[source.removeprefix(SUMS)].add(day)
            elif day is None:
                states.add(source)
            else:
                days[source].add(day)
        for _id, source, day, _passed_up in sorted_marks.count_once_now:
            once_days[source].add(day)
        left: list[DirtyBucket] = [
            DirtyBucket(source=SUMS + source, district_code=unit, area_id=0, day=d, passed_up=True)
            for source, source_days in once_days.items()
            for d in sorted(source_days)
        ]
        if everything:
            for source in sources_of_facts():
                engine.rebuild(facts_of_model(source), unit, stamp, unit=unit)
                run.facts += len(facts_of_model(source))
        else:
            for source in set(days) | set(once_days) | set(sum_days) | states:
                facts = facts_of_model(source)
                for fact in (f for f in facts if f.is_state and source in states):
                    engine.recompute_state(fact, unit, stamp, today)
                left_slow: set[dt.date] = set()
                for chosen, chosen_days in (
                    (facts, days[source]),
                    ([f for f in facts if not f.additive], once_days[source]),
                    ([f for f in facts if f.additive], sum_days[source]),
                ):
                    if chosen and engine.recompute_days(
                        chosen, unit, chosen_days, stamp, slow=slow
                    ):
                        left_slow |= chosen_days
                left += [
                    DirtyBucket(source=SLOW + source, district_code=unit, area_id=0, day=d)
                    for d in sorted(left_slow)
                ]
                run.facts += len(facts)
            for source, slow_source_days in slow_days.items():
                engine.recompute_slow(facts_of_model(source), unit, slow_source_days, stamp)
        # Marks written after the beat passed marks up, and taken now, go up from here.
        _mark_units_above(unit, [m for m in marks if not m[3] and not m[1].startswith(SLOW)])
        DirtyBucket.objects.filter(id__in=[m[0] for m in marks]).delete()
        DirtyBucket.objects.bulk_create(left)
    return run


def sources_of_facts() -> list[str]:
    return sorted({fact.model_class._meta.label_lower for fact in all_facts()})


def _mark_units_above(unit: str, marks) -> None:
    """The same sources and days, for the areas above the unit (its city and province)."""
    if not marks:
        return
    above = list(
        AreaAncestry.objects.filter(
            area__in=AreaAncestry.objects.filter(district_code=unit).values("ancestor")
        )
        .exclude(district_code=unit)
        .values_list("ancestor_id", "district_code")
        .distinct()
    )
    seen = {(source, day) for _id, source, day, _passed_up in marks}
    DirtyBucket.objects.bulk_create(
        [
            DirtyBucket(source=source, district_code=code, area_id=area_id, day=day, passed_up=True)
            for area_id, code in above
            for source, day in seen
        ]
    )


def roll_up_all(*, today: dt.date | None = None) -> list[UnitRun]:
    """Every unit with marks, districts first and then the units above them, until none
    is left (the form `manage.py rollups run` and the tests use; the beat job fans the
    same work out one task per unit)."""
    apply_tree_changes()
    runs = []
    for _round in range(4):  # a unit's run may leave marks for the units above it
        pass_marks_up()
        units = sorted(units_with_marks(), key=lambda u: -len(u))
        if not units:
            break
        runs.extend(roll_up_unit(unit, today=today, slow=True) for unit in units)
    return runs


def snapshot_states() -> int:
    """Mark every unit's state facts (e.g. registrations waiting for review) so today has a
    snapshot even when nothing changed, and roll up. Returns the units marked."""
    engine.refresh_ancestry()
    sources = {fact.model_class._meta.label_lower for fact in all_facts() if fact.is_state}
    units = units_under(None)
    DirtyBucket.objects.bulk_create(
        [
            DirtyBucket(source=source, district_code=unit, area_id=0, day=None)
            for unit in units
            for source in sources
        ]
    )
    roll_up_all()
    return len(units)


def units_under(area: Area | None) -> list[str]:
    """The rollup units inside an area (itself included), deepest first."""
    ancestry = AreaAncestry.objects.all()
    if area is not None:
        ancestry = ancestry.filter(area__code__startswith=area.prefix)
    return sorted(set(ancestry.values_list("district_code", flat=True)), key=lambda u: (-len(u), u))


def rebuild(*, area: Area | None = None, since: dt.date | None = None, progress=None) -> int:
    """Recompute every fact under `area` (everywhere without one) from `since`, one model
    at a time, each in one pass over its rows for every unit under the area (engine.rebuild).
    `progress(done, total, source)` is told after each model. Returns the models rebuilt."""
    engine.refresh_ancestry()
    prefix = district_code_of(area) if area is not None else ""
    sources = sources_of_facts()
    units = units_under(area)
    for index, source in enumerate(sources, start=1):
        with transaction.atomic():
            for unit in units:
                _lock(unit, wait=True)  # a running job finishes its unit first
            engine.tune_transaction(large=True)
            engine.rebuild(facts_of_model(source), prefix, timezone.now(), since=since)
        if progress:
            progress(index, len(sources), source)
    # Most of the table was just rewritten: fresh statistics, so that the beat's next
    # statements find their rows by index (stale ones sent a one-row DELETE scanning a
    # year of rows).
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {BucketRow._meta.db_table}")
    return len(sources)


@dataclass
class Difference:
    bucket: Bucket
    expected: float

    def __str__(self) -> str:
        b = self.bucket
        node = f"area {b.area_id}" if b.area_id else f"station {b.station_id}"
        return (
            f"{b.fact} {node} {b.period_kind} {b.period_start} [{b.breakdown}]: "
            f"{b.value} in the rollups, {self.expected} in the raw rows"
        )


def expected_value(fact: Fact, bucket: Bucket) -> float:
    """The bucket's value computed again from the raw rows with the ORM (Fact.value), by
    a path independent of the engine's SQL."""
    if fact.is_state:
        since = until = None
    else:
        period = Period(PeriodKind(bucket.period_kind), bucket.period_start)
        since, until = period.start, period.end
    area = bucket.area
    if bucket.station_id:
        fact = _for_station(fact, bucket.station_id)
        area = None
    if bucket.breakdown:
        return float(fact.broken_down(area=area, since=since, until=until).get(bucket.breakdown, 0))
    return float(fact.value(area=area, since=since, until=until))


def _for_station(fact: Fact, station_id: int) -> Fact:
    from dataclasses import replace

    from django.db.models import Q

    return replace(fact, where=fact.where & Q(**{fact.station_path: station_id}))


def verify(*, sample: int = 200, area: Area | None = None) -> tuple[int, list[Difference]]:
    """Compare the figures of a random sample of stored rows with the raw rows. Pending
    marks are rolled up first (a figure waiting for its job is not a difference). Figures
    of sealed periods and state snapshots of earlier days (history, not recomputable) are
    left out. Returns the figures checked and the differences."""
    roll_up_all()
    today = timezone.localdate()
    facts = {fact.key: fact for fact in all_facts()}
    seals = dict(SealedPeriod.objects.values_list("fact", "before"))
    rows = BucketRow.objects.all()
    if area is not None:
        rows = rows.filter(district_code__startswith=area.prefix[:6])
    ids = list(rows.values_list("id", flat=True))
    chosen = random.sample(ids, min(sample, len(ids)))
    buckets = Bucket.objects.filter(row_id__in=chosen, fact__in=list(facts))
    differences, checked = [], 0
    for bucket in buckets.select_related("area"):
        fact = facts[bucket.fact]
        if bucket.fact in seals and bucket.period_start < seals[bucket.fact]:
            continue
        if fact.is_state and bucket.period_start != today:
            continue
        checked += 1
        expected = expected_value(fact, bucket)
        if abs(float(bucket.value) - expected) > 0.005:
            differences.append(Difference(bucket, expected))
    for difference in differences:
        logger.error("rollups differ from the raw rows: %s", difference)
    return checked, differences


def coverage_refresh(area: Area) -> CoverageSnapshot:
    """Compute the area's 一刻钟服务圈 coverage and site suggestions and keep them (pages read
    the snapshot; reports/coverage.py computes)."""
    from .coverage import area_coverage

    result = area_coverage(area=area)
    snapshot, _created = CoverageSnapshot.objects.update_or_create(
        area=area,
        defaults={
            "district_code": district_code_of(area),
            "result": result.to_dict(),
            "computed_at": timezone.now(),
        },
    )
    return snapshot


def coverage_refresh_all() -> int:
    """Every district and city that has a station: the nightly job."""
    from stations.models import Station

    codes = set(Station.objects.values_list("area__code", flat=True))
    prefixes = {code[:6] for code in codes} | {code[:4] for code in codes}
    areas = Area.objects.filter(
        level__in=[Area.Level.DISTRICT, Area.Level.CITY],
        code__in=[prefix.ljust(12, "0") for prefix in prefixes],
    )
    count = 0
    for area in areas:
        coverage_refresh(area)
        count += 1
    return count


def seal_purged_periods(sender, before, **kwargs) -> None:
    """core.facts.raw_rows_purged: a retention rule deleted `sender`'s rows before `before`
    (a date or datetime) — seal the facts that counted them."""
    if isinstance(before, dt.datetime):
        before = timezone.localtime(before).date()
    for fact in facts_of_model(str(sender)):
        seal, created = SealedPeriod.objects.get_or_create(
            fact=fact.key, defaults={"before": before}
        )
        if not created and seal.before < before:
            seal.before = before
            seal.save(update_fields=["before"])
