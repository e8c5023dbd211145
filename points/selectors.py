"""Reads of the points ledger: scoped for staff, the worker's own on the phone."""

from django.db.models import QuerySet

from areas import access

from .models import PointsAccount, PointsEntry, PointsRule


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
