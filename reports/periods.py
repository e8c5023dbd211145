"""The periods figures are counted over (issue 13): a day, an ISO week (Monday first, as
Chinese offices count weeks), a month, a quarter, a year — in local dates (TIME_ZONE,
Asia/Shanghai), never UTC days. Buckets, dashboards, comparisons ("the previous period",
"the same period last year") and the monthly report all name periods this one way.

A period is its kind and its first day; it ends (exclusive) where the next begins, so
periods of one kind tile the calendar with no gap and no overlap. In addresses and the
API a period is written as its code: 2026-11-30, 2026-W49, 2026-11, 2026-Q4, 2026.
"""

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import refuse


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


# What a message calls a period of each kind ("… is not a month").
KIND_NAMES = {
    PeriodKind.DAY: gettext_lazy("a day"),
    PeriodKind.WEEK: gettext_lazy("a week"),
    PeriodKind.MONTH: gettext_lazy("a month"),
    PeriodKind.QUARTER: gettext_lazy("a quarter"),
    PeriodKind.YEAR: gettext_lazy("a year"),
}

# Finest first: a bucket of one kind is computed from raw rows, never from a finer one
# (distinct counts do not add up), but additive facts may sum the finer kinds.
KINDS = list(PeriodKind)

# re.ASCII: \d is 0-9 only (full-width and other digits are not read as dates).
_CODES = {
    PeriodKind.DAY: re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII),
    PeriodKind.WEEK: re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(\d{2})$", re.ASCII),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$", re.ASCII),
    PeriodKind.YEAR: re.compile(r"^(\d{4})$", re.ASCII),
}


