"""Volunteer roles and services: appointments (one active per role), services reported by
workers and verified by staff, recorded by organisers, counted from activities; verified
hours earn points by the district's rule."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from activities import services
from activities.models import RoleAppointment, VolunteerService
from core.exceptions import ApplicationError
from members.tests.factories import WorkerFactory
from points.models import PointsAccount
from points.tests.factories import PointsRuleFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def worker(tree):
    return WorkerFactory(area=tree.a["community"])


@pytest.fixture
def hour_rule(tree):
    return PointsRuleFactory(area=tree.a["district"], event="volunteer_hour", points=2)


def balance(worker) -> int:
    account = PointsAccount.objects.filter(worker=worker).first()
    return account.balance if account else 0


def test_one_active_appointment_per_role_named_when_refused(trio, tree, worker):
    first = services.role_appoint(
        actor=trio.staff_a,
        worker=worker,
        role="grid_worker",
        area=tree.a["community"],
        started_on=TODAY(),
    )
    with pytest.raises(ApplicationError) as refused:
        services.role_appoint(
            actor=trio.staff_a,
            worker=worker,
            role="grid_worker",
            area=tree.a["community2"],
            started_on=TODAY(),
        )
    assert "role" in refused.value.fields and tree.a["community"].name in refused.value.message
    services.role_end(actor=trio.staff_a, appointment=first, on=TODAY())
    services.role_appoint(
        actor=trio.staff_a,
        worker=worker,
        role="grid_worker",
        area=tree.a["community2"],
        started_on=TODAY(),
    )
    assert RoleAppointment.objects.filter(ended_on__isnull=True).count() == 1


def test_appointments_follow_the_trio(trio, tree, worker):
    kwargs = {
        "worker": worker,
        "role": "volunteer",
        "area": tree.a["community"],
        "started_on": TODAY(),
    }
    with pytest.raises(PermissionDenied):
        services.role_appoint(actor=trio.viewer_a, **kwargs)
    with pytest.raises(Http404):
        services.role_appoint(actor=trio.staff_b, **kwargs)
    with pytest.raises(ApplicationError):
        services.role_appoint(
            actor=trio.staff_a, **{**kwargs, "started_on": TODAY() + dt.timedelta(days=2)}
        )
    assert not RoleAppointment.objects.exists()


def test_a_reported_service_earns_points_when_verified(trio, worker, hour_rule):
    key = uuid.uuid4()
    service, created = services.service_report(
        worker=worker,
        kind="exam_escort",
        served_on=TODAY(),
        hours="2.5",
        description="高考爱心送考",
        client_key=key,
    )
    again, created_again = services.service_report(
        worker=worker,
        kind="exam_escort",
        served_on=TODAY(),
        hours="2.5",
        description="高考爱心送考",
        client_key=key,
    )
    assert created and not created_again and again.pk == service.pk
    assert service.status == "reported" and balance(worker) == 0
    with pytest.raises(PermissionDenied):
        services.service_verify(actor=trio.viewer_a, service=service)
    with pytest.raises(Http404):
        services.service_verify(actor=trio.staff_b, service=service)
    services.service_verify(actor=trio.staff_a, service=service)
    assert balance(worker) == 5  # 2.5 h × 2
    with pytest.raises(ApplicationError, match="already"):
        services.service_verify(actor=trio.staff_a, service=service)
    assert balance(worker) == 5


def test_a_rejected_service_says_why_and_earns_nothing(trio, worker, hour_rule):
    service, _ = services.service_report(
        worker=worker, kind="errands", served_on=TODAY(), hours=1, description="帮老人买药"
    )
    with pytest.raises(ApplicationError):
        services.service_reject(actor=trio.staff_a, service=service, reason="")
    services.service_reject(actor=trio.staff_a, service=service, reason="未找到服务对象确认")
    service.refresh_from_db()
    assert service.status == "rejected" and service.reject_reason and balance(worker) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "13"}, "hours"),
        ({"hours": "两小时"}, "hours"),
        ({"served_on": "future"}, "served_on"),
        ({"served_on": "old"}, "served_on"),
        ({"kind": "activity"}, "kind"),
        ({"description": " "}, "description"),
    ],
)
def test_bad_reports_are_refused_by_their_field(worker, change, field):
    values = {"kind": "patrol", "served_on": TODAY(), "hours": "2", "description": "夜间巡逻"}
    values.update(change)
    if values["served_on"] == "future":
        values["served_on"] = TODAY() + dt.timedelta(days=1)
    elif values["served_on"] == "old":
        values["served_on"] = TODAY() - dt.timedelta(days=120)
    with pytest.raises(ApplicationError) as refused:
        services.service_report(worker=worker, **values)
    assert field in refused.value.fields
    assert not VolunteerService.objects.exists()


def test_the_organiser_records_a_verified_service(trio, tree, worker, hour_rule):
    service = services.service_record(
        actor=trio.staff_a,
        worker=worker,
        kind="publicity",
        area=tree.a["community"],
        served_on=TODAY(),
        hours=3,
        description="反诈宣传",
    )
    assert service.status == "verified" and service.decided_by == trio.staff_a
    assert balance(worker) == 6
    with pytest.raises(Http404):
        services.service_record(
            actor=trio.staff_b,
            worker=worker,
            kind="publicity",
            area=tree.a["community"],
            served_on=TODAY(),
            hours=3,
            description="x",
        )


def test_an_activity_counts_its_hours_for_those_who_attend(trio, tree, worker, hour_rule):
    now = timezone.now()
    activity = ActivityFactory(
        area=tree.a["community"],
        kind="volunteer",
        volunteer_hours=Decimal("2.0"),
        points=4,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=1),
    )
    signup = services.attend_by_qr(worker=worker, attendance_key=activity.attendance_key)
    counted = VolunteerService.objects.get(worker=worker, activity=activity)
    assert (counted.status, counted.hours, counted.source) == (
        "verified",
        Decimal("2.0"),
        "activity",
    )
    assert balance(worker) == 4  # the attendance's points, not the hours' as well
    services.attendance_revoke(actor=trio.staff_a, signup=signup, reason="代签到")
    counted.refresh_from_db()
    assert counted.status == "rejected" and balance(worker) == 0
    services.attendance_roll_call(actor=trio.staff_a, activity=activity, workers=[worker])
    counted.refresh_from_db()
    assert counted.status == "verified" and VolunteerService.objects.count() == 1
