"""Writes to the points ledger. Every movement of points is one entry made by `post_entry`,
under the account's row lock, in the transaction that also updates the cached balance.

Callers name the event an entry comes from (source, source_id) and a key unique for that
event ("award", "reverse", "hold"…): calling again with the same three returns the entry
already made, so a retried task or a double-tapped button never moves points twice.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse

from .models import PointsAccount, PointsEntry, PointsRule

Kind = PointsEntry.Kind
Source = PointsEntry.Source


@dataclass(frozen=True)
class Posted:
    entry: PointsEntry
    created: bool  # False: the entry this (source, source_id, key) had already made


def account_for(worker) -> PointsAccount:
    """The worker's account, opened at their first entry."""
    account, _created = PointsAccount.objects.get_or_create(worker=worker)
    return account


def _existing(source: str, source_id, key: str) -> PointsEntry | None:
    return (
        PointsEntry.objects.select_related("account")
        .filter(source=source, source_id=str(source_id), key=key)
        .first()
    )


def _same_worker(existing: PointsEntry, worker) -> Posted:
    """The entry this event already made — refused if it was for someone else (a caller
    naming the wrong event must not be told the points moved)."""
    if existing.account.worker_id != worker.pk:
        raise ApplicationError(_("This event is already entered for another worker."))
    return Posted(existing, False)


@transaction.atomic
def post_entry(
    *,
    worker,
    amount: int,
    kind: str,
    source: str,
    source_id,
    key: str,
    reason: str,
    actor=None,
    reverses: PointsEntry | None = None,
) -> Posted:
    """The one way points move. Refuses (ApplicationError, nothing written) a movement that
    would take the balance below zero."""
    if not isinstance(amount, int) or amount == 0:
        raise ApplicationError(_("Enter a whole number of points other than zero."))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ApplicationError(_("Say why the points move: the worker reads it."))
    existing = _existing(source, source_id, key)
    if existing is not None:
        return _same_worker(existing, worker)
    account = account_for(worker)
    # The row lock makes concurrent movements on one account take turns: each sees the
    # balance the previous one left.
    account = PointsAccount.objects.select_for_update().get(pk=account.pk)
    existing = _existing(source, source_id, key)  # made while we waited for the lock
    if existing is not None:
        return _same_worker(existing, worker)
    balance = account.balance + amount
    if balance < 0:
        raise ApplicationError(
            _("Not enough points: %(balance)d available, %(needed)d needed.")
            % {"balance": account.balance, "needed": -amount}
        )
    try:
        with transaction.atomic():
            entry = PointsEntry.objects.create(
                account=account,
                amount=amount,
                kind=kind,
                source=source,
                source_id=str(source_id),
                key=key,
                reverses=reverses,
                balance_after=balance,
                actor=actor,
                reason=reason,
            )
    except IntegrityError:
        # The same (source, key) from another account's transaction, or this entry
        # already reversed: the one made first stands.
        made = _existing(source, source_id, key)
        if made is None:
            raise ApplicationError(_("This entry has already been reversed.")) from None
        return _same_worker(made, worker)
    account.balance = balance
    account.save(update_fields=["balance", "updated_at"])
    return Posted(entry, True)


def points_award(
    *, worker, points: int, source: str, source_id, reason: str, actor=None, key: str = "award"
) -> Posted:
    if not isinstance(points, int) or points <= 0:
        raise ApplicationError(_("An award is at least one point."))
    return post_entry(
        worker=worker,
        amount=points,
        kind=Kind.AWARD,
        source=source,
        source_id=source_id,
        key=key,
        reason=reason,
        actor=actor,
    )


def points_spend(
    *, worker, points: int, source: str, source_id, reason: str, actor=None, key: str = "spend"
) -> Posted:
    """Points taken for a reward (held when it is reserved): refused when too few."""
    if not isinstance(points, int) or points <= 0:
        raise ApplicationError(_("A redemption takes at least one point."))
    return post_entry(
        worker=worker,
        amount=-points,
        kind=Kind.REDEEM,
        source=source,
        source_id=source_id,
        key=key,
        reason=reason,
        actor=actor,
    )


