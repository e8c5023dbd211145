"""Open-now rules (Asia/Shanghai) and the nearest-station search."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point

from stations import selectors
from stations.models import OpeningException, OpeningPeriod, Station

from .factories import StationFactory, add_facility, set_hours

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
# 2026-11-23 is a Monday (weekday 0).
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=CST)


def is_open(station, at):
    """By the filter, checked against the set form every rule test goes through too."""
    by_filter = Station.objects.filter(pk=station.pk).filter(selectors.open_now_q(at)).exists()
    by_set = selectors.open_now_by_station(Station.objects.filter(pk=station.pk), at)
    assert by_set == {station.pk: by_filter}
    return by_filter


@pytest.fixture
def station(tree):
    s = StationFactory(area=tree.a["community"])
    set_hours(s, dt.time(8), dt.time(20))
    return s


def test_open_inside_weekly_hours(station):
    assert is_open(station, MONDAY_NOON)


def test_closed_outside_weekly_hours(station):
    assert not is_open(station, MONDAY_NOON.replace(hour=21))
    assert not is_open(station, MONDAY_NOON.replace(hour=7, minute=59))


def test_closing_time_is_exclusive(station):
    assert not is_open(station, MONDAY_NOON.replace(hour=20))


def test_open_now_uses_china_time_not_utc(station):
    # 03:00 UTC is 11:00 in Shanghai: open, although 03:00 is outside 08–20.
    assert is_open(station, dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC))


def test_overnight_period_runs_past_midnight(tree):
    s = StationFactory(area=tree.a["community"])
    set_hours(s, dt.time(20), dt.time(2), days=[0])  # Monday 20:00 – Tuesday 02:00
    assert is_open(s, MONDAY_NOON.replace(hour=23))
    assert is_open(s, MONDAY_NOON + dt.timedelta(hours=13))  # Tuesday 01:00
    assert not is_open(s, MONDAY_NOON + dt.timedelta(hours=15))  # Tuesday 03:00


def test_dated_exception_closes_the_day(station):
    OpeningException.objects.create(station=station, date=MONDAY_NOON.date(), closed=True)
    assert not is_open(station, MONDAY_NOON)


def test_dated_exception_with_special_hours_replaces_the_schedule(station):
    OpeningException.objects.create(
        station=station,
        date=MONDAY_NOON.date(),
        closed=False,
        opens=dt.time(13),
        closes=dt.time(15),
    )
    assert not is_open(station, MONDAY_NOON)
    assert is_open(station, MONDAY_NOON.replace(hour=14))


def test_exception_also_overrides_open_24_hours(tree):
    s = StationFactory(area=tree.a["community"], always_open=True)
    assert is_open(s, MONDAY_NOON)
    OpeningException.objects.create(station=s, date=MONDAY_NOON.date(), closed=True)
    assert not is_open(s, MONDAY_NOON)


def test_temporarily_closed_station_is_never_open(tree):
    s = StationFactory(
        area=tree.a["community"], always_open=True, status=Station.Status.TEMPORARILY_CLOSED
    )
    assert not is_open(s, MONDAY_NOON)


def test_annotation_agrees_with_filter(station):
    annotated = selectors.with_open_now(Station.objects.filter(pk=station.pk), MONDAY_NOON).get()
    assert annotated.is_open_now is True


def test_the_set_form_answers_for_the_stations_asked_only(tree):
    """open_now_by_station: one statement for many stations, each of the queryset's."""
    always = StationFactory(area=tree.a["community"], always_open=True)
    daytime = StationFactory(area=tree.a["community"])
    set_hours(daytime, dt.time(8), dt.time(20))
    StationFactory(area=tree.b["community"], always_open=True)  # not asked about
    asked = Station.objects.filter(pk__in=[always.pk, daytime.pk])
    assert selectors.open_now_by_station(asked, MONDAY_NOON) == {always.pk: True, daytime.pk: True}
    night = MONDAY_NOON.replace(hour=23)
    assert selectors.open_now_by_station(asked, night) == {always.pk: True, daytime.pk: False}
    assert selectors.open_now_by_station(Station.objects.none(), night) == {}


def test_weekly_hours_lists_every_day_monday_first(station):
    OpeningPeriod.objects.filter(station=station, weekday=6).delete()
    hours = selectors.weekly_hours(station)
    assert len(hours) == 7
    assert hours[0][1] == ["08:00–20:00"]
    assert hours[6][1] == []


