"""Writes to the points ledger. Every movement of points is one entry made by `post_entry`,
under the account's row lock, in the transaction that also updates the cached balance.

Callers name the event an entry comes from (source, source_id) and a key unique for that
event ("award", "reverse", "hold"…): calling again with the same three returns the entry
already made, so a retried task or a double-tapped button never moves points twice.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from core.identifiers import normalize_typable_code, unused_typable_code
from members.inbox import in_workers_language
from members.models import Worker
from members.services import message_send

from .models import PICKUP_CODE_LENGTH, PointsAccount, PointsEntry, PointsRule, Redemption, Reward
from .rules import is_activity_kind

# The kind of message (members.inbox) a worker gets about a gift: ready, about to go back.
REDEMPTION_MESSAGES = "points.redemption"

Kind = PointsEntry.Kind
Source = PointsEntry.Source


@dataclass(frozen=True)
class Posted:
    entry: PointsEntry
    created: bool  # False: the entry this (source, source_id, key) had already made


def _live_worker_id(worker_or_id) -> int:
    """The record a worker's points live on: a record merged away leads to the one it was
    merged into (worker_merge keeps merged_into pointing at a live record), so an event of
    the old record — an attendance taken back, a redemption cancelled, an expiry — posts
    where the worker sees it. Read from the database: a caller's copy may predate the merge."""
    worker_id = getattr(worker_or_id, "pk", worker_or_id)
    merged_into = (
        Worker.objects.filter(pk=worker_id).values_list("merged_into_id", flat=True).first()
    )
    return merged_into or worker_id


def account_for(worker) -> PointsAccount:
    """The worker's account (the kept record's, for a record merged away), opened at
    their first entry."""
    account, _created = PointsAccount.objects.get_or_create(worker_id=_live_worker_id(worker))
    return account


def _existing(source: str, source_id, key: str) -> PointsEntry | None:
    return (
        PointsEntry.objects.select_related("account__worker")
        .filter(source=source, source_id=str(source_id), key=key)
        .first()
    )


def _same_worker(existing: PointsEntry, worker_id: int) -> Posted:
    """The entry this event already made — refused if it was for someone else (a caller
    naming the wrong event must not be told the points moved). An entry made for a record
    since merged into this worker's is theirs."""
    entered_for = existing.account.worker
    if worker_id not in (entered_for.pk, entered_for.merged_into_id):
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
    """The one way points move, on the worker's live account (account_for). Refuses
    (ApplicationError, nothing written) a movement that would take the balance below zero."""
    return _post_on(
        account_for(worker),
        amount=amount,
        kind=kind,
        source=source,
        source_id=source_id,
        key=key,
        reason=reason,
        actor=actor,
        reverses=reverses,
    )


