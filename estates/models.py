"""The estate quick pass (中海优行, seed 001): a gated estate's property company lets couriers
and riders in quickly. A worker authorises the estate once — which fields its property
company sees, for how many days — and then shows a pass whose code changes every 30
seconds; the gate guard checks it and the entry is logged. Entry logs are kept a while,
then reduced to counts."""

import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from core.models import TimeStampedModel
from members.models import Occupation, Worker


def new_gate_key() -> str:
    return secrets.token_urlsafe(12)


def new_pass_secret() -> str:
    return secrets.token_hex(16)


class Estate(TimeStampedModel):
    """A gated estate (小区) in a community, run by a property company."""

    scope_area_path = "area"
    scope_object_paths = {"estates.estate": "pk"}

    area = models.ForeignKey(
        Area,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"level": Area.Level.COMMUNITY},
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), geography=True, null=True, blank=True)
    property_company = models.CharField(
        _("property company"),
        max_length=100,
        help_text=_("The company that runs the gates; the worker's consent names it."),
    )
    pass_days = models.PositiveSmallIntegerField(
        _("days a pass lasts"),
        default=30,
        help_text=_("After authorising, a scan and one tap show the pass for this many days."),
    )
    occupations = ArrayField(
        models.CharField(max_length=20, choices=Occupation.choices),
        verbose_name=_("occupations let in"),
        default=list,
        blank=True,
        help_text=_("Leave empty to let in every occupation."),
    )
    entry_from = models.TimeField(_("entry from"), null=True, blank=True)
    entry_until = models.TimeField(
        _("entry until"),
        null=True,
        blank=True,
        help_text=_("Leave both empty for any hour; until earlier than from runs overnight."),
    )
    entry_log_days = models.PositiveSmallIntegerField(
        _("days entries are kept"),
        default=90,
        help_text=_(
            "Then an entry no longer names the worker; after the platform's days it is only counted."
        ),
    )
    active = models.BooleanField(_("taking passes"), default=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="estates_estate_unique_name",
                violation_error_message=_("This community already has an estate of this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(pass_days__gte=1, pass_days__lte=365),
                name="estates_estate_pass_days",
                violation_error_message=_("A pass lasts from 1 to 365 days."),
            ),
            models.CheckConstraint(
                condition=models.Q(entry_log_days__gte=1, entry_log_days__lte=730),
                name="estates_estate_log_days",
                violation_error_message=_("Entries are kept from 1 to 730 days."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Gate(TimeStampedModel):
    """One gate of an estate, with its printable QR poster: scanning it starts the pass."""

    scope_area_path = "estate__area"
    scope_object_paths = {"estates.estate": "estate", "estates.gate": "pk"}

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="gates"
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 北门, 2号岗"))
    poster_key = models.CharField(max_length=32, unique=True, default=new_gate_key, editable=False)
    active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("gate")
        verbose_name_plural = _("gates")
        ordering = ["estate", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"],
                name="estates_gate_unique_name",
                violation_error_message=_("This estate already has a gate of this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.name}"


class EstatePass(TimeStampedModel):
    """A worker's authorisation of one estate: the fields its property company sees (a copy
    made when they authorised), the consent's exact words, and until when a scan and one
    tap show the pass. One per estate and phone; authorising again renews it."""

    scope_area_path = "estate__area"
    scope_object_paths = {"estates.estate": "estate"}

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="passes"
    )
    phone = models.CharField(_("phone"), max_length=11)
    worker = models.ForeignKey(
        Worker,
        verbose_name=_("worker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estate_passes",
    )
    name = models.CharField(_("name"), max_length=50)
    employer = models.CharField(_("employer"), max_length=100)
    platform = models.CharField(_("platform"), max_length=50, blank=True)
    occupation = models.CharField(_("occupation"), max_length=20, choices=Occupation.choices)
    consent_version = models.CharField(_("consent version"), max_length=20)
    consent_text = models.TextField(_("what the worker agreed to"))
    authorised_at = models.DateTimeField(_("authorised at"))
    expires_at = models.DateTimeField(_("pass lasts until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    suspended_reason = models.CharField(_("reason given to the worker"), max_length=200, blank=True)
    suspended_at = models.DateTimeField(_("suspended at"), null=True, blank=True)
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suspended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contest_text = models.CharField(_("the worker's objection"), max_length=300, blank=True)
    contested_at = models.DateTimeField(_("objected at"), null=True, blank=True)
    contest_answer = models.CharField(_("the community's answer"), max_length=300, blank=True)
    contest_answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The pass code's key: with the server's secret it makes the code of each 30 seconds.
    secret = models.CharField(max_length=32, default=new_pass_secret, editable=False)
    last_shown_at = models.DateTimeField(_("pass last shown at"), null=True, blank=True)

    class Meta:
        verbose_name = _("estate pass")
        verbose_name_plural = _("estate passes")
        ordering = ["-authorised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "phone"],
                name="estates_pass_one_per_phone",
                violation_error_message=_("This phone already has a pass for this estate."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} · {self.pk}"

    def works_at(self, at) -> bool:
        """Does the pass let the worker in at `at` (not suspended, not lapsed)? The same
        rule as a query: services.live_pass."""
        return self.status == self.Status.ACTIVE and self.expires_at > at

    @property
    def objection_waiting(self) -> bool:
        """The worker objected to the suspension and nobody has answered yet (the same
        rule as a query: filters.objection_waiting)."""
        return (
            self.status == self.Status.SUSPENDED
            and self.contested_at is not None
            and self.contest_answered_at is None
        )


class EntryLog(models.Model):
    """One check of a pass at a gate, whatever the answer. After the estate's days it keeps
    only the gate, the day, the answer, the occupation and the wait (no pass, no guard, no
    time of day), still counted by the rollups; after the platform's days it is counted
    into EntryCount and deleted (services.entries_reduce)."""

    scope_area_path = "estate__area"
    scope_object_paths = {"estates.estate": "estate", "estates.gate": "gate"}

    class Outcome(models.TextChoices):
        LET_IN = "in", _("Let in")
        EXPIRED_CODE = "expired", _("Code expired or copied")
        UNKNOWN_CODE = "unknown", _("Not a pass code")
        OTHER_ESTATE = "elsewhere", _("A pass of another estate")
        SUSPENDED = "suspended", _("Pass suspended")
        LAPSED = "lapsed", _("Pass no longer authorised")
        OCCUPATION = "occupation", _("Occupation not let in here")
        HOURS = "hours", _("Outside entry hours")

    estate = models.ForeignKey(
        Estate, verbose_name=_("estate"), on_delete=models.CASCADE, related_name="entries"
    )
    gate = models.ForeignKey(
        Gate, verbose_name=_("gate"), on_delete=models.CASCADE, related_name="entries"
    )
    estate_pass = models.ForeignKey(
        EstatePass,
        verbose_name=_("pass"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="entries",
    )
    at = models.DateTimeField(_("checked at"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=Occupation.choices, blank=True
    )
    # The 30-second window of the code that let someone in: the same code is not taken twice.
    window = models.BigIntegerField(null=True, blank=True, editable=False)
    # From the pass shown on the worker's phone to the guard's answer, when both are known.
    seconds_at_gate = models.PositiveIntegerField(_("seconds at the gate"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-at"]
        indexes = [models.Index(fields=["estate", "at"], name="estates_entry_estate_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["estate_pass", "window"],
                condition=models.Q(outcome="in"),
                name="estates_entry_code_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.gate} {self.at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class EntryCount(models.Model):
    """What is left of entries after their days: how many, per gate, day and outcome."""

    scope_area_path = "estate__area"
    scope_object_paths = {"estates.estate": "estate", "estates.gate": "gate"}

    estate = models.ForeignKey(Estate, verbose_name=_("estate"), on_delete=models.CASCADE)
    gate = models.ForeignKey(Gate, verbose_name=_("gate"), on_delete=models.CASCADE)
    day = models.DateField(_("day"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=EntryLog.Outcome.choices)
    count = models.PositiveIntegerField(_("entries"))

    class Meta:
        verbose_name = _("entry count")
        verbose_name_plural = _("entry counts")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["gate", "day", "outcome"], name="estates_entrycount_unique"
            )
        ]