# Nearby search ---------------------------------------------------------------------------

ORIGIN = (107.640, 35.710)


def at_offset(tree, name, metres_east, **kwargs):
    # ~90.3 km per degree of longitude at 35.7°N
    lng = ORIGIN[0] + metres_east / 90_300
    return StationFactory(
        area=tree.a["community"], name=name, location=Point(lng, ORIGIN[1], srid=4326), **kwargs
    )


def test_nearby_orders_by_distance_with_metres_and_minutes(tree):
    at_offset(tree, "far", 2000)
    at_offset(tree, "near", 300)
    at_offset(tree, "mid", 900)
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], radius_m=5000)
    assert [r.name for r in results] == ["near", "mid", "far"]
    near = results[0]
    assert 280 <= near.distance_m <= 320
    assert near.walking_minutes == 4  # 300 m at 80 m/min, rounded up
    assert near.ebike_minutes == 2


def test_nearby_respects_radius(tree):
    at_offset(tree, "inside", 900)
    at_offset(tree, "outside", 1500)
    names = [r.name for r in selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], radius_m=1000)]
    assert names == ["inside"]


def test_nearby_filters_by_every_requested_facility(tree):
    both = at_offset(tree, "both", 500)
    water_only = at_offset(tree, "water-only", 200)
    add_facility(both, "water")
    add_facility(both, "ebike-charging")
    add_facility(water_only, "water")
    add_facility(water_only, "ebike-charging", available=False)
    names = [
        r.name
        for r in selectors.stations_nearby(
            lng=ORIGIN[0], lat=ORIGIN[1], facility_codes=["water", "ebike-charging"]
        )
    ]
    assert names == ["both"]


def test_nearby_open_now_filter(tree):
    open_one = at_offset(tree, "open", 500)
    closed_one = at_offset(tree, "closed", 200)
    set_hours(open_one, dt.time(8), dt.time(20))
    set_hours(closed_one, dt.time(13), dt.time(14))
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], open_now=True, at=MONDAY_NOON)
    assert [r.name for r in results] == ["open"]


def test_nearby_hides_closed_stations_but_shows_paused_ones(tree):
    at_offset(tree, "closed-for-good", 100, status=Station.Status.CLOSED)
    at_offset(tree, "paused", 200, status=Station.Status.TEMPORARILY_CLOSED)
    names = [r.name for r in selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1])]
    assert names == ["paused"]


def test_nearby_limit(tree):
    for i in range(5):
        at_offset(tree, f"s{i}", 100 * (i + 1))
    assert len(selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], limit=3)) == 3


def test_nearby_reports_open_now_by_the_same_rule_as_the_staff_filter(tree):
    open_one = at_offset(tree, "open", 500)
    shut_one = at_offset(tree, "shut", 200)
    set_hours(open_one, dt.time(8), dt.time(20))
    set_hours(shut_one, dt.time(13), dt.time(14))
    OpeningException.objects.create(station=open_one, date=MONDAY_NOON.date(), closed=True)
    results = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1], at=MONDAY_NOON)
    reported = {r.name: r.open_now for r in results}
    assert reported == {"open": False, "shut": False}  # the dated exception closes "open"
    for station in (open_one, shut_one):
        assert reported[station.name] == is_open(station, MONDAY_NOON)


def test_nearby_returns_plain_values_with_facilities_in_catalogue_order(tree):
    station = at_offset(tree, "s", 100)
    add_facility(station, "water", note="hot and cold")
    add_facility(station, "toilet", available=False)
    (result,) = selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1])
    assert (result.id, result.brand) == (station.pk, station.brand.name)
    assert (round(result.lng, 6), round(result.lat, 6)) == (round(station.lng, 6), ORIGIN[1])
    assert [f["code"] for f in result.facilities] == ["water"]
    assert result.facilities[0]["note"] == "hot and cold"


def test_facility_filter_with_no_codes_keeps_every_station(tree):
    at_offset(tree, "bare", 100)
    assert selectors.with_facilities(Station.objects.all(), []).count() == 1
    assert [r.name for r in selectors.stations_nearby(lng=ORIGIN[0], lat=ORIGIN[1])] == ["bare"]
