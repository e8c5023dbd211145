"""Points (积分): an append-only ledger per worker, the district's rules for awarding them.

"参加治理攒积分、积分兑换享好礼" (seed 004): workers earn points by attending activities,
volunteering and verified reports, and exchange them for gifts at the stations.

The ledger's invariants are kept by the database, not only by the services:
- an entry is never changed or deleted (a trigger refuses UPDATE and DELETE; a mistake is
  corrected by a reversing entry);
- an account's balance never goes below zero (a check constraint);
- the same (source, key) is entered once (a unique constraint): a retried award is the
  entry it already made;
- an entry is reversed at most once (unique `reverses`).
The balance is a cache of the sum of the account's entries, updated in the same
transaction as each entry under the account's row lock (services.post_entry).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind
from areas.models import Area
from core.models import TimeStampedModel


class PointsAccount(models.Model):
    scope_area_path = "worker__area"

    worker = models.OneToOneField(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="points_account",
    )
    balance = models.IntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0),
                name="points_pointsaccount_balance_not_negative",
                violation_error_message=_("A points balance cannot go below zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.balance}"


class PointsEntry(models.Model):
    scope_area_path = "account__worker__area"

    class Kind(models.TextChoices):
        AWARD = "award", _("Award")
        REDEEM = "redeem", _("Redeemed")
        REVERSE = "reverse", _("Reversal")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjustment")

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Activity attended")
        VOLUNTEER = "volunteer", _("Volunteer service")
        REPORT = "report", _("Verified report")
        REDEMPTION = "redemption", _("Reward redemption")
        STAFF = "staff", _("Staff adjustment")
        EXPIRY = "expiry", _("Points expiry")

    account = models.ForeignKey(
        PointsAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="entries"
    )
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    # The event the entry comes from (an attendance, a redemption…): its kind and id.
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_id = models.CharField(_("source id"), max_length=40)
    # Unique per source: "award" for an attendance's award, "reverse" for its reversal,
    # "hold"/"return" for a redemption… A retried call finds the entry it already made.
    key = models.CharField(_("idempotency key"), max_length=40)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    balance_after = models.IntegerField(_("balance after"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "-created_at"], name="points_entry_account_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id", "key"],
                name="points_pointsentry_once_per_source_key",
                violation_error_message=_("This event has already been entered in the ledger."),
            ),
            models.CheckConstraint(
                condition=~models.Q(amount=0),
                name="points_pointsentry_amount_not_zero",
                violation_error_message=_("An entry moves at least one point."),
            ),
            models.CheckConstraint(
                condition=models.Q(balance_after__gte=0),
                name="points_pointsentry_balance_after_not_negative",
                violation_error_message=_("A points balance cannot go below zero."),
            ),
            # The sign follows the kind: awards add, redemptions and expiries take away;
            # reversals and staff adjustments go either way.
            models.CheckConstraint(
                condition=models.Q(kind="award", amount__gt=0)
                | models.Q(kind__in=["redeem", "expire"], amount__lt=0)
                | models.Q(kind__in=["reverse", "adjust"]),
                name="points_pointsentry_sign_follows_kind",
                violation_error_message=_("Awards add points; redemptions and expiries take them."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="reverse", reverses__isnull=False)
                | (~models.Q(kind="reverse") & models.Q(reverses__isnull=True)),
                name="points_pointsentry_reversal_names_its_entry",
                violation_error_message=_("A reversal names the entry it reverses."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.get_kind_display()} · {self.reason}"


class PointsRule(TimeStampedModel):
    """How many points an event earns in an area (a district, usually; a street or
    community may set its own). The rule of the nearest area up the tree applies."""

    scope_area_path = "area"

    class Event(models.TextChoices):
        ATTENDANCE = "attendance", _("Attending an activity (per activity type)")
        VOLUNTEER_HOUR = "volunteer_hour", _("Each verified volunteer hour")
        VERIFIED_REPORT = "report", _("A verified report")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="points_rules"
    )
    event = models.CharField(_("event"), max_length=16, choices=Event.choices)
    # For attendance: the activity type; empty for the other events.
    activity_kind = models.CharField(
        _("activity type"), max_length=20, blank=True, choices=ActivityKind.choices
    )
    points = models.PositiveIntegerField(_("points"))

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["area__code", "event", "activity_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "event", "activity_kind"],
                name="points_pointsrule_one_per_event",
                violation_error_message=_("This area already has a rule for this event."),
            ),
            models.CheckConstraint(
                condition=models.Q(event="attendance") | models.Q(activity_kind=""),
                name="points_pointsrule_activity_type_only_for_attendance",
                violation_error_message=_("Only attendance rules name an activity type."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.get_event_display()} {self.activity_kind} · {self.points}"
