"""Stations (驿站 / 港湾), their facilities, opening hours, photos, the 六有 standard and the
keys behind their QR posters."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel


def new_poster_key() -> str:
    return secrets.token_urlsafe(12)


class Brand(TimeStampedModel):
    """A station brand: 暖峰港湾, 暖新驿站, 爱心驿站… A catalogue row, so a new brand needs
    no code change."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    is_partner_merchant = models.BooleanField(
        _("partner merchant"), default=False, help_text=_("暖新商家 / 友好商户")
    )

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Facility(TimeStampedModel):
    """The facility catalogue: drinking water, meal heater, e-bike charging…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    icon = models.CharField(_("icon"), max_length=8, blank=True, help_text=_("An emoji."))
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Station(TimeStampedModel):
    scope_area_path = "area"
    scope_object_paths = {"stations.station": "pk"}  # a keeper's grant names stations

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TEMPORARILY_CLOSED = "paused", _("Temporarily closed")
        CLOSED = "closed", _("Closed")

    class HostKind(models.TextChoices):
        COMMUNITY_CENTRE = "community", _("Community party-mass service centre")
        PROPERTY_COMPANY = "property", _("Property-management company")
        MERCHANT = "merchant", _("Merchant")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    brand = models.ForeignKey(Brand, verbose_name=_("brand"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="stations",
        limit_choices_to={"level__in": [Area.Level.COMMUNITY, Area.Level.STREET]},
    )
    address = models.CharField(_("address"), max_length=200)
    # Stored in WGS-84 as geography: distances and radius filters come out in metres and
    # the KNN operator (<->) orders by true distance on the spatial index.
    location = gis_models.PointField(_("location"), srid=4326, geography=True)
    host_kind = models.CharField(
        _("host organisation type"),
        max_length=12,
        choices=HostKind.choices,
        default=HostKind.COMMUNITY_CENTRE,
    )
    host_name = models.CharField(_("host organisation"), max_length=100, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9+\- ]{5,20}$", _("Enter a phone number: digits, + and - only."))
        ],
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    always_open = models.BooleanField(_("open 24 hours"), default=False)
    capacity = models.PositiveSmallIntegerField(_("seats"), default=0)
    description = models.TextField(_("description"), blank=True)
    facilities = models.ManyToManyField(
        Facility, through="StationFacility", verbose_name=_("facilities"), related_name="stations"
    )
    # Derived, kept by services: search by pinyin initials (暖峰港湾 → nfgw).
    name_initials = models.CharField(
        _("pinyin initials"), max_length=100, blank=True, editable=False
    )
    # Derived from the latest inspection against the district's 六有 standard.
    compliant = models.BooleanField(_("meets the standard"), null=True, editable=False)
    last_inspected_on = models.DateField(_("last inspected"), null=True, editable=False)
    poster_key = models.CharField(
        max_length=32, unique=True, default=new_poster_key, editable=False
    )

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["area__code", "name"]
        indexes = [
            models.Index(fields=["status"], name="stations_station_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="stations_station_unique_name_per_area",
                violation_error_message=_("This community already has a station with this name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def keepers(self):
        """The station's keepers (站长) are the users whose keeper grant names it: one
        record says both who keeps a station and what they may reach."""
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(
                grants__role="keeper",
                grants__granted_objects__kind="stations.station",
                grants__granted_objects__object_id=self.pk,
            )
            .distinct()
        )

    @property
    def lng(self) -> float:
        return self.location.x

    @property
    def lat(self) -> float:
        return self.location.y


class StationFacility(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="station_facilities"
    )
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT)
    available = models.BooleanField(_("available"), default=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("station facility")
        verbose_name_plural = _("station facilities")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "facility"],
                name="stations_stationfacility_unique",
                violation_error_message=_("This facility is already listed for the station."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility}"


class OpeningPeriod(models.Model):
    """One weekly opening period. `closes` at or before `opens` runs past midnight into the
    next day (a 20:00–02:00 night shift)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening period")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        indexes = [
            models.Index(fields=["weekday", "opens", "closes"], name="stations_period_lookup_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(opens=models.F("closes")),
                name="stations_openingperiod_not_empty",
                violation_error_message=_("Opening and closing time cannot be the same."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A dated exception (holiday, repairs, special hours). It replaces that day's weekly
    periods: closed all day, or open only from `opens` to `closes`."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="opening_exceptions"
    )
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=True)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "date"],
                name="stations_openingexception_one_per_day",
                violation_error_message=_("This date already has an exception."),
            ),
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="stations_openingexception_hours_given",
                violation_error_message=_(
                    "Give the opening and closing time, or tick “closed all day”."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}"


def station_photo_path(instance, filename):
    return f"stations/{instance.station_id}/{secrets.token_hex(8)}.jpg"


class StationPhoto(TimeStampedModel):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("image"), upload_to=station_photo_path)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Standard(TimeStampedModel):
    """A district's station standard, e.g. Chanhe's 六有 (six haves)."""

    scope_area_path = "area"

    area = models.ForeignKey(
        Area,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="standards",
        limit_choices_to={"level": Area.Level.DISTRICT},
    )
    name = models.CharField(_("name"), max_length=50, default="六有")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("standard (六有)")
        verbose_name_plural = _("standards (六有)")
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(active=True),
                name="stations_standard_one_active_per_area",
                violation_error_message=_("This district already has an active standard."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.name}"


