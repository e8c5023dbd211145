"""Demo activities in Xifeng (seed 003's 小哥 activities): a party lesson, a safety talk
and a free haircut coming up at the stations, and last week's training where two approved
workers attended and earned its points. Idempotent: keyed by title."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from areas.models import Area
from stations.models import Station

from . import services
from .models import Activity, ActivityKind

XIFENG = "621002"
UPCOMING = [
    (ActivityKind.PARTY_LESSON, "“小哥”微党课：把党课讲到驿站里", 2, 30),
    (ActivityKind.SAFETY_TALK, "电动车充电与交通安全宣讲", 4, None),
    (ActivityKind.FREE_HAIRCUT, "义剪进驿站", 6, 12),
]
PAST_TITLE = "新就业群体消防安全培训"


def load_demo_activities() -> None:
    from members.models import Worker

    staff = get_user_model().objects.get(username="district_xifeng")
    district = Area.objects.get(code=XIFENG.ljust(12, "0"))
    stations = list(
        Station.objects.filter(area__code__startswith=XIFENG).order_by("pk")[: len(UPCOMING) + 1]
    )
    today = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    for (kind, title, days, capacity), station in zip(UPCOMING, stations, strict=False):
        if Activity.objects.filter(title=title).exists():
            continue
        start = today + dt.timedelta(days=days)
        activity = services.activity_save(
            actor=staff,
            activity=Activity(
                kind=kind,
                title=title,
                area=station.area,
                station=station,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                capacity=capacity,
            ),
        )
        services.activity_publish(actor=staff, activity=activity)
    if Activity.objects.filter(title=PAST_TITLE).exists():
        return
    start = today - dt.timedelta(days=7)
    # Published and attended in the past: written directly (publishing refuses the past).
    past = Activity.objects.create(
        kind=ActivityKind.TRAINING,
        title=PAST_TITLE,
        area=district,
        station=stations[-1],
        location=stations[-1].location,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        status=Activity.Status.PUBLISHED,
        created_by=staff,
    )
    attended = Worker.objects.filter(
        area__code__startswith=XIFENG, status=Worker.Status.APPROVED
    ).order_by("pk")[:2]
    services.attendance_roll_call(actor=staff, activity=past, workers=list(attended))


def load_demo_volunteering() -> None:
    """One of Xifeng's approved workers is a part-time grid worker; the other reported an
    爱心送考 waiting for the district's verification."""
    from members.models import Worker

    from .models import RoleAppointment, VolunteerService

    staff = get_user_model().objects.get(username="district_xifeng")
    first, second = Worker.objects.filter(
        area__code__startswith=XIFENG, status=Worker.Status.APPROVED
    ).order_by("pk")[:2]
    if not RoleAppointment.objects.filter(worker=first).exists():
        services.role_appoint(
            actor=staff,
            worker=first,
            role=RoleAppointment.Role.GRID_WORKER,
            area=first.area,
            started_on=timezone.localdate() - dt.timedelta(days=30),
        )
    if not VolunteerService.objects.filter(worker=second, source="worker").exists():
        services.service_report(
            worker=second,
            kind=VolunteerService.Kind.EXAM_ESCORT,
            served_on=timezone.localdate() - dt.timedelta(days=2),
            hours="2",
            description="送考生到考点",
        )