def _post_on(
    account: PointsAccount,
    *,
    amount: int,
    kind: str,
    source: str,
    source_id,
    key: str,
    reason: str,
    actor=None,
    reverses: PointsEntry | None = None,
) -> Posted:
    if not isinstance(amount, int) or amount == 0:
        raise ApplicationError(_("Enter a whole number of points other than zero."))
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ApplicationError(_("Say why the points move: the worker reads it."))
    existing = _existing(source, source_id, key)
    if existing is not None:
        return _same_worker(existing, account.worker_id)
    # The row lock makes concurrent movements on one account take turns: each sees the
    # balance the previous one left.
    account = PointsAccount.objects.select_for_update().get(pk=account.pk)
    existing = _existing(source, source_id, key)  # made while we waited for the lock
    if existing is not None:
        return _same_worker(existing, account.worker_id)
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
        return _same_worker(made, account.worker_id)
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
    # An entry of a record since merged away is reversed on the kept record's account,
    # where its points went (points_merge).
    account = PointsAccount.objects.select_for_update().get(
        pk=account_for(entry.account.worker_id).pk
    )
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
    return _post_on(
        account,
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
    account = account_for(worker)
    source_id = f"{account.worker_id}:{period}"
    existing = _existing(Source.EXPIRY, source_id, "expire")
    if existing is not None:
        return Posted(existing, False)
    points = min(points, account.balance)
    if points <= 0:
        raise ApplicationError(_("There are no points left to expire."))
    return _post_on(
        account,
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


# Merging two records of one person (members.merge) -----------------------------------------


@transaction.atomic
def points_merge(*, actor, duplicate, kept) -> None:
    """The duplicate's balance moves to the kept record by a pair of transfer entries (the
    ledger stays append-only and sums to zero). Its history stays on its own account; any
    later reversal or expiry naming one of its entries posts on the kept account."""
    account = PointsAccount.objects.select_for_update().filter(worker=duplicate).first()
    if account is None or account.balance == 0:
        return
    moving = account.balance
    common = {
        "kind": Kind.TRANSFER,
        "source": Source.MERGE,
        "source_id": f"{duplicate.pk}>{kept.pk}",
        "actor": actor,
    }
    _post_on(
        account,
        amount=-moving,
        key="out",
        reason=_("Moved to the record this one was merged into"),
        **common,
    )
    _post_on(
        PointsAccount.objects.get_or_create(worker=kept)[0],
        amount=moving,
        key="in",
        reason=_("Moved from a duplicate record of yours"),
        **common,
    )


def redemptions_merge(*, actor, duplicate, kept) -> None:
    """Redemptions follow the person: a reserved one is picked up (or cancelled, its points
    coming back to the kept record) as before."""
    Redemption.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())


# Rules ------------------------------------------------------------------------------------


def rule_points(*, area: Area, event: str, activity_kind: str = "") -> int:
    """The points an event earns in `area`: the rule of the nearest area up the tree
    (a community's own rule, else its street's, else its district's…); 0 without one."""
    codes = [a.code for a in area.lineage()]
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
    elif not is_activity_kind(rule.activity_kind):
        raise refuse(
            "activity_kind",
            _("“%(kind)s” is not an activity type: choose one from the list.")
            % {"kind": rule.activity_kind},
        )
    full_clean_or_refuse(rule, _("This rule cannot be saved: see the fields."))
    rule.save()
    return rule


# Rewards and redemptions ------------------------------------------------------------------

# A reserved reward waits this long at its station; then the points and the item go back.
PICKUP_DAYS = 7


@transaction.atomic
def reward_save(*, actor, reward: Reward, pickup_stations=None) -> Reward:
    """An area's catalogue entry. The pickup stations must be stations the user reaches
    inside that area."""
    if reward.area_id is None:
        raise refuse("area", _("Choose the area that offers this reward."))
    access.require_write_to(actor, reward)
    reward.name = (reward.name or "").strip()
    full_clean_or_refuse(reward, _("This reward cannot be saved: see the fields."))
    reward.save()
    if pickup_stations is not None:
        stations = list(pickup_stations)
        outside = [s for s in stations if not reward.area.contains(s.area)]
        if outside:
            raise refuse(
                "pickup_stations",
                _("These stations are outside %(area)s: %(names)s.")
                % {"area": reward.area.name, "names": "、".join(s.name for s in outside)},
            )
        if not stations:
            raise refuse("pickup_stations", _("Choose at least one station to pick it up at."))
        reward.pickup_stations.set(stations)
    return reward


def _hold_entry(redemption: Redemption) -> PointsEntry | None:
    return (
        PointsEntry.objects.filter(
            source=Source.REDEMPTION, source_id=str(redemption.pk), key="hold"
        )
        .select_related("account__worker")
        .first()
    )


@transaction.atomic
def redeem(*, worker, reward: Reward, station, client_key=None) -> tuple[Redemption, bool]:
    """兑换: hold one item and the points, and give a pickup code. Stock and points are
    checked under the reward's and the account's row locks, so whatever arrives at once,
    stock never goes below zero and points are never spent twice. Returns (redemption,
    created); the same client_key returns the redemption it made."""
    if client_key is not None:
        made = Redemption.objects.filter(client_key=client_key).first()
        if made is not None:
            if made.worker_id != worker.pk:
                raise ApplicationError(_("This redemption was already sent by someone else."))
            return made, False
    reward = Reward.objects.select_for_update().select_related("area").get(pk=reward.pk)
    today = timezone.localdate()
    if not reward.active or not reward.valid_from <= today <= reward.valid_until:
        raise ApplicationError(_("This reward is not offered now."))
    if not reward.pickup_stations.filter(pk=station.pk).exists():
        raise refuse("station", _("This reward is not picked up at that station."))
    if reward.stock < 1:
        raise ApplicationError(_("Sorry, this reward is out of stock."))
    redemption = Redemption.objects.create(
        reward=reward,
        worker=worker,
        station=station,
        points=reward.points_price,
        pickup_code=unused_typable_code(PICKUP_CODE_LENGTH, model=Redemption, field="pickup_code"),
        expires_at=timezone.now() + dt.timedelta(days=PICKUP_DAYS),
        client_key=client_key,
    )
    # Refused here (too few points) means the whole redemption is undone.
    points_spend(
        worker=worker,
        points=reward.points_price,
        source=Source.REDEMPTION,
        source_id=redemption.pk,
        key="hold",
        reason=_("Redeemed: %(item)s") % {"item": reward.name},
    )
    reward.stock -= 1
    reward.save(update_fields=["stock", "updated_at"])
    with in_workers_language():
        message_send(
            worker=worker,
            kind=REDEMPTION_MESSAGES,
            title=_("Ready to pick up: %(item)s") % {"item": reward.name},
            body=_("Show the pickup code %(code)s at %(station)s before %(until)s.")
            % {
                "code": redemption.pickup_code,
                "station": station.name,
                "until": timezone.localtime(redemption.expires_at).strftime("%m-%d %H:%M"),
            },
            link=reverse("mobile-redemption", args=[redemption.pk]),
            event_key=f"redemption:{redemption.pk}:ready",
        )
    return redemption, True


def _give_back(redemption: Redemption, status: str, reason: str, actor=None) -> Redemption:
    """Cancelled or expired: the item back in stock, the points back to the worker."""
    redemption.status = status
    redemption.closed_reason = reason[:200]
    redemption.save(update_fields=["status", "closed_reason", "updated_at"])
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    hold = _hold_entry(redemption)
    if hold is not None:
        points_reverse(entry=hold, reason=reason, actor=actor)
    return redemption


def _locked_redemption(pk) -> Redemption:
    return (
        Redemption.objects.select_for_update()
        .select_related("reward", "station", "worker")
        .get(pk=pk)
    )


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, worker=None, actor=None) -> Redemption:
    """The worker (or staff of the area or station) calls it off before pickup."""
    if actor is not None:
        access.get_for_user(Redemption.objects.all(), actor, access.Purpose.WRITE, pk=redemption.pk)
    redemption = _locked_redemption(redemption.pk)
    if worker is not None and redemption.worker_id != worker.pk:
        raise ApplicationError(_("This is not your redemption."))
    if redemption.status != Redemption.Status.RESERVED:
        raise ApplicationError(
            _("This redemption is %(status)s: nothing to cancel.")
            % {"status": redemption.get_status_display()}
        )
    return _give_back(
        redemption,
        Redemption.Status.CANCELLED,
        _("Redemption cancelled: %(item)s") % {"item": redemption.reward.name},
        actor=actor,
    )