@transaction.atomic
def points_reverse(*, entry: PointsEntry, reason: str, actor=None) -> Posted | None:
    """Undo an entry with its opposite (an attendance revoked, a redemption cancelled or
    expired). An award whose points were partly spent meanwhile is taken back only as far
    as the balance goes, and the reason says so, because a balance never goes below zero;
    None when nothing at all was left to take back."""
    if entry.kind == Kind.REVERSE:
        raise ApplicationError(_("A reversal is not reversed: make a new entry instead."))
    key = f"reverse-{entry.pk}"
    existing = _existing(entry.source, entry.source_id, key)
    if existing is not None:
        return Posted(existing, False)
    account = PointsAccount.objects.select_for_update().get(pk=entry.account_id)
    amount = -entry.amount
    reason = (reason or "").strip()
    if amount < 0 and account.balance < -amount:
        if account.balance == 0:
            return None
        reason = _("%(reason)s (%(taken)d of %(points)d taken back: the rest had been spent)") % {
            "reason": reason,
            "taken": account.balance,
            "points": entry.amount,
        }
        amount = -account.balance
    return post_entry(
        worker=account.worker,
        amount=amount,
        kind=Kind.REVERSE,
        source=entry.source,
        source_id=entry.source_id,
        key=key,
        reason=reason,
        actor=actor,
        reverses=entry,
    )


def points_expire(*, worker, points: int, period: str, reason: str) -> Posted:
    """Points lapse (a district's validity rule, run by a job): once per worker and period,
    and never more than the balance."""
    source_id = f"{worker.pk}:{period}"
    existing = _existing(Source.EXPIRY, source_id, "expire")
    if existing is not None:
        return Posted(existing, False)
    account = account_for(worker)
    points = min(points, account.balance)
    if points <= 0:
        raise ApplicationError(_("There are no points left to expire."))
    return post_entry(
        worker=worker,
        amount=-points,
        kind=Kind.EXPIRE,
        source=Source.EXPIRY,
        source_id=source_id,
        key="expire",
        reason=reason,
    )


@transaction.atomic
def points_adjust(*, actor, worker, points: int, reason: str, request_key: str) -> Posted:
    """Staff correct a balance (a reward handed over outside the platform, a lost
    paper ledger): needs write access to the worker's community and a reason."""
    access.require_write_to(actor, worker)
    if not (reason or "").strip():
        raise refuse("reason", _("Say why the points are adjusted: the worker reads it."))
    return post_entry(
        worker=worker,
        amount=points,
        kind=Kind.ADJUST,
        source=Source.STAFF,
        source_id=f"{actor.pk}:{request_key}",
        key="adjust",
        reason=reason,
        actor=actor,
    )


# Rules ------------------------------------------------------------------------------------


def rule_points(*, area: Area, event: str, activity_kind: str = "") -> int:
    """The points an event earns in `area`: the rule of the nearest area up the tree
    (a community's own rule, else its street's, else its district's…); 0 without one."""
    codes, node = [], area
    while node is not None:  # a handful of levels: province → community
        codes.append(node.code)
        node = node.parent
    rules = {
        rule.area.code: rule.points
        for rule in PointsRule.objects.filter(
            area__code__in=codes, event=event, activity_kind=activity_kind
        ).select_related("area")
    }
    for code in codes:  # nearest first
        if code in rules:
            return rules[code]
    return 0


RULE_AREA_LEVELS = {Area.Level.CITY, Area.Level.DISTRICT}


@transaction.atomic
def points_rule_save(*, actor, rule: PointsRule) -> PointsRule:
    """District (or city) staff set how many points each event earns there."""
    if rule.area_id is None or rule.area.level not in RULE_AREA_LEVELS:
        raise refuse("area", _("Points rules are set for a whole district (or city)."))
    access.require_write_to(actor, rule)
    if rule.event != PointsRule.Event.ATTENDANCE:
        rule.activity_kind = ""
    elif not rule.activity_kind:
        raise refuse("activity_kind", _("Choose the activity type this rule is for."))
    full_clean_or_refuse(rule, _("This rule cannot be saved: see the fields."))
    rule.save()
    return rule


__all__ = [
    "Posted",
    "account_for",
    "post_entry",
    "points_award",
    "points_spend",
    "points_reverse",
    "points_expire",
    "points_adjust",
    "rule_points",
    "points_rule_save",
]
