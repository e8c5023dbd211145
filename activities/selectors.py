"""Reads of activities: scoped lists for staff, what a worker can sign up for, their own
sign-ups, and the monthly service list (暖新服务清单)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from areas import access
from areas.models import Area
from areas.selectors import offered_to

from .models import Activity, RoleAppointment, SignUp, VolunteerService

PLACES_TAKEN = Count(
    "signups", filter=Q(signups__status__in=[SignUp.Status.CONFIRMED, SignUp.Status.ATTENDED])
)
WAITING = Count("signups", filter=Q(signups__status=SignUp.Status.WAITLISTED))


def activity_list(*, user) -> QuerySet:
    return (
        access.scope(Activity.objects.all(), user)
        .select_related("area", "station", "party_org")
        .annotate(places_taken=PLACES_TAKEN, waiting=WAITING)
    )


def signup_list(*, user) -> QuerySet:
    return access.scope(SignUp.objects.all(), user).select_related(
        "activity", "worker", "worker__area"
    )


def open_for_worker(worker) -> QuerySet:
    """Published activities not yet over that the worker may join, soonest first, with
    the places taken and the worker's own sign-up status."""
    mine = SignUp.objects.filter(activity=OuterRef("pk"), worker=worker)
    return (
        Activity.objects.filter(status=Activity.Status.PUBLISHED, ends_at__gt=timezone.now())
        .filter(offered_to(worker.area))
        .filter(Q(audience=[]) | Q(audience__contains=[worker.occupation]))
        .select_related("station", "area")
        .annotate(places_taken=PLACES_TAKEN, signed_up=Exists(mine))
        .order_by("starts_at")
    )


def activity_for_worker(worker, activity_id) -> Activity | None:
    """The activity a worker may open on the phone: one published (or cancelled, so they
    read why) for their district or above it, or one they have signed up for. Another
    district's activity is not there for them."""
    mine = SignUp.objects.filter(activity=OuterRef("pk"), worker=worker)
    return (
        Activity.objects.select_related("station", "area")
        .exclude(status=Activity.Status.DRAFT)
        .filter(pk=activity_id)
        .filter(offered_to(worker.area) | Q(Exists(mine)))
        .first()
    )


def signups_of(worker) -> QuerySet:
    return (
        SignUp.objects.filter(worker=worker)
        .exclude(status=SignUp.Status.CANCELLED)
        .select_related("activity", "activity__station")
        .order_by("-activity__starts_at")
    )


def waiting_position(signup: SignUp) -> int:
    """1 for the first on the waiting list."""
    return (
        SignUp.objects.filter(
            activity_id=signup.activity_id,
            status=SignUp.Status.WAITLISTED,
            queued_at__lt=signup.queued_at,
        ).count()
        + 1
    )


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, month, 1))
    following = dt.datetime(year + (month == 12), month % 12 + 1, 1)
    return start, timezone.make_aware(following)


def service_list(*, area: Area, year: int, month: int) -> QuerySet:
    """暖新服务清单: the month's published activities organised in `area` or below,
    in date order (a public page: workers and the posters at the stations read it)."""
    start, end = month_bounds(year, month)
    return (
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED,
            area__code__startswith=area.prefix,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("station", "area")
        .order_by("starts_at")
    )


def without_attendance(*, user, days: int = 7) -> QuerySet:
    """Activities that started in the last `days` days and have no attendance recorded yet
    (the organiser's roll call is due): a work-queue item."""
    since = timezone.now() - dt.timedelta(days=days)
    attended = SignUp.objects.filter(activity=OuterRef("pk"), status=SignUp.Status.ATTENDED)
    return access.scope(
        Activity.objects.filter(
            status=Activity.Status.PUBLISHED, starts_at__gte=since, starts_at__lte=timezone.now()
        ),
        user,
        access.Purpose.WRITE,
    ).exclude(Exists(attended))


# Volunteer roles and services --------------------------------------------------------------


def appointment_list(*, user) -> QuerySet:
    return access.scope(RoleAppointment.objects.all(), user).select_related(
        "worker", "area", "appointed_by"
    )


def service_list_for_staff(*, user) -> QuerySet:
    return access.scope(VolunteerService.objects.all(), user).select_related(
        "worker", "area", "activity", "decided_by"
    )


def services_to_verify(*, user) -> QuerySet:
    return access.scope(
        VolunteerService.objects.filter(status=VolunteerService.Status.REPORTED),
        user,
        access.Purpose.WRITE,
    )


def volunteering_of(worker) -> dict:
    """The worker's roles, services and verified hours (/m/volunteer/)."""
    services = VolunteerService.objects.filter(worker=worker).select_related("activity")
    verified = services.filter(status=VolunteerService.Status.VERIFIED)
    return {
        "roles": RoleAppointment.objects.filter(
            worker=worker, ended_on__isnull=True
        ).select_related("area"),
        "services": services.order_by("-served_on", "-pk")[:30],
        "verified_hours": verified.aggregate(total=Sum("hours"))["total"] or 0,
    }
