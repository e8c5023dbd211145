"""Activities: organising, sign-up with a waiting list and promotion, attendance by QR
window and roll call, the points it earns and their reversal, no-shows."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from activities import services
from activities.models import Activity, SignUp
from core.exceptions import ApplicationError
from members.tests.factories import WorkerFactory
from points.models import PointsAccount
from points.tests.factories import PointsRuleFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(tree):
    return tree.a["community"]


def workers(community, n):
    return [WorkerFactory(area=community) for _ in range(n)]


def balance(worker) -> int:
    account = PointsAccount.objects.filter(worker=worker).first()
    return account.balance if account else 0


def happening_now(**kw):
    now = timezone.now()
    return ActivityFactory(
        starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=1), **kw
    )


# Organising -------------------------------------------------------------------------------


def test_staff_organise_in_their_area_only(trio, community, station_a):
    start = timezone.now() + dt.timedelta(days=2)
    activity = Activity(
        kind="training",
        title=" 电动车安全培训 ",
        area=community,
        station=station_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    saved = services.activity_save(actor=trio.staff_a, activity=activity)
    assert saved.title == "电动车安全培训" and saved.location == station_a.location
    assert saved.status == Activity.Status.DRAFT and saved.created_by == trio.staff_a
    other = Activity(
        kind="training",
        title="x",
        area=community,
        address="某地",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    with pytest.raises(PermissionDenied):
        services.activity_save(actor=trio.viewer_a, activity=other)
    with pytest.raises(Http404):
        services.activity_save(actor=trio.staff_b, activity=other)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"address": "", "station": None}, "address"),
        ({"ends_at_offset": -1}, "ends_at"),
        ({"capacity": 0}, "capacity"),
    ],
)
def test_bad_activities_are_refused_by_their_field(trio, community, change, field):
    start = timezone.now() + dt.timedelta(days=2)
    values = {
        "kind": "training",
        "title": "培训",
        "area": community,
        "address": "某地",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
    }
    offset = change.pop("ends_at_offset", None)
    values.update(change)
    if offset is not None:
        values["ends_at"] = start + dt.timedelta(hours=offset)
    with pytest.raises(ApplicationError) as refused:
        services.activity_save(actor=trio.staff_a, activity=Activity(**values))
    assert field in refused.value.fields
    assert not Activity.objects.exists()


def test_naming_a_party_organisation_takes_party_access(trio, community):
    from party.tests.factories import PartyOrgFactory

    org = PartyOrgFactory(area=community)
    start = timezone.now() + dt.timedelta(days=2)
    activity = Activity(
        kind="party_lesson",
        title="党课",
        area=community,
        address="党群服务中心",
        party_org=org,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    with pytest.raises(Http404):  # staff_a has no party-affairs flag
        services.activity_save(actor=trio.staff_a, activity=activity)


def test_publishing_and_cancelling(trio, community):
    activity = ActivityFactory(area=community, status=Activity.Status.DRAFT)
    services.activity_publish(actor=trio.staff_a, activity=activity)
    worker = WorkerFactory(area=community)
    signup = services.signup_join(worker=worker, activity=activity)
    with pytest.raises(PermissionDenied):
        services.activity_cancel(actor=trio.viewer_a, activity=activity)
    services.activity_cancel(actor=trio.staff_a, activity=activity)
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED
    with pytest.raises(ApplicationError, match="not open"):
        services.signup_join(worker=worker, activity=activity)


# Sign-ups ---------------------------------------------------------------------------------


def test_a_full_activity_puts_the_next_on_the_waiting_list_and_promotes_on_cancel(community):
    activity = ActivityFactory(area=community, capacity=2)
    one, two, three, four = workers(community, 4)
    statuses = [
        services.signup_join(worker=w, activity=activity).status for w in (one, two, three, four)
    ]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    first = SignUp.objects.get(worker=one)
    services.signup_cancel(worker=one, signup=first)
    assert SignUp.objects.get(worker=three).status == "confirmed"  # first in the queue
    assert SignUp.objects.get(worker=four).status == "waitlisted"
    # Signing up again joins the end of the queue.
    again = services.signup_join(worker=one, activity=activity)
    assert again.pk == first.pk and again.status == "waitlisted"


def test_signing_up_twice_is_the_same_sign_up(community):
    activity = ActivityFactory(area=community)
    worker = WorkerFactory(area=community)
    assert (
        services.signup_join(worker=worker, activity=activity).pk
        == services.signup_join(worker=worker, activity=activity).pk
    )
    assert SignUp.objects.count() == 1


def test_sign_up_refusals(community):
    worker = WorkerFactory(area=community, occupation="courier")
    for activity, words in [
        (ActivityFactory(area=community, status=Activity.Status.DRAFT), "not open"),
        (happening_now(area=community), "already started"),
        (ActivityFactory(area=community, audience=["ride_hail"]), "other occupations"),
    ]:
        with pytest.raises(ApplicationError, match=words):
            services.signup_join(worker=worker, activity=activity)
    assert not SignUp.objects.exists()


def test_cancelling_someone_elses_or_a_started_sign_up_is_refused(community):
    activity = ActivityFactory(area=community)
    mine, theirs = workers(community, 2)
    signup = services.signup_join(worker=mine, activity=activity)
    with pytest.raises(ApplicationError, match="not your"):
        services.signup_cancel(worker=theirs, signup=signup)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError, match="too late"):
        services.signup_cancel(worker=mine, signup=signup)
    signup.refresh_from_db()
    assert signup.status == "confirmed"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_never_overfill(tree):
    """12 workers ask at once for 5 places (separate connections): 5 confirmed, 7 waiting."""
    community = tree.a["community"]
    activity = ActivityFactory(area=community, capacity=5)
    people = workers(community, 12)
    barrier = threading.Barrier(12)
    errors = []

    def join(worker):
        try:
            barrier.wait()
            services.signup_join(worker=worker, activity=activity)
        except Exception as error:  # pragma: no cover - shown below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(w,)) for w in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    counts = {s: SignUp.objects.filter(status=s).count() for s in ("confirmed", "waitlisted")}
    assert counts == {"confirmed": 5, "waitlisted": 7}


# Attendance and points -------------------------------------------------------------------


def test_scanning_the_qr_in_its_window_attends_once_and_earns_the_rule_points(trio, community):
    PointsRuleFactory(
        area=trio.tree.a["district"], event="attendance", activity_kind="training", points=5
    )
    activity = happening_now(area=community)
    worker = WorkerFactory(area=community)
    signup = services.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    again = services.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    assert signup.status == "attended" and again.pk == signup.pk  # a walk-in, once
    assert balance(worker) == 5


def test_the_qr_outside_its_window_is_refused(community):
    worker = WorkerFactory(area=community)
    later = ActivityFactory(area=community)  # tomorrow
    with pytest.raises(ApplicationError, match="records attendance from"):
        services.attend_by_qr(worker=worker, attendance_key=later.attendance_key)
    with pytest.raises(ApplicationError, match="not valid"):
        services.attend_by_qr(worker=worker, attendance_key="nonsense")
    assert not SignUp.objects.exists()


def test_a_full_activity_takes_no_walk_ins_by_qr(community):
    activity = happening_now(area=community, capacity=1)
    first, walk_in = workers(community, 2)
    SignUp.objects.create(
        activity=activity, worker=first, status="confirmed", queued_at=timezone.now()
    )
    with pytest.raises(ApplicationError, match="full"):
        services.attend_by_qr(worker=walk_in, attendance_key=activity.attendance_key)
    assert (
        services.attend_by_qr(worker=first, attendance_key=activity.attendance_key).status
        == "attended"
    )


def test_the_activitys_own_points_win_over_the_rule(trio, community):
    PointsRuleFactory(
        area=trio.tree.a["district"], event="attendance", activity_kind="training", points=5
    )
    activity = happening_now(area=community, points=12)
    worker = WorkerFactory(area=community)
    services.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    assert balance(worker) == 12


def test_roll_call_and_revocation_reverse_the_points(trio, community):
    activity = happening_now(area=community, points=10)
    came, walked_in = workers(community, 2)
    with pytest.raises(PermissionDenied):
        services.attendance_roll_call(actor=trio.viewer_a, activity=activity, workers=[came])
    with pytest.raises(Http404):
        services.attendance_roll_call(actor=trio.staff_b, activity=activity, workers=[came])
    marked = services.attendance_roll_call(
        actor=trio.staff_a, activity=activity, workers=[came, walked_in]
    )
    assert {s.attendance_source for s in marked} == {"roll_call"}
    assert balance(came) == balance(walked_in) == 10
    signup = SignUp.objects.get(worker=came)
    with pytest.raises(ApplicationError):
        services.attendance_revoke(actor=trio.staff_a, signup=signup, reason=" ")
    services.attendance_revoke(actor=trio.staff_a, signup=signup, reason="代签到")
    signup.refresh_from_db()
    assert signup.status == "no_show" and balance(came) == 0
    # Recorded again later (it was a mistake to revoke): earns again, once.
    services.attendance_roll_call(actor=trio.staff_a, activity=activity, workers=[came, came])
    assert balance(came) == 10


def test_the_roll_call_waits_for_the_activity(trio, community):
    activity = ActivityFactory(area=community)  # tomorrow
    with pytest.raises(ApplicationError, match="not started"):
        services.attendance_roll_call(
            actor=trio.staff_a, activity=activity, workers=workers(community, 1)
        )


def test_confirmed_places_nobody_used_become_no_shows_once(community):
    now = timezone.now()
    over = ActivityFactory(
        area=community, starts_at=now - dt.timedelta(hours=5), ends_at=now - dt.timedelta(hours=3)
    )
    came, stayed_away = workers(community, 2)
    SignUp.objects.create(
        activity=over, worker=came, status="attended", attended_at=now, queued_at=now
    )
    SignUp.objects.create(activity=over, worker=stayed_away, status="confirmed", queued_at=now)
    assert services.no_shows_mark() == 1
    assert services.no_shows_mark() == 0
    assert SignUp.objects.get(worker=stayed_away).status == "no_show"
    assert SignUp.objects.get(worker=came).status == "attended"


def test_joining_another_districts_activity_is_refused_in_words(tree):
    worker = WorkerFactory(area=tree.a["community"])
    theirs = ActivityFactory(area=tree.b["community"])
    with pytest.raises(ApplicationError, match="another district"):
        services.signup_join(worker=worker, activity=theirs)
    assert not SignUp.objects.exists()
    city_wide = ActivityFactory(area=tree.city)
    assert services.signup_join(worker=worker, activity=city_wide).status == "confirmed"
