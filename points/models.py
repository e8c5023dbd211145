"""Points (积分): an append-only ledger per worker, the district's rules for awarding them.

"参加治理攒积分、积分兑换享好礼" (seed 004): workers earn points by attending activities,
volunteering and verified feedback (suggestions, demands, hazard reports), and exchange
them for gifts at the stations.

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

from areas.models import Area
from core.models import TimeStampedModel

from . import rules


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
        # Two records of one person merged: the balance leaves one account and arrives on
        # the other as a pair of entries, so the ledger stays append-only and zero-sum.
        TRANSFER = "transfer", _("Moved between records")

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Activity attended")
        VOLUNTEER = "volunteer", _("Volunteer service")
        FEEDBACK = "feedback", _("Verified feedback case")
        REDEMPTION = "redemption", _("Reward redemption")
        STAFF = "staff", _("Staff adjustment")
        EXPIRY = "expiry", _("Points expiry")
        MERGE = "merge", _("Records merged")

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
            # reversals, staff adjustments and transfers go either way.
            models.CheckConstraint(
                condition=models.Q(kind="award", amount__gt=0)
                | models.Q(kind__in=["redeem", "expire"], amount__lt=0)
                | models.Q(kind__in=["reverse", "adjust", "transfer"]),
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
        VERIFIED_FEEDBACK = "feedback", _("A verified feedback case (suggestion, demand, hazard)")

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="points_rules"
    )
    event = models.CharField(_("event"), max_length=16, choices=Event.choices)
    # For attendance: the activity type (one registered in points.rules, by activities);
    # empty for the other events.
    activity_kind = models.CharField(_("activity type"), max_length=20, blank=True)
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
        kind = rules.activity_kind_label(self.activity_kind) if self.activity_kind else ""
        return f"{self.area} · {self.get_event_display()} {kind} · {self.points}"


# Rewards (积分兑换) ---------------------------------------------------------------------------

PICKUP_CODE_LENGTH = 8


class Reward(TimeStampedModel):
    """A gift in an area's catalogue: what it costs in points, how many are left, who gave
    them, where it is picked up and while it is offered."""

    scope_area_path = "area"

    class SponsorKind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        TRADE_UNION = "union", _("Trade union (工会)")
        RED_CROSS = "red_cross", _("Red Cross (红十字会)")
        COMMUNITY = "community", _("Community or street")
        OTHER = "other", _("Other")

    area = models.ForeignKey(
        Area, verbose_name=_("offered in"), on_delete=models.PROTECT, related_name="rewards"
    )
    name = models.CharField(_("item"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    points_price = models.PositiveIntegerField(_("points price"))
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    sponsor_kind = models.CharField(
        _("sponsor type"), max_length=12, choices=SponsorKind.choices, default=SponsorKind.OTHER
    )
    sponsor = models.CharField(_("sponsor"), max_length=100, blank=True)
    pickup_stations = models.ManyToManyField(
        "stations.Station", verbose_name=_("picked up at"), related_name="rewards"
    )
    valid_from = models.DateField(_("offered from"))
    valid_until = models.DateField(_("offered until"))
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards (积分兑换)")
        ordering = ["area__code", "points_price", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0),
                name="points_reward_stock_not_negative",
                violation_error_message=_("Stock cannot go below zero."),
            ),
            models.CheckConstraint(
                condition=models.Q(points_price__gte=1),
                name="points_reward_price_at_least_one",
                violation_error_message=_("A reward costs at least one point."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="points_reward_valid_until_after_from",
                violation_error_message=_("The offer ends on or after the day it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.points_price})"


class Redemption(TimeStampedModel):
    """A worker exchanges points for a reward (兑换): the points and one item are held when
    they redeem; the keeper hands the item over on the pickup code; an unclaimed or
    cancelled redemption gives both back."""

    scope_area_path = "reward__area"
    scope_object_paths = {"stations.station": "station"}

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Waiting to be picked up")
        HANDED_OVER = "handed_over", _("Handed over")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired (not picked up)")

    reward = models.ForeignKey(
        Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions"
    )
    worker = models.ForeignKey(
        "members.Worker",
        verbose_name=_("worker"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("pickup station"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RESERVED
    )
    pickup_code = models.CharField(_("pickup code"), max_length=PICKUP_CODE_LENGTH, unique=True)
    expires_at = models.DateTimeField(_("pick up before"))
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handed over by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Made by the redeem page: a double-tapped button redeems once.
    client_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="redemption_status_exp_idx"),
            models.Index(fields=["station", "status"], name="redemption_station_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(status="handed_over") & models.Q(handed_over_at__isnull=False))
                | (~models.Q(status="handed_over") & models.Q(handed_over_at__isnull=True)),
                name="points_redemption_handed_over_has_a_time",
                violation_error_message=_("A hand-over has its time, and only a hand-over."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reward.name} · {self.worker}"
