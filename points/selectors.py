"""Reads of points and rewards: scoped for staff, the worker's own on the phone."""

from django.db.models import QuerySet
from django.utils import timezone

from areas import access
from areas.selectors import offered_to
from core.identifiers import normalize_typable_code

from .models import PointsAccount, PointsEntry, PointsRule, Redemption, Reward


def account_list(*, user) -> QuerySet:
    return access.scope(PointsAccount.objects.all(), user).select_related("worker__area")


def entry_list(*, user) -> QuerySet:
    return access.scope(PointsEntry.objects.all(), user).select_related(
        "account__worker__area", "actor"
    )


def rule_list(*, user) -> QuerySet:
    return access.scope(PointsRule.objects.all(), user).select_related("area")


def balance_of(worker) -> int:
    account = PointsAccount.objects.filter(worker=worker).only("balance").first()
    return account.balance if account else 0


def history_of(worker) -> QuerySet:
    """The worker's own entries, newest first (/m/points/)."""
    return PointsEntry.objects.filter(account__worker=worker).order_by("-created_at", "-pk")


# Rewards -----------------------------------------------------------------------------------


def reward_list(*, user) -> QuerySet:
    return (
        access.scope(Reward.objects.all(), user)
        .select_related("area")
        .prefetch_related("pickup_stations")
    )


def redemption_list(*, user) -> QuerySet:
    """Redemptions of the user's areas' rewards, or at the stations they keep."""
    return access.scope(Redemption.objects.all(), user).select_related(
        "reward", "worker", "station", "handed_over_by"
    )


def waiting_at_stations(*, user) -> QuerySet:
    """Reserved redemptions at the stations the user hands over at (a work-queue item)."""
    return access.scope(
        Redemption.objects.filter(status=Redemption.Status.RESERVED, expires_at__gt=timezone.now()),
        user,
        access.Purpose.WRITE,
    )


def catalogue_for(worker) -> QuerySet:
    """What the worker can exchange their points for: rewards offered now in their district
    or above, cheapest first (out-of-stock ones too, shown as such)."""
    today = timezone.localdate()
    return (
        Reward.objects.filter(active=True, valid_from__lte=today, valid_until__gte=today)
        .filter(offered_to(worker.area))
        .prefetch_related("pickup_stations")
        .order_by("points_price", "name")
    )


def redemptions_of(worker) -> QuerySet:
    return Redemption.objects.filter(worker=worker).select_related("reward", "station")


def redemption_at_counter(*, user, pickup_code: str) -> Redemption | None:
    """The redemption a scanned or typed pickup code names, as the counter shows it before
    the keeper confirms: only one this user may hand over, still waiting. None otherwise
    (the hand-over itself says why)."""
    return (
        access.scope(Redemption.objects.all(), user, access.Purpose.WRITE)
        .filter(
            pickup_code=normalize_typable_code(pickup_code),
            status=Redemption.Status.RESERVED,
            expires_at__gt=timezone.now(),
        )
        .select_related("reward", "worker", "station")
        .first()
    )
