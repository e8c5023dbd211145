"""Writes for contact pairing (结对联系): pairing a worker with a staff member or a grid
worker, logging contacts, and the monthly check (at least one contact a month)."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core.exceptions import ApplicationError

from ..models import ContactLog, ContactPair, Worker
from .workers import refuse


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


@transaction.atomic
def contact_pair_start(
    *, actor, worker: Worker, staff=None, grid_worker: Worker | None = None, started_on: dt.date
) -> ContactPair:
    worker = access.get_for_user(
        Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=worker.pk
    )
    if (staff is None) == (grid_worker is None):
        raise refuse("staff", _("Pair the worker with a staff member or a grid worker."))
    if staff is not None and not access.can_in(staff, worker.area, access.Purpose.READ):
        raise refuse("staff", _("This staff member does not work in the worker's community."))
    if grid_worker is not None:
        if grid_worker.pk == worker.pk:
            raise refuse("grid_worker", _("A worker cannot be paired with themselves."))
        access.get_for_user(Worker.objects.all(), actor, pk=grid_worker.pk)
    if started_on > timezone.localdate():
        raise refuse("started_on", _("This date is in the future."))
    existing = ContactPair.objects.filter(worker=worker, ended_on__isnull=True).first()
    if existing is not None:
        raise refuse(
            "worker",
            _("This worker is already paired with %(person)s since %(day)s.")
            % {"person": existing.contact_person, "day": existing.started_on},
        )
    try:
        with transaction.atomic():
            return ContactPair.objects.create(
                worker=worker, staff=staff, grid_worker=grid_worker, started_on=started_on
            )
    except IntegrityError:
        raise refuse("worker", _("This worker was paired a moment ago. Reload the page.")) from None


@transaction.atomic
def contact_pair_end(*, actor, pair: ContactPair, on: dt.date) -> ContactPair:
    pair = access.get_for_user(
        ContactPair.objects.select_for_update(), actor, access.Purpose.WRITE, pk=pair.pk
    )
    if pair.ended_on:
        raise ApplicationError(_("This pairing has already ended."))
    if on < pair.started_on or on > timezone.localdate():
        raise refuse("ended_on", _("Choose a date between the start of the pairing and today."))
    pair.ended_on, pair.uncontacted_month = on, None
    pair.save(update_fields=["ended_on", "uncontacted_month", "updated_at"])
    return pair


def _pair_to_log(actor, pair: ContactPair) -> ContactPair:
    """The paired staff member logs their own contacts (wherever their grants are);
    community staff log any pair in their reach. Outsiders 404, read-only 403."""
    locked = ContactPair.objects.select_for_update()
    if pair.staff_id is not None and pair.staff_id == actor.pk:
        return locked.get(pk=pair.pk)
    return access.get_for_user(locked, actor, access.Purpose.WRITE, pk=pair.pk)


@transaction.atomic
def contact_log_record(
    *, actor, pair: ContactPair, kind: str, on: dt.date, note: str = ""
) -> ContactLog:
    pair = _pair_to_log(actor, pair)
    if kind not in ContactLog.Kind.values:
        raise refuse("kind", _("Choose how you were in contact."))
    if on > timezone.localdate():
        raise refuse("on", _("This date is in the future."))
    if on < pair.started_on or (pair.ended_on and on > pair.ended_on):
        raise refuse("on", _("This date is outside the pairing."))
    log = ContactLog.objects.create(
        pair=pair, kind=kind, on=on, note=(note or "").strip(), recorded_by=actor
    )
    if pair.uncontacted_month and month_start(on) == pair.uncontacted_month:
        pair.uncontacted_month = None
        pair.save(update_fields=["uncontacted_month", "updated_at"])
    return log


def contact_pairs_mark_uncontacted(*, today: dt.date | None = None) -> int:
    """The monthly-contact rule (a beat job, daily): every active pair with no contact
    logged this month is marked for this month; a pair contacted this month is cleared.
    Running it again the same day changes nothing. Returns how many pairs are marked."""
    today = today or timezone.localdate()
    month = month_start(today)
    contacted = Exists(ContactLog.objects.filter(pair=OuterRef("pk"), on__gte=month, on__lte=today))
    active = ContactPair.objects.filter(ended_on__isnull=True, started_on__lte=today)
    with transaction.atomic():
        active.filter(contacted).exclude(uncontacted_month=None).update(
            uncontacted_month=None, updated_at=timezone.now()
        )
        active.filter(~contacted).exclude(uncontacted_month=month).update(
            uncontacted_month=month, updated_at=timezone.now()
        )
    return active.filter(uncontacted_month=month).count()


__all__ = [
    "contact_log_record",
    "contact_pair_end",
    "contact_pair_start",
    "contact_pairs_mark_uncontacted",
    "month_start",
]
