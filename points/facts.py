"""The points ledger's figures for rollups and dashboards (core.facts; reports/ discovers
them). Sums of ledger entries by kind: the ledger is append-only, so a reversal is its own
entry and every figure recomputes exactly."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

from .models import PointsEntry, Redemption

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
]
