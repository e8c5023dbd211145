"""Activities (活动): what a district's stations and party organisations put on for workers
— party lessons, training, free clinics, the 小哥议事会 — with sign-ups, a waiting list and
attendance (by the activity's QR code at the venue, or the organiser's roll call).
Attending earns points (points.services) by the district's rules.
"""

import secrets

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel
from members.models import Occupation


class ActivityKind(models.TextChoices):
    PARTY_LESSON = "party_lesson", _("Party lesson (党课)")
    THEMED_PARTY_DAY = "party_day", _("Themed party day (主题党日)")
    TRAINING = "training", _("Training")
    SKILLS_TRAINING = "skills", _("Skills training")
    FIRST_AID = "first_aid", _("First aid and health")
    FREE_CLINIC = "free_clinic", _("Free clinic (义诊)")
    FREE_HAIRCUT = "haircut", _("Free haircut")
    COUNSELLING = "counselling", _("Counselling")
    LEGAL_AID = "legal_aid", _("Legal aid")
    SAFETY_TALK = "safety_talk", _("Safety or anti-fraud talk")
    FESTIVAL = "festival", _("Festival event")
    COUNCIL = "council", _("Workers' council (小哥议事会)")
    VOLUNTEER_SERVICE = "volunteer", _("Volunteer service")
    CHILD_CARE = "child_care", _("Child care")
    OTHER = "other", _("Other")


def new_attendance_key() -> str:
    return secrets.token_urlsafe(12)