class StandardItem(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("requirement"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Inspection(TimeStampedModel):
    """One check of a station against its district's standard."""

    scope_area_path = "station__area"
    scope_object_paths = {"stations.station": "station"}

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="inspections"
    )
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT)
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    items_met = models.ManyToManyField(
        StandardItem, verbose_name=_("requirements met"), blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    compliant = models.BooleanField(_("meets the standard"), editable=False, default=False)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return f"{self.station} · {self.inspected_on}"


class RetiredPosterKey(models.Model):
    """A poster key that was rotated out: the old poster still leads somewhere friendly."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="retired_keys")
    key = models.CharField(max_length=32, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retired poster key")
        verbose_name_plural = _("retired poster keys")

    def __str__(self) -> str:
        return f"{self.station} · {self.retired_at:%Y-%m-%d}"


# The check-in limits, each said once: the model's check constraints below, the service
# (stations.services.check_in, visitors_record) and the database function stations_check_in
# (as its parameters) all take them from here.
#
# Taps at the same station within this window are one visit: a second tap (a double tap, a
# retry on a weak signal, a queued offline copy arriving) adds its services to the first.
CHECK_IN_WINDOW = dt.timedelta(minutes=30)
# A check-in from further away than this is flagged far away.
FAR_AWAY_M = 1000
# Only the distance to the station is kept, rounded to this step.
DISTANCE_STEP_M = 100
# The most visitors a keeper records in one count.
MAX_VISITORS_AT_ONCE = 500


class CheckIn(models.Model):
    """签到: a worker's visit to a station, or a count of visitors the keeper recorded.

    No raw location is kept (DESIGN rule 6): when the phone shared one, only its distance
    to the station rounded to DISTANCE_STEP_M, and a flag when that is over FAR_AWAY_M.
    Repeated taps within CHECK_IN_WINDOW at the same station are one check-in
    (services.check_in).
    """

    scope_area_path = "station__area"
    scope_object_paths = {"stations.station": "station"}

    class Service(models.TextChoices):
        WATER = "water", _("Drinking water")
        REST = "rest", _("A rest")
        PHONE_CHARGING = "phone", _("Phone charging")
        EBIKE_CHARGING = "ebike", _("E-bike charging")
        MEAL_HEATING = "meal", _("Meal heating")
        TOILET = "toilet", _("Toilet")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        PHONE = "phone", _("Worker's phone")
        OFFLINE = "offline", _("Worker's phone, sent later (offline)")
        KEEPER = "keeper", _("Recorded by the station keeper")

    # No single-column indexes on these two: the (station, at) and (worker, at) indexes
    # below serve every lookup, and at tens of millions of rows each index costs inserts.
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="check_ins",
        db_index=False,
    )
    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="check_ins",
        help_text=_("Empty for visitors the keeper counted without names."),
        db_index=False,
    )
    visitors = models.PositiveSmallIntegerField(_("visitors"), default=1)
    at = models.DateTimeField(_("checked in at"))
    services = ArrayField(
        models.CharField(max_length=8, choices=Service.choices),
        verbose_name=_("services used"),
        default=list,
        blank=True,
    )
    distance_m = models.PositiveIntegerField(
        _("distance from the station (m, rounded to 100)"), null=True, blank=True
    )
    far_away = models.BooleanField(_("over 1 km away"), default=False)
    # The station was not open when the visit was made (temporarily closed, closed for the
    # day, or outside its hours): taken, told to the worker, and counted on its own
    # (issue 14 §2; the rule is the open-now rule, stations/sql/).
    # (A database default too: rows written by raw SQL or COPY, as imports do, need not
    # name it.)
    outside_hours = models.BooleanField(
        _("while the station was not open"), default=False, db_default=False
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The idempotency key the phone (or the keeper's form) made for this tap: a replayed
    # or double-tapped submission finds the check-in it already made.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in (签到)")
        verbose_name_plural = _("check-ins (签到)")
        ordering = ["-at"]
        indexes = [
            # The 30-minute rule and the worker's history.
            models.Index(fields=["worker", "-at"], name="checkin_worker_at_idx"),
            # A station's day, the keeper's list, the rollups.
            models.Index(fields=["station", "-at"], name="checkin_station_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(worker__isnull=True) | models.Q(visitors=1),
                name="stations_checkin_named_worker_is_one_visitor",
                violation_error_message=_("A named worker's check-in counts one visitor."),
            ),
            models.CheckConstraint(
                condition=models.Q(visitors__gte=1, visitors__lte=MAX_VISITORS_AT_ONCE),
                name="stations_checkin_visitors_1_to_500",
                violation_error_message=_("Record between 1 and 500 visitors at a time."),
            ),
            models.CheckConstraint(
                condition=models.Q(distance_m__isnull=True, far_away=False)
                | models.Q(distance_m__lte=FAR_AWAY_M, far_away=False)
                | models.Q(distance_m__gt=FAR_AWAY_M, far_away=True),
                name="stations_checkin_far_away_means_over_1km",
                violation_error_message=_("Only a check-in over 1 km away is flagged far away."),
            ),
            models.CheckConstraint(
                condition=models.Q(distance_m__isnull=True)
                | models.Q(Exact(Mod("distance_m", DISTANCE_STEP_M), 0)),
                name="stations_checkin_distance_rounded_to_100m",
                violation_error_message=_("Distances are kept rounded to 100 m."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.at:%Y-%m-%d %H:%M}"

    @property
    def service_labels(self) -> list[str]:
        labels = dict(self.Service.choices)
        return [str(labels.get(code, code)) for code in self.services]
