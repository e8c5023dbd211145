"""A registered worker moves to another community or district (issue 14 §2).

The worker asks on /m/me (or staff ask for them); the receiving community accepts, or
declines with a reason the worker reads. Until it decides, the worker stays registered
where they are, and one transfer at a time waits. Staff who may write in both
communities (a street or district moving a worker within its reach) move the worker at
once, recorded as a transfer they accepted.

A registration that is not approved yet is not transferred: it simply goes to the new
community's review (services.worker_correct_own). What a transfer leaves behind stays:
check-ins, activities and points stay with the stations and activities they happened at;
the registration keeps counting where it was made (Worker.registered_area).
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, refuse

from ..inbox import REGISTRATION_REVIEWED, in_workers_language
from ..models import COMMUNITY_LEVEL_VALUES, Worker, WorkerTransfer
from .inbox import message_send


def _tell_worker(transfer: WorkerTransfer, title: str, body: str) -> None:
    """Call inside in_workers_language(), where title and body were composed."""
    message_send(
        worker=transfer.worker,
        kind=REGISTRATION_REVIEWED,
        title=title,
        body=body,
        link=reverse("mobile-me"),
        event_key=f"transfer:{transfer.pk}:{transfer.status}",
    )


def _move(worker: Worker, transfer: WorkerTransfer, *, actor) -> None:
    """The receiving community takes the worker: the record's work community changes
    (its registration stays approved and counted where it was made)."""
    worker.area = transfer.to_area
    worker.save(update_fields=["area", "updated_at"])
    transfer.status = WorkerTransfer.Status.ACCEPTED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    with in_workers_language():
        _tell_worker(
            transfer,
            _("Your move to %(community)s is done") % {"community": transfer.to_area.name},
            _(
                "%(community)s has accepted you. You are registered there from now on; your "
                "check-ins, points and activities stay yours."
            )
            % {"community": transfer.to_area.name},
        )


@transaction.atomic
def transfer_request(*, worker: Worker, to_area: Area, actor=None) -> WorkerTransfer:
    """Ask `to_area` to take a registered worker: on the phone (no actor), or by staff who
    may write to the worker's record (who move the worker at once when they may also
    write in the receiving community)."""
    if actor is None:
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
    else:
        worker = access.get_for_user(
            Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=worker.pk
        )
    if worker.status != Worker.Status.APPROVED:
        raise ApplicationError(
            _("Only a registration the community has approved moves by transfer.")
        )
    if to_area is None or to_area.level not in COMMUNITY_LEVEL_VALUES:
        raise refuse("area", _("Choose the community or street you are moving to."))
    if to_area.pk == worker.area_id:
        raise refuse("area", _("You are already registered with this community."))
    waiting = worker.transfers.filter(status=WorkerTransfer.Status.PENDING).first()
    if waiting is not None:
        raise refuse(
            "area",
            _(
                "Your move to %(community)s is still waiting for its answer: withdraw it "
                "first if you are moving somewhere else."
            )
            % {"community": waiting.to_area.name},
        )
    try:
        with transaction.atomic():
            transfer = WorkerTransfer.objects.create(
                worker=worker, from_area=worker.area, to_area=to_area, requested_by=actor
            )
    except IntegrityError as error:  # a second request raced this one
        raise refuse("area", _("A move for this worker was asked for a moment ago.")) from error
    if actor is not None and access.can_write_in(actor, to_area):
        _move(worker, transfer, actor=actor)
    return transfer


def _decidable(actor, transfer: WorkerTransfer) -> WorkerTransfer:
    """The transfer, locked, if `actor` may decide it (the receiving community's staff)
    and it still waits."""
    transfer = access.get_for_user(
        WorkerTransfer.objects.select_for_update().select_related("worker", "to_area"),
        actor,
        access.Purpose.WRITE,
        pk=transfer.pk,
    )
    if transfer.status != WorkerTransfer.Status.PENDING:
        raise ApplicationError(
            _("This transfer is %(status)s already.") % {"status": transfer.get_status_display()}
        )
    return transfer


@transaction.atomic
def transfer_accept(*, actor, transfer: WorkerTransfer) -> WorkerTransfer:
    """The receiving community takes the worker."""
    transfer = _decidable(actor, transfer)
    worker = Worker.objects.select_for_update().get(pk=transfer.worker_id)
    if worker.status != Worker.Status.APPROVED or worker.area_id != transfer.from_area_id:
        raise ApplicationError(
            _(
                "The worker's registration has changed since they asked (it is %(status)s, "
                "with %(community)s): decline this transfer."
            )
            % {"status": worker.get_status_display(), "community": worker.area.name}
        )
    transfer.worker = worker
    _move(worker, transfer, actor=actor)
    return transfer


@transaction.atomic
def transfer_decline(*, actor, transfer: WorkerTransfer, reason: str) -> WorkerTransfer:
    """The receiving community does not take the worker, and says why."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Tell the worker why, so they know what to do."))
    transfer = _decidable(actor, transfer)
    transfer.status = WorkerTransfer.Status.DECLINED
    transfer.reason = reason[:200]
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    with in_workers_language():
        _tell_worker(
            transfer,
            _("Your move to %(community)s was declined") % {"community": transfer.to_area.name},
            _("%(community)s says: %(reason)s You are still registered with %(old)s.")
            % {
                "community": transfer.to_area.name,
                "reason": transfer.reason,
                "old": transfer.from_area.name,
            },
        )
    return transfer


@transaction.atomic
def transfer_withdraw(*, worker: Worker) -> WorkerTransfer:
    """The worker takes back the move they asked for (on their phone)."""
    transfer = (
        WorkerTransfer.objects.select_for_update()
        .filter(worker=worker, status=WorkerTransfer.Status.PENDING)
        .first()
    )
    if transfer is None:
        raise ApplicationError(_("No move is waiting: there is nothing to withdraw."))
    transfer.status = WorkerTransfer.Status.WITHDRAWN
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_at"])
    return transfer


def transfer_recorded(*, actor, worker: Worker, from_area: Area) -> None:
    """Staff changed an approved worker's community on the record itself (worker_update,
    which checked they may write in both): the move is kept as an accepted transfer."""
    now = timezone.now()
    WorkerTransfer.objects.filter(worker=worker, status=WorkerTransfer.Status.PENDING).update(
        status=WorkerTransfer.Status.WITHDRAWN, decided_at=now
    )
    WorkerTransfer.objects.create(
        worker=worker,
        from_area=from_area,
        to_area=worker.area,
        status=WorkerTransfer.Status.ACCEPTED,
        requested_by=actor,
        decided_by=actor,
        decided_at=now,
    )


def transfers_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """The duplicate's moves become the kept record's history; a move the duplicate was
    still waiting for is withdrawn (the kept record's own registration decides)."""
    WorkerTransfer.objects.filter(worker=duplicate, status=WorkerTransfer.Status.PENDING).update(
        status=WorkerTransfer.Status.WITHDRAWN, decided_at=timezone.now()
    )
    WorkerTransfer.objects.filter(worker=duplicate).update(worker=kept)


__all__ = [
    "transfer_accept",
    "transfer_decline",
    "transfer_recorded",
    "transfer_request",
    "transfer_withdraw",
    "transfers_merge",
]
