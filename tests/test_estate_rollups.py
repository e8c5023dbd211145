"""The estate pass's figures in the rollups (estates/facts.py through reports/): entries an
estate's days strip of the worker's name stay rows the rollups count, and entries the
platform's days reduce to counts are sealed before they go — so the figures the
dashboards showed stay as they were, after the job and after a rebuild.

Cross-app (estates below reports): estates' own tests may not import reports."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import StaffGrant
from estates import services
from estates.models import EntryLog
from estates.tests.factories import EstateFactory, GateFactory, authorised, partner
from members.personal_data import enforce_retention
from reports import services as rollups
from reports.facts import fact
from reports.models import Bucket, SealedPeriod
from reports.periods import Period, PeriodKind

pytestmark = pytest.mark.django_db
Outcome = EntryLog.Outcome
FIGURES = [
    ("estates.entries", ""),
    ("estates.entries", Outcome.LET_IN),
    ("estates.entries", Outcome.EXPIRED_CODE),
    ("estates.let_in", ""),
    ("estates.seconds_at_gate", ""),
]


@pytest.fixture
def gate(trio):
    estate = EstateFactory(area=trio.tree.a["community"], entry_log_days=7)
    return GateFactory(estate=estate, name="北门")


@pytest.fixture
def guard(trio, gate):
    return partner(StaffGrant.Role.GATE_GUARD, trio.tree.a["community"], [gate], "guard_north")


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def enter(guard, gate, estate_pass, at, *, waited=10):
    code = services.pass_show(phone=estate_pass.phone, estate_pass=estate_pass, now=at)
    return services.pass_check(
        actor=guard, gate=gate, code=code, now=at + dt.timedelta(seconds=waited)
    )


def bucket(key, area, kind, day, breakdown=""):
    found = Bucket.objects.filter(
        fact=key,
        area=area,
        period_kind=kind,
        period_start=Period.containing(kind, day).start,
        breakdown=breakdown,
    ).first()
    return float(found.value) if found else 0.0


def figures(areas, days):
    return {
        (key, breakdown, area.pk, kind, day): bucket(key, area, kind, day, breakdown)
        for key, breakdown in FIGURES
        for area in areas
        for day in days
        for kind in (PeriodKind.DAY, PeriodKind.WEEK)
    }


def test_entries_stay_counted_in_the_rollups_after_their_days_and_the_platforms(trio, gate, guard):
    long_ago, weeks_ago = days_ago(100), days_ago(20)
    old_pass = authorised(gate.estate, now=long_ago - dt.timedelta(days=1))
    enter(guard, gate, old_pass, long_ago, waited=6)
    enter(guard, gate, old_pass, long_ago + dt.timedelta(minutes=1), waited=9)
    replayed = services.pass_code(old_pass, long_ago + dt.timedelta(minutes=1))
    services.pass_check(
        actor=guard, gate=gate, code=replayed, now=long_ago + dt.timedelta(minutes=1)
    )
    recent = authorised(gate.estate, phone="13900139000", now=weeks_ago - dt.timedelta(days=1))
    enter(guard, gate, recent, weeks_ago, waited=14)
    enter(guard, gate, recent, weeks_ago + dt.timedelta(hours=3), waited=30)
    enter(guard, gate, recent, timezone.now() - dt.timedelta(minutes=5), waited=12)
    rollups.roll_up_all()
    community = trio.tree.a["community"]
    areas = [community, trio.tree.a["district"], trio.tree.city]
    days = [timezone.localtime(moment).date() for moment in (long_ago, weeks_ago)]
    counted = figures(areas, days)
    assert counted[("estates.let_in", "", community.pk, PeriodKind.DAY, days[0])] == 2
    assert counted[("estates.entries", "", community.pk, PeriodKind.DAY, days[0])] == 3
    assert counted[("estates.seconds_at_gate", "", community.pk, PeriodKind.DAY, days[1])] == 22

    enforce_retention()  # three entries go (the platform's days), two lose the name (7 days)

    assert EntryLog.objects.count() == 3
    assert SealedPeriod.objects.filter(fact="estates.let_in").exists()
    rollups.roll_up_all()
    assert figures(areas, days) == counted
    rollups.rebuild()
    assert figures(areas, days) == counted


def test_a_year_that_began_before_the_seal_counts_new_entries(trio, gate, guard):
    seal_day = timezone.localdate() - dt.timedelta(days=services.entry_days())
    today = timezone.localdate()
    kinds = [
        kind
        for kind in (PeriodKind.QUARTER, PeriodKind.YEAR)
        if Period.containing(kind, today).start < seal_day
    ]
    if not kinds:
        pytest.skip("no period holding today began before the seal today")
    long_ago = days_ago(services.entry_days() + 10)
    old_pass = authorised(gate.estate, now=long_ago - dt.timedelta(days=1))
    enter(guard, gate, old_pass, long_ago)
    rollups.roll_up_all()
    enforce_retention()
    rollups.roll_up_all()
    recent = authorised(gate.estate, phone="13900139000")
    for minutes in (3, 2, 1):
        enter(guard, gate, recent, timezone.now() - dt.timedelta(minutes=minutes))
    rollups.roll_up_all()
    community = trio.tree.a["community"]
    let_in = fact("estates.let_in")
    for rebuilt in (False, True):
        if rebuilt:
            rollups.rebuild()
        for kind in kinds:
            period = Period.containing(kind, today)
            expected = 3 + (period.start <= long_ago.date())  # the old entry, sealed, if in it
            assert bucket("estates.let_in", community, kind, today) == expected, (kind, rebuilt)
            assert let_in.value(area=community, since=period.start, until=period.end) == 3
