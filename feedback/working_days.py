"""Working days as China's official calendar counts them: Monday to Friday, except the
holidays, plus the make-up working days (调休) on weekends. The exceptions are rows of
CalendarDay — the national calendar (loaded from `chinesecalendar`, see
`load_official_calendar`) and a district's own days, which win on the same date.

A deadline of N working days is the end (23:59:59, China time) of the N-th working day
after the day the clock starts: a case sent on Friday 13 February 2026 with 5 working days
is due at the end of Friday 27 February (14 February is a make-up working day, the Spring
Festival holiday runs 15–23 February).
"""

import datetime as dt
import time

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from areas.models import Area

from .models import CalendarDay

# chinesecalendar names its days in English; the calendar shows them as China does.
OFFICIAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}
MAKE_UP_SUFFIX = "调休上班"


def _district_of(area: Area | None) -> str:
    return area.district_code if area is not None else ""


# Every report asks for the same few weeks of the calendar: they are kept in each process
# for a few minutes (cleared at once in the process that changes a day, below; another
# process sees a new holiday within CACHE_SECONDS — deadlines set in between are a day off
# at most, and only around a day a district changed that very moment).
CACHE_SECONDS = 300
_cache: dict[tuple, tuple[float, dict]] = {}


@receiver([post_save, post_delete], sender=CalendarDay)
def forget(**kwargs):
    """Drop this process's copy of the calendar (a day was changed)."""
    _cache.clear()


def exceptions(first: dt.date, last: dt.date, district_code: str = "") -> dict[dt.date, bool]:
    """{date: working?} for the days from `first` to `last` that are not what their
    weekday says; a district's own row wins over the national one."""
    key = (first, last, district_code)
    kept = _cache.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return dict(kept[1])
    days = _read(first, last, district_code)
    if len(_cache) > 1000:
        _cache.clear()
    _cache[key] = (time.monotonic() + CACHE_SECONDS, days)
    return dict(days)


def _read(first: dt.date, last: dt.date, district_code: str) -> dict[dt.date, bool]:
    where = Q(area__isnull=True)
    if district_code:
        where |= Q(area__code=district_code)
    days: dict[dt.date, bool] = {}
    # National rows first, so the district's (ordered after them) overwrite them.
    rows = (
        CalendarDay.objects.filter(where, date__range=(first, last))
        .order_by("area_id", "date")
        .values_list("date", "working", "area_id")
    )
    national = [(day, working) for day, working, area_id in rows if area_id is None]
    local = [(day, working) for day, working, area_id in rows if area_id is not None]
    for day, working in national + local:
        days[day] = working
    return days


def is_working_day(day: dt.date, *, area: Area | None = None) -> bool:
    found = exceptions(day, day, _district_of(area))
    return found.get(day, day.weekday() < 5)


def add_working_days(start: dt.datetime, days: int, *, area: Area | None = None) -> dt.datetime:
    """The end of the `days`-th working day after `start`'s day (local time)."""
    if days < 1:
        raise ValueError("A deadline is at least one working day.")
    day = timezone.localtime(start).date()
    # Three calendar days per working day and a month more covers the longest holiday;
    # a district that declared more is read on in further windows.
    window = dt.timedelta(days=days * 3 + 31)
    horizon = day + window
    table = exceptions(day, horizon, _district_of(area))
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon:
            table |= exceptions(day, day + window, _district_of(area))
            horizon = day + window
        if table.get(day, day.weekday() < 5):
            counted += 1
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end)


def working_days_between(first: dt.date, last: dt.date, *, area: Area | None = None) -> int:
    """Working days after `first` up to and including `last` (0 when last ≤ first)."""
    if last <= first:
        return 0
    table = exceptions(first, last, _district_of(area))
    day, count = first, 0
    while day < last:
        day += dt.timedelta(days=1)
        if table.get(day, day.weekday() < 5):
            count += 1
    return count


def official_days(years: list[int]) -> list[tuple[dt.date, bool, str]]:
    """The national calendar's exceptions for `years`, as `chinesecalendar` has them:
    every holiday day (weekends inside a holiday too, so the calendar names them), and
    every make-up working day that falls on a weekend."""
    import chinese_calendar

    wanted = set(years)
    days = [
        (day, False, OFFICIAL_NAMES.get(name, name))
        for day, name in chinese_calendar.holidays.items()
        if day.year in wanted
    ]
    days += [
        (day, True, f"{OFFICIAL_NAMES.get(name, name)}{MAKE_UP_SUFFIX}")
        for day, name in chinese_calendar.workdays.items()
        if day.year in wanted and day.weekday() >= 5
    ]
    return sorted(days)


@transaction.atomic
def load_official_calendar(years: list[int]) -> dict[int, int]:
    """Put the national calendar of `years` in the table (a year's rows are replaced:
    the State Council publishes each year's arrangement in the November before). Returns
    the days written per year; a year the package does not know yet is missing."""
    days = official_days(years)
    years_found = {day.year for day, _working, _name in days}
    CalendarDay.objects.filter(area__isnull=True, date__year__in=years_found).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(area=None, date=day, working=working, name=name) for day, working, name in days
    )
    return {
        year: sum(1 for day, _w, _n in days if day.year == year) for year in sorted(years_found)
    }


def known_years() -> list[int]:
    """The years the national calendar holds (a deadline past the last one counts plain
    weekdays: the admin's calendar page says so)."""
    return sorted(
        {
            day.year
            for day in CalendarDay.objects.filter(area__isnull=True).values_list("date", flat=True)
        }
    )