@transaction.atomic
def hand_over(*, actor, pickup_code: str) -> Redemption:
    """The keeper scans or types the worker's pickup code and hands the item over."""
    code = normalize_typable_code(pickup_code)
    found = Redemption.objects.filter(pickup_code=code).only("pk").first()
    if found is None:
        raise refuse("pickup_code", _("No redemption has this pickup code: check it again."))
    # 404 for a code of a station the keeper does not keep; 403 for read-only staff.
    access.get_for_user(Redemption.objects.all(), actor, access.Purpose.WRITE, pk=found.pk)
    redemption = _locked_redemption(found.pk)
    if redemption.status == Redemption.Status.HANDED_OVER:
        raise refuse(
            "pickup_code",
            _("Already handed over on %(when)s.")
            % {"when": timezone.localtime(redemption.handed_over_at).strftime("%Y-%m-%d %H:%M")},
        )
    if redemption.status != Redemption.Status.RESERVED or redemption.expires_at <= timezone.now():
        raise refuse(
            "pickup_code",
            _(
                "This pickup code has expired: the points went back to the worker, who can redeem again."
            ),
        )
    redemption.status = Redemption.Status.HANDED_OVER
    redemption.handed_over_at = timezone.now()
    redemption.handed_over_by = actor
    redemption.save(update_fields=["status", "handed_over_at", "handed_over_by", "updated_at"])
    return redemption


# A worker is reminded of a gift not yet picked up this long before it goes back.
REMIND_BEFORE_EXPIRY = dt.timedelta(hours=24)


def redemptions_remind(*, now=None) -> int:
    """Remind the workers whose gift waits for them and goes back within a day (the beat
    job, hourly; one reminder per redemption however often it runs)."""
    now = now or timezone.now()
    due = Redemption.objects.filter(
        status=Redemption.Status.RESERVED,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE_EXPIRY,
    ).select_related("reward", "station", "worker")
    for redemption in due:
        with in_workers_language():
            message_send(
                worker=redemption.worker,
                kind=REDEMPTION_MESSAGES,
                title=_("Pick up by %(until)s: %(item)s")
                % {
                    "item": redemption.reward.name,
                    "until": timezone.localtime(redemption.expires_at).strftime("%m-%d %H:%M"),
                },
                body=_(
                    "Your %(item)s waits at %(station)s (pickup code %(code)s). Not picked up "
                    "in time, your points come back and the item goes to someone else."
                )
                % {
                    "item": redemption.reward.name,
                    "station": redemption.station.name,
                    "code": redemption.pickup_code,
                },
                link=reverse("mobile-redemption", args=[redemption.pk]),
                event_key=f"redemption:{redemption.pk}:expiring",
            )
    return len(due)


def redemptions_expire(*, now=None) -> int:
    """Unclaimed redemptions past their pickup time give back their points and item
    (the beat job; each under its own lock, so running it twice changes nothing)."""
    now = now or timezone.now()
    expired = 0
    due = Redemption.objects.filter(status=Redemption.Status.RESERVED, expires_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            redemption = _locked_redemption(pk)
            if redemption.status != Redemption.Status.RESERVED:
                continue  # handed over or cancelled meanwhile
            _give_back(
                redemption,
                Redemption.Status.EXPIRED,
                _("Not picked up in time: %(item)s") % {"item": redemption.reward.name},
            )
            expired += 1
    return expired


__all__ = [
    "Posted",
    "account_for",
    "post_entry",
    "points_award",
    "points_spend",
    "points_reverse",
    "points_expire",
    "points_adjust",
    "points_merge",
    "redemptions_merge",
    "rule_points",
    "points_rule_save",
    "reward_save",
    "redeem",
    "redemption_cancel",
    "hand_over",
    "redemptions_expire",
    "redemptions_remind",
    "REDEMPTION_MESSAGES",
]
