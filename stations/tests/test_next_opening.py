"""The phone's map at any hour (issue 14 §1): when a closed station opens next
(stations_next_opening, the open-now rule looking ahead), the state a worker reads, and the
nearest open station farther away when nothing within reach is open."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.test import override_settings
from django.utils import translation

from core.display import distance_text
from stations import selectors
from stations.models import OpeningException, Station
from stations.selectors import OpeningStates

from .factories import StationFactory, add_facility, set_hours

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)  # a Monday (weekday 0)
ORIGIN = (107.640, 35.710)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CST)


def next_opening(station, when: dt.datetime):
    return selectors.next_opening(station.pk, when)


@pytest.fixture
def daytime(tree):
    s = StationFactory(area=tree.a["community"])
    set_hours(s, dt.time(8), dt.time(20))
    return s


def test_before_opening_it_opens_later_today(daytime):
    assert next_opening(daytime, at(MONDAY, 2)) == dt.datetime(2026, 11, 23, 8, 0)


def test_after_closing_it_opens_tomorrow(daytime):
    assert next_opening(daytime, at(MONDAY, 21)) == dt.datetime(2026, 11, 24, 8, 0)


def test_the_opening_minute_itself_counts_as_open_not_as_next(daytime):
    # At 08:00 the station is open (the open-now rule); the next opening is tomorrow's.
    assert next_opening(daytime, at(MONDAY, 8)) == dt.datetime(2026, 11, 24, 8, 0)


def test_only_some_weekdays_skips_to_the_next_one(tree):
    s = StationFactory(area=tree.a["community"])
    set_hours(s, dt.time(9), dt.time(17), days=[2, 4])  # Wednesday and Friday
    assert next_opening(s, at(MONDAY, 10)) == dt.datetime(2026, 11, 25, 9, 0)
    assert next_opening(s, at(MONDAY + dt.timedelta(days=4), 18)) == dt.datetime(
        2026, 12, 2, 9, 0
    )  # Friday evening → next Wednesday


def test_a_closed_day_is_skipped_and_special_hours_replace_the_day(daytime):
    OpeningException.objects.create(station=daytime, date=MONDAY, closed=True)
    assert next_opening(daytime, at(MONDAY, 2)) == dt.datetime(2026, 11, 24, 8, 0)
    OpeningException.objects.create(
        station=daytime,
        date=MONDAY + dt.timedelta(days=1),
        closed=False,
        opens=dt.time(13),
        closes=dt.time(15),
    )
    assert next_opening(daytime, at(MONDAY, 2)) == dt.datetime(2026, 11, 24, 13, 0)


def test_open_24_hours_closed_today_by_an_exception_opens_at_midnight(tree):
    s = StationFactory(area=tree.a["community"], always_open=True)
    OpeningException.objects.create(station=s, date=MONDAY, closed=True)
    assert next_opening(s, at(MONDAY, 12)) == dt.datetime(2026, 11, 24, 0, 0)


def test_paused_or_without_hours_never_opens(tree, daytime):
    daytime.status = Station.Status.TEMPORARILY_CLOSED
    daytime.save()
    assert next_opening(daytime, at(MONDAY, 2)) is None
    no_hours = StationFactory(area=tree.a["community"], always_open=False)
    assert next_opening(no_hours, at(MONDAY, 2)) is None


def state(**kwargs):
    defaults = {"status": "open", "always_open": False, "open_now": False, "opens_at": None}
    return selectors.opening_state(**{**defaults, **kwargs}, now=at(MONDAY, 2))


def test_the_station_page_says_when_a_closed_station_opens(client, daytime):
    import time_machine

    with time_machine.travel(at(MONDAY, 21), tick=False):
        page = client.get(f"/m/stations/{daytime.pk}/").content.decode()
    assert "明天 08:00 开门" in page


@translation.override("zh-hans")
def test_states_in_words():
    assert state(open_now=True).code == OpeningStates.OPEN
    assert state(open_now=True, always_open=True).code == OpeningStates.ALWAYS_OPEN
    assert state(status="paused", open_now=False).code == OpeningStates.PAUSED
    assert state().code == OpeningStates.CLOSED
    today = state(opens_at=dt.datetime(2026, 11, 23, 8, 0))
    assert (today.code, today.label) == (OpeningStates.OPENS_LATER, "08:00 开门")
    assert state(opens_at=dt.datetime(2026, 11, 24, 8, 0)).label == "明天 08:00 开门"
    assert state(opens_at=dt.datetime(2026, 11, 25, 9, 30)).label == "星期三 09:30 开门"


@translation.override("zh-hans")
def test_distances_in_words():
    assert distance_text(0) == "0 米"
    assert distance_text(4) == "10 米"
    assert distance_text(844) == "840 米"
    assert distance_text(1138) == "1.1 公里"
    assert distance_text(3000) == "3 公里"
    assert distance_text(12_480) == "12 公里"


def east_of_origin(tree, name, metres, **kwargs):
    return StationFactory(
        area=tree.a["community"],
        name=name,
        location=Point(ORIGIN[0] + metres / 90_300, ORIGIN[1], srid=4326),
        **kwargs,
    )


def night_network(tree):
    """Two daytime stations near the origin, a 24-hour one 8 km away, and a 24-hour one
    3 km further that has hot water."""
    for name, metres in (("near-a", 300), ("near-b", 900)):
        set_hours(east_of_origin(tree, name, metres), dt.time(8), dt.time(22))
    east_of_origin(tree, "drivers-home", 8_000, always_open=True)
    add_facility(east_of_origin(tree, "estate-gate", 11_000, always_open=True), "water")


def test_at_night_the_nearby_list_keeps_closed_stations_with_their_next_opening(tree):
    night_network(tree)
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], at=at(MONDAY, 2))
    assert [(r.name, r.open_now) for r in results] == [("near-a", False), ("near-b", False)]
    assert {r.state.code for r in results} == {OpeningStates.OPENS_LATER}
    assert results[0].opens_at == dt.datetime(2026, 11, 23, 8, 0)


def test_when_nothing_within_reach_is_open_the_nearest_open_one_farther_away_is_named(tree):
    night_network(tree)
    night = at(MONDAY, 2)
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], at=night)
    farther = selectors.nearest_open_beyond(results, lng=ORIGIN[0], lat=ORIGIN[1], at=night)
    assert (farther.name, farther.state.code) == ("drivers-home", OpeningStates.ALWAYS_OPEN)
    assert 7_900 < farther.distance_m < 8_100
    # With a facility asked for, the nearest open one that has it.
    with_water = selectors.nearest_open_beyond(
        [], lng=ORIGIN[0], lat=ORIGIN[1], facility_codes=["water"], at=night
    )
    assert with_water.name == "estate-gate"


def test_no_farther_station_while_one_within_reach_is_open_or_beyond_the_maximum(tree):
    night_network(tree)
    noon = at(MONDAY, 12)
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], at=noon)
    assert selectors.nearest_open_beyond(results, lng=ORIGIN[0], lat=ORIGIN[1], at=noon) is None
    with override_settings(NEARBY_MAX_RADIUS_M=5_000):
        assert (
            selectors.nearest_open_beyond([], lng=ORIGIN[0], lat=ORIGIN[1], at=at(MONDAY, 2))
            is None
        )
