"""The estate pass's figures (estates/facts.py), computed from the raw rows as the rollups
compute them: estates taking passes, passes authorised and working, the passes checked by
the guard's answer, the entries let in and the median seconds at the gate — and entries
stay counted after their estate's days and after the platform's, when their rows lose
the worker's name and then go."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import StaffGrant
from core.facts import raw_rows_purged
from estates import services
from estates.facts import FACTS
from estates.models import EntryCount, EntryLog, EstatePass
from members.personal_data import enforce_retention

from .factories import EstateFactory, GateFactory, authorised, partner

pytestmark = pytest.mark.django_db
Outcome = EntryLog.Outcome


def fact(key):
    return next(f for f in FACTS if f.key == key)


@pytest.fixture
def estate(trio):
    return EstateFactory(area=trio.tree.a["community"])


@pytest.fixture
def gate(estate):
    return GateFactory(estate=estate, name="北门")


@pytest.fixture
def guard(trio, gate):
    return partner(StaffGrant.Role.GATE_GUARD, trio.tree.a["community"], [gate], "guard_north")


def enter(guard, gate, estate_pass, at, *, waited=10):
    """The worker shows their pass at `at` and the guard checks it `waited` seconds later."""
    code = services.pass_show(phone=estate_pass.phone, estate_pass=estate_pass, now=at)
    return services.pass_check(
        actor=guard, gate=gate, code=code, now=at + dt.timedelta(seconds=waited)
    )


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_estates_and_passes_working_count_as_they_stand(trio, estate):
    EstateFactory(area=trio.tree.a["community2"], active=False)  # not taking passes
    EstateFactory(area=trio.tree.b["community"])  # another district
    district = trio.tree.a["district"]
    assert fact("estates.estates").value(area=district) == 1
    working = authorised(estate)
    suspended = authorised(estate, phone="13900139000")
    services.pass_suspend(actor=trio.staff_a, estate_pass=suspended, reason="借给他人使用")
    # Lapsed yesterday: not working; lapsing later today: working today.
    authorised(estate, phone="13700137000", now=days_ago(31))
    lapsing = authorised(estate, phone="13600136000")
    EstatePass.objects.filter(pk=lapsing.pk).update(
        expires_at=timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59)))
    )
    assert fact("estates.passes_working").value(area=district) == 2
    assert {working.pk, lapsing.pk} == set(
        fact("estates.passes_working").rows(area=district).values_list("pk", flat=True)
    )
    assert fact("estates.passes_working").value(area=trio.tree.b["district"]) == 0


def test_passes_authorised_count_on_the_day_of_the_last_authorisation(trio, estate):
    district = trio.tree.a["district"]
    authorised(estate, now=days_ago(40))
    authorised(estate, phone="13900139000", now=days_ago(40))
    authorised(estate, phone="13900139000")  # renewed today: counted today, once
    figure = fact("estates.passes_authorised")
    earlier = timezone.localdate() - dt.timedelta(days=40)
    assert figure.value(area=district, since=earlier, until=earlier + dt.timedelta(days=1)) == 1
    assert figure.value(area=district, since=timezone.localdate()) == 1
    assert figure.value(area=district) == 2


def test_entries_by_answer_let_in_and_the_median_seconds_at_the_gate(trio, estate, gate, guard):
    district = trio.tree.a["district"]
    first = authorised(estate)
    second = authorised(estate, phone="13900139000")
    noon = days_ago(1)
    enter(guard, gate, first, noon, waited=8)
    enter(guard, gate, second, noon, waited=20)
    enter(guard, gate, first, noon + dt.timedelta(minutes=5), waited=11)
    # A code shown an hour ago: let in, but no wait at the gate is known.
    services.pass_show(phone=second.phone, estate_pass=second, now=noon)
    later = noon + dt.timedelta(hours=1)
    services.pass_check(actor=guard, gate=gate, code=services.pass_code(second, later), now=later)
    # A screenshot passed on, and something that is not a pass.
    code = services.pass_code(first, noon + dt.timedelta(minutes=5))
    services.pass_check(actor=guard, gate=gate, code=code, now=noon + dt.timedelta(minutes=5))
    services.pass_check(actor=guard, gate=gate, code="999999-123456", now=noon)
    assert fact("estates.entries").value(area=district) == 6
    assert fact("estates.entries").broken_down(area=district) == {
        Outcome.LET_IN: 4,
        Outcome.EXPIRED_CODE: 1,
        Outcome.UNKNOWN_CODE: 1,
    }
    assert fact("estates.let_in").value(area=district) == 4
    assert fact("estates.seconds_at_gate").value(area=district) == pytest.approx(11.0)
    assert fact("estates.entries").value(area=trio.tree.b["district"]) == 0


@pytest.fixture
def seals():
    """What the retention rules tell the rollups they deleted (core.facts.raw_rows_purged:
    reports/ seals those figures)."""
    told = []

    def note(sender, before, **kwargs):
        told.append((sender, before))

    raw_rows_purged.connect(note)
    yield told
    raw_rows_purged.disconnect(note)


def test_entries_stay_counted_after_their_days_and_the_platforms(trio, estate, gate, guard, seals):
    estate.entry_log_days = 7  # the estate keeps them a week; the platform 90 days
    estate.save()
    gate.estate.refresh_from_db()
    long_ago, weeks_ago, today = days_ago(100), days_ago(20), timezone.now()
    old_pass = authorised(estate, now=long_ago - dt.timedelta(days=1))
    enter(guard, gate, old_pass, long_ago, waited=6)
    enter(guard, gate, old_pass, long_ago + dt.timedelta(minutes=1), waited=9)
    replayed = services.pass_code(old_pass, long_ago + dt.timedelta(minutes=1))
    services.pass_check(
        actor=guard, gate=gate, code=replayed, now=long_ago + dt.timedelta(minutes=1)
    )
    recent = authorised(estate, phone="13900139000", now=weeks_ago - dt.timedelta(days=1))
    enter(guard, gate, recent, weeks_ago, waited=14)
    enter(guard, gate, recent, weeks_ago + dt.timedelta(hours=3), waited=30)
    enter(guard, gate, recent, today - dt.timedelta(minutes=5), waited=12)
    district = trio.tree.a["district"]
    kept_day = timezone.localtime(weeks_ago).date()
    week_ago = {"since": kept_day, "until": kept_day + dt.timedelta(days=1)}

    def figures():
        return (
            fact("estates.entries").value(area=district, **week_ago),
            fact("estates.entries").broken_down(area=district, **week_ago),
            fact("estates.let_in").value(area=district, **week_ago),
            fact("estates.seconds_at_gate").value(area=district, **week_ago),
        )

    counted = figures()
    assert counted == (2, {Outcome.LET_IN: 2}, 2, 22)

    changed = enforce_retention()  # the beat job: the platform's 90 days, the estate's 7

    assert changed["estates.EntryLog"] == 5  # three went, two lost the worker's name
    # Those of the platform's days became counts per gate, day and answer, and the rollups
    # were told before they went (so they keep what they counted).
    assert sorted(EntryCount.objects.values_list("outcome", "count")) == [
        (Outcome.EXPIRED_CODE, 1),
        (Outcome.LET_IN, 2),
    ]
    assert not EntryLog.objects.filter(at__lt=long_ago + dt.timedelta(days=1)).exists()
    cutoff = seals[0][1]
    assert seals[0][0] == "estates.entrylog" and timezone.localtime(cutoff).time() == dt.time()
    assert timezone.localtime(long_ago) < cutoff < weeks_ago
    # Those past the estate's week name nobody any more, and are still counted.
    stripped = EntryLog.objects.filter(at__lt=weeks_ago + dt.timedelta(days=1))
    assert stripped.count() == 2
    for entry in stripped:
        assert (entry.estate_pass, entry.checked_by, entry.window) == (None, None, None)
        assert timezone.localtime(entry.at) == timezone.make_aware(
            dt.datetime.combine(kept_day, dt.time())
        )  # the day, not the hour
    assert figures() == counted
    assert EntryLog.objects.filter(estate_pass=recent).count() == 1  # today's, as it was
    assert set(enforce_retention().values()) == {0}  # run again: nothing left to do
