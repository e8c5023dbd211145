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
        "members.PartyOrg",
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
