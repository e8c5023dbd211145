"""Check-ins (签到): the 30-minute rule, idempotent replays, distance without location,
what is refused, and the keeper's records — through the services."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from core.coords import wgs84_to_gcj02
from core.exceptions import ApplicationError
from members.tests.factories import WorkerFactory
from stations import services
from stations.models import CheckIn, Station
from stations.services import SharedLocation

from .factories import StationFactory

pytestmark = pytest.mark.django_db

# station_a stands at (107.64, 35.71). 0.001° of latitude is about 111 m.
NEAR = SharedLocation(lng=107.64, lat=35.713, accuracy_m=30)  # ≈ 334 m
FAR = SharedLocation(lng=107.64, lat=35.73, accuracy_m=30)  # ≈ 2.2 km


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"], phone="13700001111")


def test_a_second_tap_within_30_minutes_is_the_same_check_in(worker, station_a):
    first, created = services.check_in(worker=worker, station=station_a, services=["water"])
    assert created and first.source == CheckIn.Source.PHONE
    again, created = services.check_in(
        worker=worker, station=station_a, services=["ebike", "water"]
    )
    assert not created and again.pk == first.pk
    assert again.services == ["water", "ebike"]  # merged, in the list's order
    assert CheckIn.objects.count() == 1


def test_after_30_minutes_it_is_a_new_visit(worker, station_a):
    first, _ = services.check_in(worker=worker, station=station_a)
    CheckIn.objects.filter(pk=first.pk).update(at=timezone.now() - dt.timedelta(minutes=31))
    second, created = services.check_in(worker=worker, station=station_a)
    assert created and second.pk != first.pk


def test_another_station_is_another_visit(worker, station_a, tree):
    other = StationFactory(area=tree.a["community"])
    services.check_in(worker=worker, station=station_a)
    _, created = services.check_in(worker=worker, station=other)
    assert created and CheckIn.objects.count() == 2


def test_the_same_key_twice_returns_what_the_first_made(worker, station_a, tree):
    key = uuid.uuid4()
    first, _ = services.check_in(worker=worker, station=station_a, client_key=key)
    CheckIn.objects.filter(pk=first.pk).update(at=timezone.now() - dt.timedelta(hours=2))
    again, created = services.check_in(worker=worker, station=station_a, client_key=key)
    assert not created and again.pk == first.pk
    other = StationFactory(area=tree.a["community"])
    with pytest.raises(ApplicationError, match="another visit"):
        services.check_in(worker=worker, station=other, client_key=key)
    assert CheckIn.objects.count() == 1


def test_only_the_rounded_distance_is_kept(worker, station_a):
    near, _ = services.check_in(worker=worker, station=station_a, location=NEAR)
    assert (near.distance_m, near.far_away) == (300, False)
    stored = {f.name for f in CheckIn._meta.get_fields()}
    assert not stored & {"lat", "lng", "location", "point", "accuracy"}


def test_more_than_a_kilometre_away_is_flagged(worker, station_a):
    far, _ = services.check_in(worker=worker, station=station_a, location=FAR)
    assert far.far_away and far.distance_m == 2200


def test_a_location_in_gcj02_is_converted_first(worker, station_a):
    lng, lat = wgs84_to_gcj02(107.64, 35.71)  # standing at the door, as WeChat reports it
    done, _ = services.check_in(
        worker=worker,
        station=station_a,
        location=SharedLocation(lng=lng, lat=lat, accuracy_m=10, system="gcj02"),
    )
    assert done.distance_m == 0 and not done.far_away


def test_an_imprecise_location_is_not_used(worker, station_a):
    vague = SharedLocation(lng=107.64, lat=35.73, accuracy_m=5000)
    done, _ = services.check_in(worker=worker, station=station_a, location=vague)
    assert done.distance_m is None and not done.far_away


def test_a_location_off_the_earth_is_refused(worker, station_a):
    with pytest.raises(ApplicationError, match="not a place on Earth"):
        services.check_in(
            worker=worker, station=station_a, location=SharedLocation(lng=200, lat=35)
        )
    assert not CheckIn.objects.exists()


def test_unknown_services_are_refused_and_nothing_is_written(worker, station_a):
    with pytest.raises(ApplicationError) as refused:
        services.check_in(worker=worker, station=station_a, services=["water", "sauna"])
    assert "sauna" in refused.value.message and "services" in refused.value.fields
    assert not CheckIn.objects.exists()


def test_a_closed_station_takes_no_check_ins(worker, station_a):
    Station.objects.filter(pk=station_a.pk).update(status=Station.Status.CLOSED)
    station_a.refresh_from_db()
    with pytest.raises(ApplicationError, match="closed"):
        services.check_in(worker=worker, station=station_a)
    assert not CheckIn.objects.exists()


def test_an_offline_check_in_keeps_the_time_it_was_made(worker, station_a):
    tapped = timezone.now() - dt.timedelta(hours=3)
    done, created = services.check_in(
        worker=worker, station=station_a, made_at=tapped, client_key=uuid.uuid4()
    )
    assert created and done.at == tapped and done.source == CheckIn.Source.OFFLINE


def test_an_offline_copy_of_a_visit_already_counted_is_not_counted_again(worker, station_a):
    # Online check-in at 12:20; the copy the phone queued at 12:00 arrives afterwards.
    online, _ = services.check_in(worker=worker, station=station_a)
    queued_at = online.at - dt.timedelta(minutes=20)
    late, created = services.check_in(
        worker=worker, station=station_a, made_at=queued_at, client_key=uuid.uuid4()
    )
    assert not created and late.pk == online.pk


def test_offline_check_ins_from_the_future_or_too_long_ago_are_refused(worker, station_a):
    with pytest.raises(ApplicationError, match="future"):
        services.check_in(
            worker=worker, station=station_a, made_at=timezone.now() + dt.timedelta(hours=1)
        )
    with pytest.raises(ApplicationError, match="days ago"):
        services.check_in(
            worker=worker, station=station_a, made_at=timezone.now() - dt.timedelta(days=45)
        )
    assert not CheckIn.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_taps_make_one_check_in(tree):
    """Ten requests at once from one phone (separate connections): one row."""
    station = StationFactory(area=tree.a["community"])
    worker = WorkerFactory(area=tree.a["community"])
    barrier = threading.Barrier(10)
    results, errors = [], []

    def tap():
        try:
            barrier.wait()
            results.append(services.check_in(worker=worker, station=station, services=["rest"]))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert CheckIn.objects.filter(worker=worker).count() == 1
    assert sum(created for _, created in results) == 1


# The keeper's records ------------------------------------------------------------------


def test_the_keeper_checks_in_a_worker_by_phone_number(keeper_a, worker, station_a):
    done, created = services.visit_record(
        actor=keeper_a, station=station_a, worker_phone="137 0000 1111", services=["meal"]
    )
    assert created and done.worker == worker and done.source == CheckIn.Source.KEEPER
    assert done.recorded_by == keeper_a


def test_an_unknown_phone_number_is_refused_by_its_field(keeper_a, station_a):
    with pytest.raises(ApplicationError) as refused:
        services.visit_record(actor=keeper_a, station=station_a, worker_phone="13900009999")
    assert "worker_phone" in refused.value.fields
    assert not CheckIn.objects.exists()


def _refusal(**kwargs):
    with pytest.raises(ApplicationError) as refused:
        services.visit_record(**kwargs)
    return refused.value.message, refused.value.fields


def test_a_worker_of_another_district_is_answered_as_an_unknown_number(trio, keeper_a, station_a):
    """No oracle: the keeper of a station in A typing the number of a worker registered in
    B learns nothing (not that it is registered, not the name) and records no visit."""
    other = WorkerFactory(area=trio.tree.b["community"], phone="13911112222", name="李四")
    unknown = _refusal(actor=keeper_a, station=station_a, worker_phone="13900009999")
    for actor in (keeper_a, trio.staff_a):
        assert _refusal(actor=actor, station=station_a, worker_phone=other.phone) == unknown
    assert "李" not in unknown[0]
    assert not CheckIn.objects.exists()
    # Counting them as a visitor still works, and the worker's own scan names them.
    services.visit_record(actor=keeper_a, station=station_a, visitors=1)
    services.check_in(worker=other, station=station_a)
    assert CheckIn.objects.count() == 2


def test_whoever_reaches_the_workers_record_may_name_them_anywhere_they_keep(trio, station_a):
    other = WorkerFactory(area=trio.tree.b["community"], phone="13911112222")
    done, created = services.visit_record(
        actor=trio.city, station=station_a, worker_phone=other.phone
    )
    assert created and done.worker == other


def test_an_outsider_learns_nothing_about_a_number_at_a_station_not_theirs(trio, worker, station_a):
    for phone in (worker.phone, "13900009999"):
        with pytest.raises(Http404):
            services.visit_record(actor=trio.staff_b, station=station_a, worker_phone=phone)
        with pytest.raises(PermissionDenied):
            services.visit_record(actor=trio.viewer_a, station=station_a, worker_phone=phone)
    assert not CheckIn.objects.exists()


def test_visitors_without_names_are_counted_once_per_submit(keeper_a, station_a):
    key = uuid.uuid4()
    counted, created = services.visit_record(
        actor=keeper_a, station=station_a, visitors=6, client_key=key
    )
    again, created_again = services.visit_record(
        actor=keeper_a, station=station_a, visitors=6, client_key=key
    )
    assert created and not created_again and counted.pk == again.pk
    assert counted.worker is None and counted.visitors == 6


@pytest.mark.parametrize("visitors", [0, -1, 501])
def test_a_visitor_count_out_of_range_is_refused(keeper_a, station_a, visitors):
    with pytest.raises(ApplicationError) as refused:
        services.visit_record(actor=keeper_a, station=station_a, visitors=visitors)
    assert "visitors" in refused.value.fields
    assert not CheckIn.objects.exists()


def test_a_named_worker_is_one_visitor(keeper_a, worker, station_a):
    with pytest.raises(ApplicationError) as refused:
        services.visit_record(
            actor=keeper_a, station=station_a, worker_phone=worker.phone, visitors=3
        )
    assert "visitors" in refused.value.fields


def test_visits_are_recorded_only_where_the_user_writes(
    trio, keeper_a, worker, station_a, station_b
):
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=trio.viewer_a, station=station_a, visitors=2)
    with pytest.raises(Http404):
        services.visit_record(actor=trio.staff_b, station=station_a, visitors=2)
    with pytest.raises(Http404):
        services.visit_record(actor=keeper_a, station=station_b, visitors=2)
    other_station_here = StationFactory(area=station_a.area)
    with pytest.raises(Http404):
        services.visit_record(actor=keeper_a, station=other_station_here, visitors=2)
    assert not CheckIn.objects.exists()
    services.visit_record(actor=trio.staff_a, station=station_a, visitors=2)
    assert CheckIn.objects.count() == 1


def test_a_merged_records_check_in_goes_to_the_kept_record(tree, station_a):
    kept = WorkerFactory(area=tree.a["community"])
    merged = WorkerFactory(area=tree.a["community"], status="merged", merged_into=kept)
    done, created = services.check_in(worker=merged, station=station_a)
    assert created and CheckIn.objects.get().worker == kept


def test_an_unknown_station_is_refused(worker):
    with pytest.raises(ApplicationError, match="No such station"):
        services.check_in(worker=worker, station=Station(pk=999999))
    assert not CheckIn.objects.exists()


# A visit while the station is not open, a returned registration: taken, and said ----------


def _daytime(station):
    from .factories import set_hours

    set_hours(station, dt.time(8), dt.time(20))
    return station


@pytest.mark.parametrize(
    "local_hour, status, outside",
    [
        (12, Station.Status.OPEN, False),
        (23, Station.Status.OPEN, True),  # after its hours
        (12, Station.Status.TEMPORARILY_CLOSED, True),  # paused by its keeper
    ],
)
def test_a_visit_while_the_station_is_not_open_is_taken_marked_and_said(
    worker, station_a, local_hour, status, outside
):
    from zoneinfo import ZoneInfo

    import time_machine

    _daytime(station_a)
    Station.objects.filter(pk=station_a.pk).update(status=status)
    moment = dt.datetime(2026, 11, 23, local_hour, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        done, created = services.check_in(worker=worker, station=station_a)
    assert created and done.outside_hours is outside
    assert CheckIn.objects.get(pk=done.pk).outside_hours is outside
    remarks = services.check_in_remarks(done)
    assert bool(remarks) is outside
    if outside:
        assert "not open" in remarks[0]


def test_a_worker_whose_registration_was_returned_is_told_when_checking_in(worker, station_a):
    from members.models import Worker

    Worker.objects.filter(pk=worker.pk).update(status="rejected", status_reason="缺少职业")
    done, _created = services.check_in(worker=worker, station=station_a)
    assert any("returned" in remark for remark in services.check_in_remarks(done))
    again, created = services.check_in(worker=worker, station=station_a)  # the same visit
    assert not created and any("returned" in r for r in services.check_in_remarks(again))


def test_the_keepers_count_of_visitors_follows_the_same_rule(keeper_a, station_a):
    from zoneinfo import ZoneInfo

    import time_machine

    _daytime(station_a)
    night = dt.datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(night, tick=False):
        counted, _created = services.visitors_record(actor=keeper_a, station=station_a, visitors=3)
    assert counted.outside_hours
