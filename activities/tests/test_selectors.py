"""Reads of activities: the staff's lists scoped for the area trio, what a worker may sign
up for and their own sign-ups, the waiting list's order, the monthly service list, the
roll calls due, and volunteering."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from activities import selectors
from activities.models import Activity, RoleAppointment, SignUp, VolunteerService
from members.models import Occupation
from members.tests.factories import WorkerFactory

from .factories import ActivityFactory, now_on

pytestmark = pytest.mark.django_db


def signed_up(activity, worker, status="confirmed", at=None):
    at = at or timezone.now()
    return SignUp.objects.create(
        activity=activity,
        worker=worker,
        status=status,
        queued_at=at,
        attended_at=at if status == "attended" else None,
    )


def service(worker, area, status="reported", hours="2", served_on=None):
    return VolunteerService.objects.create(
        worker=worker,
        kind="patrol",
        area=area,
        served_on=served_on or timezone.localdate(),
        hours=Decimal(hours),
        description="夜间巡逻",
        source="worker",
        status=status,
    )


def appointed(worker, area, role="grid_worker", ended_on=None):
    return RoleAppointment.objects.create(
        worker=worker,
        role=role,
        area=area,
        started_on=timezone.localdate() - dt.timedelta(days=30),
        ended_on=ended_on,
    )


# Staff lists ------------------------------------------------------------------------------


def test_the_activity_list_is_scoped_and_counts_places_and_the_waiting_list(trio, tree):
    in_a = ActivityFactory(area=tree.a["community"], capacity=2)
    in_b = ActivityFactory(area=tree.b["community"])
    signups = {
        "confirmed": 1,
        "attended": 1,
        "waitlisted": 2,
        "cancelled": 1,
        "no_show": 1,
    }
    for status, n in signups.items():
        for _ in range(n):
            signed_up(in_a, WorkerFactory(area=tree.a["community"]), status)
    assert list(selectors.activity_list(user=trio.staff_a)) == [in_a]
    assert list(selectors.activity_list(user=trio.viewer_a)) == [in_a]
    assert list(selectors.activity_list(user=trio.staff_b)) == [in_b]
    assert set(selectors.activity_list(user=trio.city)) == {in_a, in_b}
    listed = selectors.activity_list(user=trio.staff_a).get()
    assert (listed.places_taken, listed.waiting) == (2, 2)  # confirmed and attended take one
    other = selectors.activity_list(user=trio.staff_b).get()
    assert (other.places_taken, other.waiting) == (0, 0)


def test_the_sign_up_list_is_scoped(trio, tree):
    in_a = signed_up(
        ActivityFactory(area=tree.a["community"]), WorkerFactory(area=tree.a["community"])
    )
    in_b = signed_up(
        ActivityFactory(area=tree.b["community"]), WorkerFactory(area=tree.b["community"])
    )
    assert list(selectors.signup_list(user=trio.staff_a)) == [in_a]
    assert list(selectors.signup_list(user=trio.viewer_a)) == [in_a]
    assert list(selectors.signup_list(user=trio.staff_b)) == [in_b]
    assert set(selectors.signup_list(user=trio.city)) == {in_a, in_b}


# The worker's own -------------------------------------------------------------------------


def test_a_worker_is_offered_what_is_published_and_not_over_in_their_district_and_above(tree):
    worker = WorkerFactory(area=tree.a["community"], occupation=Occupation.COURIER)
    now = timezone.now()

    def on(days, **kw):
        starts = now + dt.timedelta(days=days)
        return ActivityFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **kw)

    under_way = now_on(tree.a["community"], title="进行中")
    neighbours = on(3, area=tree.a["community2"], title="乙社区培训")
    district = on(2, area=tree.a["district"], title="区级培训")
    city = on(4, area=tree.city, title="市级培训", audience=[Occupation.COURIER])
    on(1, area=tree.b["community"], title="庆城培训")
    on(1, area=tree.a["community"], title="草稿", status=Activity.Status.DRAFT)
    on(1, area=tree.a["community"], title="取消", status=Activity.Status.CANCELLED)
    on(-1, area=tree.a["community"], title="已结束")
    on(1, area=tree.a["community"], title="外卖专场", audience=[Occupation.FOOD_DELIVERY])
    signed_up(district, worker)
    signed_up(district, WorkerFactory(area=tree.a["community"]), "waitlisted")

    offered = list(selectors.open_for_worker(worker))
    assert offered == [under_way, district, neighbours, city]  # soonest first
    by_title = {a.title: a for a in offered}
    assert by_title["区级培训"].signed_up and not by_title["乙社区培训"].signed_up
    assert by_title["区级培训"].places_taken == 1 and by_title["乙社区培训"].places_taken == 0


def test_a_workers_sign_ups_leave_out_the_cancelled_latest_activity_first(tree):
    worker = WorkerFactory(area=tree.a["community"])
    now = timezone.now()
    sooner = ActivityFactory(area=tree.a["community"], starts_at=now + dt.timedelta(days=1))
    later = ActivityFactory(area=tree.a["community"], starts_at=now + dt.timedelta(days=5))
    dropped = ActivityFactory(area=tree.a["community"])
    mine = [signed_up(sooner, worker), signed_up(later, worker, "waitlisted")]
    signed_up(dropped, worker, "cancelled")
    signed_up(sooner, WorkerFactory(area=tree.a["community"]))
    assert list(selectors.signups_of(worker)) == [mine[1], mine[0]]


def test_the_waiting_position_counts_those_queued_earlier_on_the_same_list(tree):
    activity = ActivityFactory(area=tree.a["community"], capacity=1)
    elsewhere = ActivityFactory(area=tree.a["community"], capacity=1)
    start = timezone.now()
    signed_up(activity, WorkerFactory(area=tree.a["community"]), at=start)  # has the place
    # Waiting for another activity: not in this queue.
    signed_up(elsewhere, WorkerFactory(area=tree.a["community"]), "waitlisted", at=start)
    queue = [
        signed_up(
            activity,
            WorkerFactory(area=tree.a["community"]),
            "waitlisted",
            at=start + dt.timedelta(minutes=n),
        )
        for n in range(1, 4)
    ]
    assert [selectors.waiting_position(s) for s in queue] == [1, 2, 3]


# The monthly service list -----------------------------------------------------------------


def test_month_bounds_are_the_first_of_the_month_and_of_the_next_local_time():
    start, end = selectors.month_bounds(2030, 12)
    assert timezone.is_aware(start) and timezone.is_aware(end)
    assert (timezone.localtime(start).date(), timezone.localtime(end).date()) == (
        dt.date(2030, 12, 1),
        dt.date(2031, 1, 1),
    )
    assert timezone.localtime(start).hour == 0
    start, end = selectors.month_bounds(2031, 2)
    assert (start.date(), end.date()) == (dt.date(2031, 2, 1), dt.date(2031, 3, 1))


def test_the_service_list_is_the_months_published_activities_in_the_area(tree):
    def on(day, month=3, **kw):
        starts = timezone.make_aware(dt.datetime(2031, month, day, 9))
        return ActivityFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **kw)

    late = on(28, area=tree.a["community2"], title="义剪")
    early = on(1, area=tree.a["community"], title="义诊")
    on(10, area=tree.b["community"], title="庆城义诊")
    on(10, area=tree.a["community"], title="草稿", status=Activity.Status.DRAFT)
    on(28, month=2, area=tree.a["community"], title="上个月")
    on(1, month=4, area=tree.a["community"], title="下个月")

    district = selectors.service_list(area=tree.a["district"], year=2031, month=3)
    assert list(district) == [early, late]
    community = selectors.service_list(area=tree.a["community"], year=2031, month=3)
    assert list(community) == [early]


def test_roll_calls_are_due_for_recent_activities_without_attendance(trio, tree):
    now = timezone.now()

    def started(days_ago, **kw):
        starts = now - dt.timedelta(days=days_ago)
        return ActivityFactory(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **kw)

    due = now_on(tree.a["community"], title="今天")
    yesterday = started(1, area=tree.a["community"], title="昨天")
    week_ago = started(8, area=tree.a["community"], title="八天前")
    recorded = started(2, area=tree.a["community"], title="已点名")
    signed_up(recorded, WorkerFactory(area=tree.a["community"]), "attended")
    signed_up(yesterday, WorkerFactory(area=tree.a["community"]), "confirmed")  # not yet
    started(2, area=tree.a["community"], title="草稿", status=Activity.Status.DRAFT)
    ActivityFactory(area=tree.a["community"], title="明天")
    in_b = started(1, area=tree.b["community"], title="庆城")

    assert set(selectors.without_attendance(user=trio.staff_a)) == {due, yesterday}
    assert set(selectors.without_attendance(user=trio.staff_a, days=10)) == {
        due,
        yesterday,
        week_ago,
    }
    assert list(selectors.without_attendance(user=trio.staff_b)) == [in_b]
    assert not selectors.without_attendance(user=trio.viewer_a).exists()  # takes no roll call


# Volunteering -----------------------------------------------------------------------------


def test_appointments_and_services_are_scoped(trio, tree):
    worker_a = WorkerFactory(area=tree.a["community"])
    worker_b = WorkerFactory(area=tree.b["community"])
    role_a, role_b = appointed(worker_a, tree.a["community"]), appointed(worker_b, tree.b["street"])
    done_a, done_b = service(worker_a, tree.a["community"]), service(worker_b, tree.b["community"])
    for user, roles, services in (
        (trio.staff_a, {role_a}, {done_a}),
        (trio.viewer_a, {role_a}, {done_a}),
        (trio.staff_b, {role_b}, {done_b}),
        (trio.city, {role_a, role_b}, {done_a, done_b}),
    ):
        assert set(selectors.appointment_list(user=user)) == roles
        assert set(selectors.service_list_for_staff(user=user)) == services


def test_services_to_verify_are_the_reported_ones_the_user_may_decide(trio, tree):
    worker = WorkerFactory(area=tree.a["community"])
    reported = service(worker, tree.a["community"])
    service(worker, tree.a["community"], status="verified")
    service(worker, tree.a["community"], status="rejected")
    in_b = service(WorkerFactory(area=tree.b["community"]), tree.b["community"])
    assert list(selectors.services_to_verify(user=trio.staff_a)) == [reported]
    assert list(selectors.services_to_verify(user=trio.staff_b)) == [in_b]
    assert not selectors.services_to_verify(user=trio.viewer_a).exists()


def test_a_workers_volunteering_is_their_current_roles_services_and_verified_hours(tree):
    worker = WorkerFactory(area=tree.a["community"])
    today = timezone.localdate()
    current = appointed(worker, tree.a["community"], role="volunteer")
    appointed(worker, tree.a["community"], role="grid_worker", ended_on=today)
    older = service(worker, tree.a["community"], "verified", "2", today - dt.timedelta(days=3))
    newer = service(worker, tree.a["community"], "verified", "1.5", today)
    waiting = service(worker, tree.a["community"], "reported", "4", today - dt.timedelta(days=1))
    refused = service(worker, tree.a["community"], "rejected", "3", today - dt.timedelta(days=2))
    service(WorkerFactory(area=tree.a["community"]), tree.a["community"], "verified", "8")

    mine = selectors.volunteering_of(worker)
    assert list(mine["roles"]) == [current]
    assert list(mine["services"]) == [newer, waiting, refused, older]  # latest first
    assert mine["verified_hours"] == Decimal("3.5")
    nobody = selectors.volunteering_of(WorkerFactory(area=tree.a["community"]))
    assert (list(nobody["roles"]), list(nobody["services"]), nobody["verified_hours"]) == (
        [],
        [],
        0,
    )
