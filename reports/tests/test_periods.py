"""Periods (reports/periods.py): they tile the calendar, step back and forth, compare with
last year, and read back what they write; bad codes are refused in words."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.exceptions import ApplicationError
from reports.periods import (
    KINDS,
    Period,
    PeriodKind,
    covering_periods,
    periods_between,
    periods_holding,
    signed_covering,
)

days = st.dates(min_value=dt.date(2000, 1, 3), max_value=dt.date(2098, 12, 25))
kinds = st.sampled_from(KINDS)
# Custom ranges: a first day, and a length in days up to a little over a year.
range_starts = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2030, 12, 31))
range_lengths = st.integers(min_value=0, max_value=400)


@given(kind=kinds, day=days)
def test_a_day_lies_in_exactly_one_period_of_each_kind(kind, day):
    period = Period.containing(kind, day)
    assert period.start <= day < period.end
    assert period.next().start == period.end  # no gap, no overlap
    assert period.next().previous() == period
    assert Period.containing(kind, period.end - dt.timedelta(days=1)) == period


@given(kind=kinds, day=days)
def test_a_period_reads_back_its_code(kind, day):
    period = Period.containing(kind, day)
    assert Period.parse(kind, period.code) == period


@given(kind=kinds, day=days)
def test_the_same_period_last_year_is_a_year_earlier(kind, day):
    period = Period.containing(kind, day)
    last_year = period.same_period_last_year()
    assert last_year.kind == period.kind
    assert 357 <= (period.start - last_year.start).days <= 371


@pytest.mark.parametrize(
    "kind, day, code, start, end",
    [
        ("day", dt.date(2026, 11, 30), "2026-11-30", dt.date(2026, 11, 30), dt.date(2026, 12, 1)),
        # ISO weeks start on Monday; 2026-01-01 is a Thursday, in week 1 of 2026.
        ("week", dt.date(2026, 1, 1), "2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 5)),
        # 2026 has 53 ISO weeks; its last days belong to them.
        ("week", dt.date(2027, 1, 2), "2026-W53", dt.date(2026, 12, 28), dt.date(2027, 1, 4)),
        ("month", dt.date(2024, 2, 29), "2024-02", dt.date(2024, 2, 1), dt.date(2024, 3, 1)),
        ("quarter", dt.date(2026, 11, 30), "2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("year", dt.date(2026, 11, 30), "2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_known_periods(kind, day, code, start, end):
    period = Period.containing(kind, day)
    assert (period.code, period.start, period.end) == (code, start, end)


def test_last_year_of_a_leap_day_and_of_week_53():
    assert Period.parse("day", "2024-02-29").same_period_last_year().code == "2023-02-28"
    assert Period.parse("week", "2026-W53").same_period_last_year().code == "2025-W52"
    assert Period.parse("month", "2026-01").previous().code == "2025-12"


def test_periods_between_and_holding():
    months = periods_between("month", dt.date(2026, 11, 15), dt.date(2027, 2, 1))
    assert [p.code for p in months] == ["2026-11", "2026-12", "2027-01"]
    assert periods_between("day", dt.date(2026, 1, 2), dt.date(2026, 1, 2)) == []
    holding = periods_holding(dt.date(2026, 11, 30))
    assert [p.kind for p in holding] == list(PeriodKind)


def test_a_period_must_start_its_kind():
    with pytest.raises(ValueError):
        Period(PeriodKind.MONTH, dt.date(2026, 11, 2))


@pytest.mark.parametrize(
    "kind, code",
    [
        ("month", "2026-13"),
        ("month", "2026/11"),
        ("week", "2026-W54"),
        ("week", "2025-W53"),  # 2025 has 52 ISO weeks
        ("quarter", "2026-Q5"),
        ("day", "2026-02-30"),
        ("day", "２０２６-11-30"),  # full-width digits are not read as dates
        ("year", ""),
        ("year", "9999"),
        ("month", "0000-01"),
        ("year", "\x00"),
        ("fortnight", "2026-11"),
    ],
)
def test_bad_codes_are_refused_in_words(kind, code):
    with pytest.raises(ApplicationError) as refused:
        Period.parse(kind, code)
    assert refused.value.fields["period"]


def test_labels_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = [
            Period.parse(kind, code).label
            for kind, code in [
                ("day", "2026-11-30"),
                ("week", "2026-W49"),
                ("month", "2026-11"),
                ("quarter", "2026-Q4"),
                ("year", "2026"),
            ]
        ]
        assert labels == ["2026年11月30日", "2026年第49周", "2026年11月", "2026年第4季度", "2026年"]
        with pytest.raises(ApplicationError) as refused:
            Period.parse("month", "2026-13")
        assert "月份" in refused.value.message


@given(since=range_starts, length=range_lengths)
def test_covering_periods_hold_each_day_of_a_range_exactly_once(since, length):
    until = since + dt.timedelta(days=length)
    periods = covering_periods(since, until)
    days = [p.start + dt.timedelta(days=n) for p in periods for n in range(p.days)]
    assert days == [since + dt.timedelta(days=n) for n in range(length)]
    # Longer periods where they fit: a range of any length is a few dozen rows at most.
    assert len(periods) <= 45


def test_covering_periods_take_the_calendar_periods_that_fit():
    # 2026-11-02 is a Monday; November's last day (the 30th) is one too.
    assert covering_periods(dt.date(2026, 11, 2), dt.date(2026, 12, 2)) == [
        Period(PeriodKind.WEEK, dt.date(2026, 11, 2)),
        Period(PeriodKind.WEEK, dt.date(2026, 11, 9)),
        Period(PeriodKind.WEEK, dt.date(2026, 11, 16)),
        Period(PeriodKind.WEEK, dt.date(2026, 11, 23)),
        Period(PeriodKind.DAY, dt.date(2026, 11, 30)),
        Period(PeriodKind.DAY, dt.date(2026, 12, 1)),
    ]
    assert covering_periods(dt.date(2025, 1, 1), dt.date(2026, 4, 1)) == [
        Period(PeriodKind.YEAR, dt.date(2025, 1, 1)),
        Period(PeriodKind.QUARTER, dt.date(2026, 1, 1)),
    ]
    # 2026-01-26 is a Monday: days up to February (a month that fits), not a week over it.
    assert covering_periods(dt.date(2026, 1, 26), dt.date(2026, 3, 1)) == [
        *(Period(PeriodKind.DAY, dt.date(2026, 1, d)) for d in range(26, 32)),
        Period(PeriodKind.MONTH, dt.date(2026, 2, 1)),
    ]


@given(since=range_starts, length=range_lengths)
def test_signed_pieces_count_each_day_of_a_range_once_and_no_other_day(since, length):
    until = since + dt.timedelta(days=length)
    pieces = signed_covering(since, until)
    net: dict = {}
    for period, sign in pieces:
        for n in range(period.days):
            day = period.start + dt.timedelta(days=n)
            net[day] = net.get(day, 0) + sign
    assert {day for day, count in net.items() if count} == {
        since + dt.timedelta(days=n) for n in range(length)
    }
    assert set(net.values()) <= {0, 1}
    assert len(pieces) <= len(covering_periods(since, until))


def test_signed_pieces_take_a_month_less_its_missing_days():
    # The last 30 days on 2 December 2026: November less its 1st and 2nd, then 1–2 December.
    assert signed_covering(dt.date(2026, 11, 3), dt.date(2026, 12, 3)) == [
        (Period(PeriodKind.MONTH, dt.date(2026, 11, 1)), 1),
        (Period(PeriodKind.DAY, dt.date(2026, 11, 1)), -1),
        (Period(PeriodKind.DAY, dt.date(2026, 11, 2)), -1),
        (Period(PeriodKind.DAY, dt.date(2026, 12, 1)), 1),
        (Period(PeriodKind.DAY, dt.date(2026, 12, 2)), 1),
    ]