class Activity(TimeStampedModel):
    """One activity: who organises it (an area, and perhaps a party organisation), where (a
    station, or an address with its location), when, for how many and whom, and what it
    earns (points and volunteer hours) for those who attend."""

    scope_area_path = "area"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("type"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("organised by (area)"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("organised by (party organisation)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("venue: a station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    address = models.CharField(
        _("venue: address"), max_length=200, blank=True, help_text=_("When not at a station.")
    )
    location = gis_models.PointField(
        _("venue: location"), srid=4326, geography=True, null=True, blank=True
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
        validators=[MinValueValidator(1, _("An activity has at least one place (or no limit)."))],
    )
    audience = ArrayField(
        models.CharField(max_length=20, choices=Occupation.choices),
        verbose_name=_("for occupations"),
        default=list,
        blank=True,
        help_text=_("Empty: open to every worker."),
    )
    points = models.PositiveIntegerField(
        _("points for attending"),
        null=True,
        blank=True,
        help_text=_("Empty: the district's rule for this type of activity."),
    )
    volunteer_hours = models.DecimalField(
        _("volunteer hours for attending"), max_digits=4, decimal_places=1, default=0
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Behind the QR code shown at the venue: scanning it during the activity records
    # attendance (services.attend_by_qr).
    attendance_key = models.CharField(
        max_length=32, unique=True, default=new_attendance_key, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["status", "starts_at"], name="activity_status_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="activities_activity_ends_after_it_starts",
                violation_error_message=_("An activity ends after it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(station__isnull=False) | ~models.Q(address=""),
                name="activities_activity_has_a_venue",
                violation_error_message=_("Give the venue: a station or an address."),
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="activities_activity_capacity_at_least_one",
                violation_error_message=_("An activity has at least one place (or no limit)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def venue(self) -> str:
        return str(self.station) if self.station_id else self.address

    venue.fget.short_description = _("venue")  # its column heading in the admin


class SignUp(TimeStampedModel):
    """A worker's place at an activity (报名): confirmed or on the waiting list, then
    attended or a no-show. One per worker and activity; cancelling and signing up again
    reuses it (joining the end of the queue)."""

    scope_area_path = "activity__area"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    class AttendanceSource(models.TextChoices):
        QR = "qr", _("Scanned the activity's QR code")
        ROLL_CALL = "roll_call", _("Organiser's roll call")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="signups"
    )
    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="signups",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    # The queue order: when the worker (last) asked for a place.
    queued_at = models.DateTimeField(_("signed up at"))
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    attendance_source = models.CharField(
        _("attendance recorded by"), max_length=10, choices=AttendanceSource.choices, blank=True
    )
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance recorded by (staff)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_reason = models.CharField(_("attendance revoked because"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity", "queued_at"]
        indexes = [
            models.Index(fields=["activity", "status", "queued_at"], name="signup_queue_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "worker"],
                name="activities_signup_once_per_worker",
                # Checked at the end of each statement, not row by row: merging two records
                # of one person swaps two sign-ups between them in one UPDATE.
                deferrable=models.Deferrable.IMMEDIATE,
                violation_error_message=_("This worker has already signed up for this activity."),
            ),
            models.CheckConstraint(
                condition=(models.Q(status="attended") & models.Q(attended_at__isnull=False))
                | (~models.Q(status="attended") & models.Q(attended_at__isnull=True)),
                name="activities_signup_attended_has_a_time",
                violation_error_message=_("An attendance has its time, and only an attendance."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.activity}"


# Volunteer roles and services ------------------------------------------------------------


class RoleAppointment(TimeStampedModel):
    """A worker appointed to a role in an area (聘任): part-time grid worker, supervisor,
    volunteer, red propagandist, safety-publicity volunteer — with the dates it runs."""

    scope_area_path = "area"

    class Role(models.TextChoices):
        GRID_WORKER = "grid_worker", _("Part-time grid worker (兼职网格员)")
        SUPERVISOR = "supervisor", _("Social or food-safety supervisor (监督员)")
        VOLUNTEER = "volunteer", _("Volunteer (志愿者)")
        RED_PROPAGANDIST = "propagandist", _("Red propagandist (红色宣讲员)")
        SAFETY_PUBLICITY = "safety", _("Safety-publicity volunteer (安全宣传志愿者)")

    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="role_appointments",
    )
    role = models.CharField(_("role"), max_length=14, choices=Role.choices)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="role_appointments"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("role appointment")
        verbose_name_plural = _("role appointments")
        ordering = ["area__code", "role", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "role"],
                condition=models.Q(ended_on__isnull=True),
                name="activities_roleappointment_one_active_per_role",
                violation_error_message=_("This worker already holds this role."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="activities_roleappointment_ends_after_it_starts",
                violation_error_message=_("An appointment cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_role_display()}"


class VolunteerService(TimeStampedModel):
    """Volunteer service a worker gave (爱心送考, 爱心跑腿, a safety patrol…), with its hours:
    reported by the worker and verified by staff, recorded by the organiser, or counted
    from an activity attended. Verified hours earn points by the district's rule."""

    scope_area_path = "area"

    class Kind(models.TextChoices):
        EXAM_ESCORT = "exam_escort", _("Exam escort (爱心送考)")
        ERRANDS = "errands", _("Errands for those in need (爱心跑腿)")
        SAFETY_PATROL = "patrol", _("Safety patrol")
        PUBLICITY = "publicity", _("Publicity")
        ACTIVITY = "activity", _("Volunteer activity")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not accepted")

    class Source(models.TextChoices):
        WORKER = "worker", _("Reported by the worker")
        ORGANISER = "organiser", _("Recorded by the organiser")
        ACTIVITY = "activity", _("Activity attended")

    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="volunteer_services",
    )
    kind = models.CharField(_("service"), max_length=12, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("community served"),
        on_delete=models.PROTECT,
        related_name="volunteer_services",
    )
    served_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    description = models.CharField(_("what was done"), max_length=300)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_services",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason not accepted"), max_length=200, blank=True)
    # Made by the report form: a double-tapped button reports once.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("volunteer service")
        verbose_name_plural = _("volunteer services")
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["status", "area"], name="volunteer_status_area_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=24),
                name="activities_volunteerservice_hours_in_a_day",
                violation_error_message=_("Hours are more than 0 and at most 24 for one day."),
            ),
            models.UniqueConstraint(
                fields=["worker", "activity"],
                condition=models.Q(activity__isnull=False),
                name="activities_volunteerservice_once_per_activity",
                violation_error_message=_("This activity's hours are already counted."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.get_kind_display()} · {self.hours}h"
