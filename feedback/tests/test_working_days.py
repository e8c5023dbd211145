"""Working days as China's official calendar counts them (issue 16 §1): the national table
from chinesecalendar, make-up working days (调休) included, and a district's own days
winning over it. 2026 is pinned: the Spring Festival holiday runs 15–23 February, with
make-up working days on Saturday 14 and Saturday 28 February."""

import datetime as dt

import pytest
from django.utils import timezone

from feedback import working_days
from feedback.models import CalendarDay

pytestmark = pytest.mark.django_db

D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_2026_spring_festival_and_its_make_up_days_are_in_the_national_calendar():
    assert working_days.is_working_day(D(2026, 2, 14))  # Saturday, worked
    assert working_days.is_working_day(D(2026, 2, 28))  # Saturday, worked
    for day in range(15, 24):
        assert not working_days.is_working_day(D(2026, 2, day)), day
    assert working_days.is_working_day(D(2026, 2, 24))
    assert not working_days.is_working_day(D(2026, 2, 7))  # a plain Saturday
    assert not working_days.is_working_day(D(2026, 10, 1))  # National Day


def test_a_deadline_counts_across_the_spring_festival():
    # Sent Friday 13 Feb 2026, five working days: Sat 14 (make-up), then Tue 24 – Fri 27.
    due = working_days.add_working_days(at(D(2026, 2, 13)), 5)
    assert timezone.localtime(due) == at(D(2026, 2, 27), 0).replace(hour=23, minute=59, second=59)
    # Sent on the holiday's first day: the clock waits for the 24th.
    assert timezone.localtime(working_days.add_working_days(at(D(2026, 2, 15)), 1)).date() == D(
        2026, 2, 24
    )
    # Across the make-up Saturday at the end: Thu 26, Fri 27, Sat 28 (worked), Mon 2 March.
    assert timezone.localtime(working_days.add_working_days(at(D(2026, 2, 25)), 4)).date() == D(
        2026, 3, 2
    )


def test_a_deadline_is_the_end_of_the_day_in_china_whatever_the_hour_sent():
    late_evening = timezone.make_aware(dt.datetime(2026, 3, 2, 23, 30))
    due = timezone.localtime(working_days.add_working_days(late_evening, 1))
    assert (due.date(), due.hour, due.minute) == (D(2026, 3, 3), 23, 59)


def test_working_days_between_counts_the_make_up_days_and_skips_the_holiday():
    assert working_days.working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5
    assert working_days.working_days_between(D(2026, 2, 27), D(2026, 2, 13)) == 0


def test_a_districts_own_holiday_wins_in_that_district_only(trio):
    district_a, district_b = trio.tree.a["district"], trio.tree.b["district"]
    CalendarDay.objects.create(area=district_a, date=D(2026, 3, 3), working=False, name="地方节日")
    start = at(D(2026, 3, 2))  # Monday
    in_a = working_days.add_working_days(start, 1, area=trio.tree.a["community"])
    in_b = working_days.add_working_days(start, 1, area=trio.tree.b["community"])
    assert timezone.localtime(in_a).date() == D(2026, 3, 4)
    assert timezone.localtime(in_b).date() == D(2026, 3, 3)
    # …and a district may work on a national holiday (an exchanged day).
    CalendarDay.objects.create(area=district_b, date=D(2026, 2, 16), working=True, name="调换")
    assert working_days.is_working_day(D(2026, 2, 16), area=district_b)
    assert not working_days.is_working_day(D(2026, 2, 16), area=district_a)


def test_a_district_of_long_holidays_is_read_on_beyond_the_first_window(trio):
    district = trio.tree.a["district"]
    CalendarDay.objects.bulk_create(
        CalendarDay(area=district, date=D(2026, 4, 1) + dt.timedelta(days=n), working=False)
        for n in range(60)
    )
    due = working_days.add_working_days(at(D(2026, 3, 31)), 1, area=district)
    assert timezone.localtime(due).date() == D(2026, 5, 31) + dt.timedelta(days=1)


def test_loading_a_year_again_replaces_that_years_national_rows_only(trio):
    CalendarDay.objects.create(area=trio.tree.a["district"], date=D(2026, 3, 3), working=False)
    before = CalendarDay.objects.filter(area__isnull=True, date__year=2026).count()
    CalendarDay.objects.filter(area__isnull=True, date=D(2026, 2, 16)).delete()
    written = working_days.load_official_calendar([2026, 2099])
    assert written == {2026: before}
    assert CalendarDay.objects.filter(area__isnull=True, date__year=2026).count() == before
    assert CalendarDay.objects.filter(area__isnull=False).count() == 1
    assert CalendarDay.objects.get(area__isnull=True, date=D(2026, 2, 16)).name == "春节"
    assert CalendarDay.objects.get(area__isnull=True, date=D(2026, 2, 14)).name == "春节调休上班"


def test_a_deadline_is_at_least_one_working_day():
    with pytest.raises(ValueError):
        working_days.add_working_days(timezone.now(), 0)
