"""The points ledger's figures for rollups and dashboards (core.facts; reports/ discovers
them). Sums of ledger entries by kind: the ledger is append-only, so a reversal is its own
entry and every figure recomputes exactly."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

from .models import PointsEntry, Redemption

REVERSAL = Q(kind=PointsEntry.Kind.REVERSE)

FACTS = [
    Fact(
        key="points.awarded",
        label=_("Points awarded"),
        model="points.PointsEntry",
        area_path="account__worker__area",
        measure=Measure.SUM,
        over="amount",
        date_field="created_at",
        where=Q(kind=PointsEntry.Kind.AWARD),
        breakdown="source",
    ),
    Fact(
        key="points.redeemed",
        label=_("Points redeemed (a negative sum)"),
        model="points.PointsEntry",
        area_path="account__worker__area",
        measure=Measure.SUM,
        over="amount",
        date_field="created_at",
        where=Q(kind=PointsEntry.Kind.REDEEM),
    ),
    # A reversal goes either way (points.services.points_reverse): an award taken back is
    # negative, the points held by a cancelled or expired redemption come back positive.
    # Two figures, then, so neither hides the other in a net sum; a reversal keeps the
    # source of the entry it reverses (attendance, volunteering, report…).
    Fact(
        key="points.reversed",
        label=_("Points taken back (a negative sum)"),
        model="points.PointsEntry",
        area_path="account__worker__area",
        measure=Measure.SUM,
        over="amount",
        date_field="created_at",
        where=REVERSAL & Q(amount__lt=0),
        breakdown="source",
    ),
    Fact(
        key="points.given_back",
        label=_("Points given back from cancelled or expired redemptions"),
        model="points.PointsEntry",
        area_path="account__worker__area",
        measure=Measure.SUM,
        over="amount",
        date_field="created_at",
        where=REVERSAL & Q(amount__gt=0),
    ),
    Fact(
        key="points.outstanding",
        label=_("Points outstanding"),
        model="points.PointsAccount",
        area_path="worker__area",
        measure=Measure.SUM,
        over="balance",
    ),
    Fact(
        key="points.rewards_handed_over",
        label=_("Rewards handed over"),
        model="points.Redemption",
        area_path="reward__area",
        station_path="station",
        date_field="handed_over_at",
        where=Q(status=Redemption.Status.HANDED_OVER),
    ),
    # Dated by the pickup deadline it passed: that is when it expired.
    Fact(
        key="points.redemptions_expired",
        label=_("Redemptions not picked up in time"),
        model="points.Redemption",
        area_path="reward__area",
        station_path="station",
        date_field="expires_at",
        where=Q(status=Redemption.Status.EXPIRED),
    ),
]
