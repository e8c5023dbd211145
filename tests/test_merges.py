"""Merging two records of one person moves everything that hangs off the duplicate, in
every app (members.merge), and what happens to those rows afterwards lands where the
worker now sees it: the kept record."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from activities import services as activities
from activities.models import SignUp
from activities.tests.factories import ActivityFactory
from core.exceptions import ApplicationError
from members import services as members
from members.models import Worker
from members.tests.factories import WorkerFactory
from points import services as points
from points.models import PointsAccount, PointsEntry, Redemption, Reward
from stations import services as stations
from stations.models import CheckIn

pytestmark = pytest.mark.django_db


def balance(worker) -> int:
    account = PointsAccount.objects.filter(worker=worker).first()
    return account.balance if account else 0


def ledger_sums_to_balances():
    for account in PointsAccount.objects.all():
        total = account.entries.aggregate(s=Sum("amount"))["s"] or 0
        assert account.balance == total, account


@pytest.fixture
def two_records(tree):
    community = tree.a["community"]
    return WorkerFactory(area=community, name="王一"), WorkerFactory(area=community, name="王一")


def test_points_given_to_a_duplicate_follow_the_person(trio, two_records):
    kept, duplicate = two_records
    points.points_award(
        worker=duplicate, points=30, source="staff", source_id="paper-1", reason="纸质台账积分补录"
    )
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert (balance(kept), balance(duplicate)) == (30, 0)
    transfers = PointsEntry.objects.filter(kind=PointsEntry.Kind.TRANSFER)
    assert sorted(transfers.values_list("amount", flat=True)) == [-30, 30]
    ledger_sums_to_balances()
    # Points for the old record's events now post on the kept record.
    points.points_award(
        worker=duplicate, points=5, source="staff", source_id="paper-2", reason="补录"
    )
    assert (balance(kept), balance(duplicate)) == (35, 0)


def test_an_attendance_taken_back_and_a_redemption_cancelled_after_a_merge(
    trio, two_records, station_a
):
    kept, duplicate = two_records
    community = trio.tree.a["community"]
    now = timezone.now()
    activity = ActivityFactory(
        area=community,
        points=20,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    signup = activities.attend_by_qr(worker=duplicate, attendance_key=activity.attendance_key)
    today = timezone.localdate()
    reward = Reward.objects.create(
        area=community,
        name="保温杯",
        points_price=8,
        stock=2,
        sponsor="邮政工会",
        valid_from=today,
        valid_until=today + dt.timedelta(days=7),
    )
    reward.pickup_stations.add(station_a)
    redemption, _created = points.redeem(worker=duplicate, reward=reward, station=station_a)
    assert balance(duplicate) == 12

    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert (balance(kept), balance(duplicate)) == (12, 0)
    signup.refresh_from_db()
    redemption.refresh_from_db()
    assert signup.worker == kept and redemption.worker == kept

    points.redemption_cancel(redemption=redemption, worker=kept)
    assert balance(kept) == 20  # the 8 held come back where the worker sees them
    activities.attendance_revoke(actor=trio.staff_a, signup=signup, reason="代签")
    assert (balance(kept), balance(duplicate)) == (0, 0)
    ledger_sums_to_balances()


def test_records_of_two_districts_merge_only_for_staff_who_reach_both(trio, tree):
    kept = WorkerFactory(area=tree.a["community"])
    duplicate = WorkerFactory(area=tree.b["community"])
    with pytest.raises(Http404):  # the record out of reach is not found
        members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert Worker.objects.get(pk=duplicate.pk).status != Worker.Status.MERGED
    members.worker_merge(actor=trio.city, duplicate=duplicate, kept=kept)
    assert Worker.objects.get(pk=duplicate.pk).merged_into == kept


def test_a_record_merged_earlier_leads_to_the_newest_kept_record(trio, tree):
    community = tree.a["community"]
    first, second, third = (WorkerFactory(area=community) for _ in range(3))
    members.worker_merge(actor=trio.staff_a, duplicate=first, kept=second)
    members.worker_merge(actor=trio.staff_a, duplicate=second, kept=third)
    assert Worker.objects.get(pk=first.pk).merged_into == third
    points.points_award(worker=first, points=3, source="staff", source_id="x", reason="补录")
    assert balance(third) == 3


# Check-ins --------------------------------------------------------------------------------


def test_check_ins_follow_the_person_and_one_visit_stays_one(trio, two_records, station_a):
    kept, duplicate = two_records
    at = timezone.now() - dt.timedelta(days=1)

    def visit(worker, when, services, distance=None):
        return CheckIn.objects.create(
            station=station_a,
            worker=worker,
            at=when,
            services=services,
            distance_m=distance,
            source=CheckIn.Source.PHONE,
        )

    visit(kept, at, ["water"])
    visit(duplicate, at + dt.timedelta(minutes=10), ["rest", "water"], distance=200)
    visit(duplicate, at + dt.timedelta(hours=3), ["phone"])
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert not CheckIn.objects.filter(worker=duplicate).exists()
    visits = list(CheckIn.objects.filter(worker=kept).order_by("at"))
    assert [(v.services, v.distance_m) for v in visits] == [
        (["water", "rest"], 200),
        (["phone"], None),
    ]


def test_a_check_in_after_a_merge_counts_the_same_visit_once(trio, two_records, station_a):
    kept, duplicate = two_records
    stations.check_in(worker=duplicate, station=station_a, services=["water"])
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    _check_in, created = stations.check_in(worker=kept, station=station_a, services=["rest"])
    assert not created
    assert CheckIn.objects.get().services == ["water", "rest"]


# Sign-ups, roles, volunteering ------------------------------------------------------------


def test_of_two_sign_ups_for_one_activity_the_one_further_along_stays(trio, two_records):
    kept, duplicate = two_records
    community = trio.tree.a["community"]
    now = timezone.now()
    activity = ActivityFactory(
        area=community,
        points=10,
        capacity=1,
        volunteer_hours=2,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    later = ActivityFactory(area=community, capacity=1)
    activities.signup_join(worker=kept, activity=later)  # the place
    waiting = activities.signup_join(worker=duplicate, activity=later)
    other = WorkerFactory(area=community)
    queued = activities.signup_join(worker=other, activity=later)
    assert (waiting.status, queued.status) == ("waitlisted", "waitlisted")
    attended = activities.attend_by_qr(worker=duplicate, attendance_key=activity.attendance_key)
    SignUp.objects.create(activity=activity, worker=kept, status="no_show", queued_at=now)

    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    attended.refresh_from_db()
    assert (attended.worker, attended.status) == (kept, "attended")
    assert SignUp.objects.get(activity=activity, worker=duplicate).status == "no_show"
    # The kept record's place stays; the duplicate's waiting-list entry is set aside.
    assert SignUp.objects.get(activity=later, worker=kept).status == "confirmed"
    assert SignUp.objects.get(activity=later, worker=duplicate).status == "cancelled"
    assert kept.volunteer_services.get().activity == activity
    assert balance(kept) == 10


def test_an_attendance_counted_on_both_records_counts_once(trio, two_records):
    kept, duplicate = two_records
    now = timezone.now()
    activity = ActivityFactory(
        area=trio.tree.a["community"],
        points=10,
        volunteer_hours=2,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    for worker in (kept, duplicate):
        activities.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert balance(kept) == 10 and balance(duplicate) == 0
    assert kept.volunteer_services.get().status == "verified"
    assert duplicate.volunteer_services.get().status == "rejected"
    ledger_sums_to_balances()


def test_both_records_holding_the_same_role_is_refused_and_changes_nothing(trio, two_records):
    kept, duplicate = two_records
    community = trio.tree.a["community"]
    today = timezone.localdate()
    for worker in (kept, duplicate):
        activities.role_appoint(
            actor=trio.staff_a, worker=worker, role="volunteer", area=community, started_on=today
        )
    points.points_award(worker=duplicate, points=5, source="staff", source_id="s", reason="补录")
    with pytest.raises(ApplicationError, match="Both records are"):
        members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert Worker.objects.get(pk=duplicate.pk).status != Worker.Status.MERGED
    assert balance(duplicate) == 5 and duplicate.role_appointments.count() == 1


def test_roles_and_services_of_the_duplicate_move(trio, two_records):
    kept, duplicate = two_records
    community = trio.tree.a["community"]
    today = timezone.localdate()
    activities.role_appoint(
        actor=trio.staff_a, worker=kept, role="volunteer", area=community, started_on=today
    )
    activities.role_appoint(
        actor=trio.staff_a, worker=duplicate, role="grid_worker", area=community, started_on=today
    )
    activities.service_record(
        actor=trio.staff_a,
        worker=duplicate,
        kind="errands",
        area=community,
        served_on=today,
        hours="1.5",
        description="爱心跑腿",
    )
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    assert sorted(kept.role_appointments.values_list("role", flat=True)) == [
        "grid_worker",
        "volunteer",
    ]
    assert kept.volunteer_services.count() == 1 and not duplicate.volunteer_services.exists()


def test_a_redemption_moves_with_the_person(trio, two_records, station_a, keeper_a):
    kept, duplicate = two_records
    community = trio.tree.a["community"]
    points.points_award(worker=duplicate, points=10, source="staff", source_id="s", reason="补录")
    today = timezone.localdate()
    reward = Reward.objects.create(
        area=community,
        name="雨衣",
        points_price=10,
        stock=1,
        sponsor="邮政工会",
        valid_from=today,
        valid_until=today,
    )
    reward.pickup_stations.add(station_a)
    redemption, _ = points.redeem(worker=duplicate, reward=reward, station=station_a)
    members.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=kept)
    handed = points.hand_over(actor=keeper_a, pickup_code=redemption.pickup_code)
    assert handed.worker == kept and handed.status == Redemption.Status.HANDED_OVER