# Figures are kept for these years; a code outside them is refused (a year 9999 period has
# no end the calendar can name).
FIRST_YEAR, LAST_YEAR = 1950, 2200


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    kind: PeriodKind
    start: dt.date

    def __post_init__(self):
        if self.start != Period.containing(self.kind, self.start).start:
            raise ValueError(f"{self.start} does not start a {self.kind}")

    @staticmethod
    def containing(kind: PeriodKind | str, day: dt.date) -> "Period":
        """The period of `kind` that holds the local date `day`."""
        kind = PeriodKind(kind)
        if kind == PeriodKind.DAY:
            start = day
        elif kind == PeriodKind.WEEK:
            start = day - dt.timedelta(days=day.weekday())
        elif kind == PeriodKind.MONTH:
            start = _month_start(day.year, day.month)
        elif kind == PeriodKind.QUARTER:
            start = _month_start(day.year, 3 * ((day.month - 1) // 3) + 1)
        else:
            start = dt.date(day.year, 1, 1)
        period = object.__new__(Period)
        object.__setattr__(period, "kind", kind)
        object.__setattr__(period, "start", start)
        return period

    @property
    def end(self) -> dt.date:
        """The first day after the period (exclusive end)."""
        if self.kind == PeriodKind.DAY:
            return self.start + dt.timedelta(days=1)
        if self.kind == PeriodKind.WEEK:
            return self.start + dt.timedelta(days=7)
        if self.kind == PeriodKind.MONTH:
            return _add_months(self.start, 1)
        if self.kind == PeriodKind.QUARTER:
            return _add_months(self.start, 3)
        return dt.date(self.start.year + 1, 1, 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def next(self) -> "Period":
        return Period.containing(self.kind, self.end)

    def previous(self) -> "Period":
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def same_period_last_year(self) -> "Period":
        """The period a year earlier: the same day (28 February for a 29th), the same ISO
        week number (week 52 for a week 53), the same month, quarter or year."""
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = self.start.isocalendar()
            last_weeks = dt.date(year - 1, 12, 28).isocalendar().week  # 52 or 53
            return Period.containing(
                self.kind, dt.date.fromisocalendar(year - 1, min(week, last_weeks), 1)
            )
        start = self.start
        day = 28 if (start.month, start.day) == (2, 29) else start.day
        return Period.containing(self.kind, start.replace(year=start.year - 1, day=day))

    @property
    def code(self) -> str:
        start = self.start
        if self.kind == PeriodKind.DAY:
            return start.isoformat()
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == PeriodKind.MONTH:
            return f"{start.year}-{start.month:02d}"
        if self.kind == PeriodKind.QUARTER:
            return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
        return str(start.year)

    @property
    def label(self) -> str:
        """How a page or a report names the period: 2026年11月, 2026年第49周…"""
        start = self.start
        if self.kind == PeriodKind.DAY:
            return _("%(year)d-%(month)d-%(day)d") % {
                "year": start.year,
                "month": start.month,
                "day": start.day,
            }
        if self.kind == PeriodKind.WEEK:
            year, week, _weekday = start.isocalendar()
            return _("Week %(week)d of %(year)d") % {"week": week, "year": year}
        if self.kind == PeriodKind.MONTH:
            return _("%(month)d/%(year)d") % {"month": start.month, "year": start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Q%(quarter)d %(year)d") % {
                "quarter": (start.month - 1) // 3 + 1,
                "year": start.year,
            }
        return _("Year %(year)d") % {"year": start.year}

    @staticmethod
    def parse(kind: PeriodKind | str, code: str, *, field: str = "period") -> "Period":
        """The period written as `code` (see the module's doc), or an ApplicationError in
        plain words naming the form it should have."""
        try:
            kind = PeriodKind(kind)
        except ValueError:
            raise refuse(field, _("Choose a day, week, month, quarter or year.")) from None
        found = _CODES[kind].match((code or "").strip())
        try:
            if found is None:
                raise ValueError
            numbers = [int(part) for part in found.groups()]
            if not FIRST_YEAR <= numbers[0] <= LAST_YEAR:
                raise ValueError
            if kind == PeriodKind.DAY:
                day = dt.date(*numbers)
            elif kind == PeriodKind.WEEK:
                day = dt.date.fromisocalendar(numbers[0], numbers[1], 1)
            elif kind == PeriodKind.MONTH:
                day = dt.date(numbers[0], numbers[1], 1)
            elif kind == PeriodKind.QUARTER:
                day = dt.date(numbers[0], 3 * numbers[1] - 2, 1)
            else:
                day = dt.date(numbers[0], 1, 1)
        except ValueError:
            examples = {
                PeriodKind.DAY: "2026-11-30",
                PeriodKind.WEEK: "2026-W49",
                PeriodKind.MONTH: "2026-11",
                PeriodKind.QUARTER: "2026-Q4",
                PeriodKind.YEAR: "2026",
            }
            raise refuse(
                field,
                _("%(code)s is not %(kind)s: write it like %(example)s.")
                % {"code": (code or "")[:20], "kind": KIND_NAMES[kind], "example": examples[kind]},
            ) from None
        return Period.containing(kind, day)


def periods_between(kind: PeriodKind | str, since: dt.date, until: dt.date) -> list[Period]:
    """Every period of `kind` that has a day in since ≤ day < until, in order."""
    periods: list[Period] = []
    if until <= since:
        return periods
    period = Period.containing(kind, since)
    while period.start < until:
        periods.append(period)
        period = period.next()
    return periods


def periods_holding(day: dt.date) -> list[Period]:
    """The day's period of every kind: the buckets a row dated `day` counts in."""
    return [Period.containing(kind, day) for kind in KINDS]


def covering_periods(since: dt.date, until: dt.date) -> list[Period]:
    """Calendar periods that together hold exactly the days since ≤ day < until, none
    overlapping, the longest that fit: an additive figure over a custom range is the sum
    of these periods' buckets (a 30-day range reads about ten rows per node, not thirty; a
    year's range at most a few dozen, not 366). From the first day on, each step takes the
    longest period that starts on that day and ends by `until` — but not a week that would
    run over the first day of a month that fits (weeks would otherwise follow weeks to the
    end, and no month, quarter or year would ever be taken)."""
    periods: list[Period] = []
    day = since
    while day < until:
        period = next(
            candidate
            for candidate in (Period.containing(kind, day) for kind in reversed(KINDS))
            if candidate.start == day
            and candidate.end <= until
            and not (candidate.kind == PeriodKind.WEEK and _month_fits_inside(candidate, until))
        )
        periods.append(period)
        day = period.end
    return periods


def signed_covering(since: dt.date, until: dt.date) -> list[tuple[Period, int]]:
    """Calendar periods, each added (+1) or taken away (-1), whose additive figures add up
    to those of the days since ≤ day < until — in fewer rows than covering_periods where a
    range covers most of a month: its first or last month is taken whole, less the days of
    it outside the range (the last 30 days on 2 December: November less its 1st and 2nd,
    and two days of December — five rows per node, not twelve). Only for additive facts."""
    if since >= until:
        return []
    pieces: list[tuple[Period, int]] = []
    first_month = Period.containing(PeriodKind.MONTH, since)
    last_month = Period.containing(PeriodKind.MONTH, until - dt.timedelta(days=1))
    whole_from = first_month.start if since == first_month.start else first_month.end
    whole_until = until if until == last_month.end else last_month.start
    edges = []
    if since < whole_from or whole_from >= whole_until:
        edges.append((first_month, since, min(first_month.end, until)))
    if whole_from < whole_until:
        pieces += [(p, 1) for p in covering_periods(whole_from, whole_until)]
    if last_month != first_month and whole_until < until:
        edges.append((last_month, last_month.start, until))
    for month, start, end in edges:
        inside = [(p, 1) for p in covering_periods(start, end)]
        outside = [
            (p, -1) for p in covering_periods(month.start, start) + covering_periods(end, month.end)
        ]
        pieces += inside if len(inside) <= 1 + len(outside) else [(month, 1), *outside]
    # Weeks that run over a month's end (covering_periods takes them) can make the plain
    # tiling the shorter one.
    plain = covering_periods(since, until)
    return pieces if len(pieces) < len(plain) else [(p, 1) for p in plain]


def _month_fits_inside(week: "Period", until: dt.date) -> bool:
    """A month starts within the week (after its first day) and ends by `until`."""
    first_of_next = _add_months(_month_start(week.start.year, week.start.month), 1)
    return first_of_next < week.end and _add_months(first_of_next, 1) <= until
