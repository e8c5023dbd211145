"""Writes for a worker's rights over their data (PIPL arts. 44–47): consent to the privacy
notice (again, when a new version is published), withdrawing the separate consent to
sensitive data, and deleting the account — asked on the phone, handled by staff of the
worker's community within DELETION_DEADLINE_DAYS — and the retention rules of members'
own tables (members.personal_data lists them with every other app's)."""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core.exceptions import ApplicationError, refuse

from .. import personal_data
from ..models import (
    ConsentEvent,
    ContactLog,
    ContactPair,
    DeletionRequest,
    Invitation,
    LoginCode,
    Message,
    MessagePreference,
    PhoneChange,
    Worker,
    WorkerStatusChange,
    WorkerTransfer,
)
from .workers import PRIVACY_NOTICE_VERSION, worker_known_from_check_in, worker_register

# PIPL art. 50 asks for a timely answer; 15 working days is the common reading. No
# working-day calendar exists here yet, so 15 calendar days (sooner, never later).
DELETION_DEADLINE_DAYS = 15
# What a deleted account's name becomes: neutral, the same for everyone.
ERASED_NAME = "已注销"
# Rows a retention run anonymises at most (a beat job: the rest waits for the next run).
RETENTION_BATCH = 500


def deletion_deadline_days() -> int:
    return getattr(settings, "DELETION_REQUEST_DEADLINE_DAYS", DELETION_DEADLINE_DAYS)


def current_notice_version() -> str:
    return PRIVACY_NOTICE_VERSION


# Consent ------------------------------------------------------------------------------------


@transaction.atomic
def notice_accept(*, worker: Worker, version: str) -> ConsentEvent:
    """The worker agrees to the current privacy notice on their phone (at registration, or
    again when a new version asks). Agreeing twice records it once."""
    if version != current_notice_version():
        raise refuse(
            "consent", _("The privacy notice has changed. Please read the new one and agree.")
        )
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.erased_at:
        raise ApplicationError(_("This account has been deleted."))
    existing = ConsentEvent.objects.filter(
        worker=worker, kind=ConsentEvent.Kind.NOTICE_ACCEPTED, notice_version=version, actor=None
    ).first()
    if existing is not None:
        return existing
    now = timezone.now()
    worker.privacy_notice_version, worker.consented_at = version, now
    worker.save(update_fields=["privacy_notice_version", "consented_at", "updated_at"])
    return ConsentEvent.objects.create(
        worker=worker, kind=ConsentEvent.Kind.NOTICE_ACCEPTED, notice_version=version, at=now
    )


@transaction.atomic
def worker_register_on_phone(
    *, details, notice_version: str, sensitive_consent: bool = False, invitation=None
) -> tuple[Worker, bool]:
    """Registration on the phone (services.worker_register, actor None) and, with it, the
    worker's own agreement to the notice (and to sensitive data, if given): the consent
    history says the worker agreed themselves, which a staff registration cannot say."""
    worker, created = worker_register(
        details=details,
        source=Worker.Source.SELF,
        notice_version=notice_version,
        sensitive_consent=sensitive_consent,
        invitation=invitation,
    )
    notice_accept(worker=worker, version=notice_version)
    if sensitive_consent:
        ConsentEvent.objects.create(worker=worker, kind=ConsentEvent.Kind.SENSITIVE_GIVEN)
    return worker, created


@transaction.atomic
def worker_check_in_on_phone(*, phone: str, name: str, notice_version: str, area) -> Worker:
    """A worker checking in for the first time on their phone (issue 14 §2): the record
    a verified phone checks in with (services.worker_known_from_check_in) and the worker's
    own agreement to the privacy notice, which checking in needs — nothing else is asked,
    and no registration (报到) is filed."""
    if notice_version != current_notice_version():
        raise refuse(
            "consent", _("Please read the current privacy notice and agree to it to check in.")
        )
    worker, _created = worker_known_from_check_in(phone=phone, name=name, area=area)
    notice_accept(worker=worker, version=notice_version)
    return worker


@transaction.atomic
def sensitive_consent_withdraw(*, worker: Worker) -> Worker:
    """The worker withdraws the separate consent to sensitive data (PIPL art. 15): their
    political status is removed, every app drops what it kept under that consent (party:
    the membership record here ends), and the history keeps only the fact and its time."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if not worker.sensitive_consent_at:
        raise ApplicationError(
            _("You have not given this consent, so there is nothing to withdraw.")
        )
    worker.political_status = ""
    worker.sensitive_consent_at = None
    worker.save(update_fields=["political_status", "sensitive_consent_at", "updated_at"])
    ConsentEvent.objects.create(worker=worker, kind=ConsentEvent.Kind.SENSITIVE_WITHDRAWN)
    personal_data.withdraw_sensitive(worker=worker, actor=None)
    return worker


# Deleting the account -----------------------------------------------------------------------


@transaction.atomic
def deletion_request_create(*, worker: Worker, note: str = "") -> DeletionRequest:
    """The worker asks for their account to be deleted; staff of their community answer by
    the deadline."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.erased_at:
        raise ApplicationError(_("This account has already been deleted."))
    if worker.deletion_requests.filter(status=DeletionRequest.Status.PENDING).exists():
        raise ApplicationError(
            _("You have already asked for this. The community will answer by the date shown.")
        )
    return DeletionRequest.objects.create(
        worker=worker,
        note=(note or "").strip()[:200],
        due_on=timezone.localdate() + dt.timedelta(days=deletion_deadline_days()),
    )


def _pending(request_pk: int) -> DeletionRequest:
    request = DeletionRequest.objects.select_for_update().get(pk=request_pk)
    if request.status != DeletionRequest.Status.PENDING:
        raise ApplicationError(
            _("This request is %(status)s: it is no longer waiting.")
            % {"status": request.get_status_display()}
        )
    return request


@transaction.atomic
def deletion_request_cancel(*, worker: Worker, request: DeletionRequest) -> DeletionRequest:
    """The worker changes their mind while the request waits."""
    if request.worker_id != worker.pk:
        raise ApplicationError(_("This is not your request."))
    request = _pending(request.pk)
    request.status = DeletionRequest.Status.CANCELLED
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at", "updated_at"])
    return request


def _for_staff(actor, request: DeletionRequest) -> DeletionRequest:
    access.get_for_user(DeletionRequest.objects.all(), actor, access.Purpose.WRITE, pk=request.pk)
    return _pending(request.pk)


@transaction.atomic
def deletion_request_complete(*, actor, request: DeletionRequest) -> DeletionRequest:
    """Staff of the worker's community delete the account: every app anonymises its rows
    (worker_erase); the request stays as the record that it was done, and when."""
    request = _for_staff(actor, request)
    worker_erase(actor=actor, worker=request.worker)
    request.status = DeletionRequest.Status.DONE
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return request


@transaction.atomic
def deletion_request_refuse(*, actor, request: DeletionRequest, reason: str) -> DeletionRequest:
    """Staff refuse, with a reason the worker reads on their phone (e.g. a redemption or a
    party matter still open). The worker may ask again."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("refusal_reason", _("Tell the worker why, in words they will understand."))
    request = _for_staff(actor, request)
    request.status = DeletionRequest.Status.REFUSED
    request.refusal_reason = reason[:200]
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(
        update_fields=["status", "refusal_reason", "decided_by", "decided_at", "updated_at"]
    )
    return request


@transaction.atomic
def worker_erase(*, actor, worker: Worker) -> Worker:
    """Anonymise a worker everywhere (members.personal_data: every app's handler). Rows
    stay — counts, rollups and the append-only points ledger are not rewritten — but
    nothing left names the person. `actor` None: a retention rule did it."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.erased_at:
        return worker
    if worker.status == Worker.Status.MERGED:
        # The person is the record it was merged into; erasing that one erases this too.
        raise ApplicationError(_("This record was merged: delete the record it was merged into."))
    personal_data.erase(worker=worker, actor=actor)
    worker.refresh_from_db()
    return worker


# Merges (members.merge) -----------------------------------------------------------------------


def consents_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """The consents were the person's: they follow them to the kept record."""
    ConsentEvent.objects.filter(worker=duplicate).update(worker=kept)


def deletion_requests_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """A request follows the person; if both records asked, the kept record's request is
    the one that stays waiting."""
    pending = DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING)
    if pending.filter(worker=kept).exists():
        pending.filter(worker=duplicate).update(
            status=DeletionRequest.Status.CANCELLED, decided_at=timezone.now()
        )
    DeletionRequest.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())


# Members' own handler: erase and retention ---------------------------------------------------


def members_erase(*, worker: Worker, actor) -> None:
    """The worker's record and every record merged into it, their registration history's
    reasons, contact pairs (ended; notes blanked), invitations addressed to them, login
    codes, and their notes on deletion requests."""
    now, today = timezone.now(), timezone.localdate()
    records = list(
        Worker.objects.select_for_update().filter(
            models.Q(pk=worker.pk) | models.Q(merged_into=worker)
        )
    )
    phones = [record.phone for record in records]
    ids = [record.pk for record in records]
    for record in records:
        record.name = ERASED_NAME
        record.phone = f"x{record.pk:010d}"[:11]
        record.id_number = ""
        record.gender = ""
        record.birth_year = None
        record.platform = ""
        record.residence_area = None
        record.political_status = ""
        record.sensitive_consent_at = None
        record.tags = []
        record.status_reason = ""
        record.last_login_at = None
        record.erased_at = now
        record.save()
    WorkerStatusChange.objects.filter(worker_id__in=ids).exclude(reason="").update(reason="")
    WorkerTransfer.objects.filter(worker_id__in=ids).exclude(reason="").update(reason="")
    WorkerTransfer.objects.filter(worker_id__in=ids, status=WorkerTransfer.Status.PENDING).update(
        status=WorkerTransfer.Status.WITHDRAWN, decided_at=now
    )
    pairs = ContactPair.objects.filter(
        models.Q(worker_id__in=ids) | models.Q(grid_worker_id__in=ids)
    )
    pairs.filter(ended_on__isnull=True).update(
        ended_on=Greatest(models.F("started_on"), models.Value(today)), updated_at=now
    )
    ContactLog.objects.filter(pair__in=pairs).exclude(note="").update(note="")
    Invitation.objects.filter(
        models.Q(recipient_phone__in=phones) | models.Q(registrations__in=ids)
    ).update(recipient_name="", recipient_phone="")
    LoginCode.objects.filter(phone__in=phones).delete()
    DeletionRequest.objects.filter(worker_id__in=ids).exclude(note="").update(note="")
    Message.objects.filter(
        models.Q(worker_id__in=ids) | models.Q(worker__isnull=True, phone__in=phones)
    ).delete()
    PhoneChange.objects.filter(worker_id__in=ids).delete()
    MessagePreference.objects.filter(worker_id__in=ids).delete()


def inactive_workers_erase(*, before: dt.datetime) -> int:
    """Records nobody has used since `before` — no login on the phone, no change by staff —
    are anonymised as a deleted account would be (a batch per run)."""
    stale = (
        Worker.objects.filter(erased_at__isnull=True)
        .exclude(status=Worker.Status.MERGED)
        # GREATEST skips NULLs: a record never logged into counts from its last change.
        .annotate(last_used=Greatest("last_login_at", "updated_at"))
        .filter(last_used__lt=before)
        .values_list("pk", flat=True)[:RETENTION_BATCH]
    )
    done = 0
    for pk in list(stale):
        worker_erase(actor=None, worker=Worker(pk=pk))
        done += 1
    return done


def returned_registrations_erase(*, before: dt.datetime) -> int:
    """A registration returned to the worker and not corrected since `before` is not kept."""
    stale = Worker.objects.filter(
        erased_at__isnull=True, status=Worker.Status.REJECTED, updated_at__lt=before
    ).values_list("pk", flat=True)[:RETENTION_BATCH]
    done = 0
    for pk in list(stale):
        worker_erase(actor=None, worker=Worker(pk=pk))
        done += 1
    return done


def contact_notes_blank(*, before: dt.datetime) -> int:
    """Notes of contacts older than `before` are blanked; the contact itself (who, when,
    how) stays for the monthly-contact figures."""
    return ContactLog.objects.filter(on__lt=before.date()).exclude(note="").update(note="")


def invitation_recipients_blank(*, before: dt.datetime) -> int:
    """Who an invitation was addressed to is forgotten once its batch is older than
    `before`; the code and the funnel's counts stay."""
    old = Invitation.objects.filter(batch__created_at__lt=before).filter(
        ~models.Q(recipient_name="") | ~models.Q(recipient_phone="")
    )
    return old.update(recipient_name="", recipient_phone="")


def messages_delete(*, before: dt.datetime) -> int:
    deleted, _by_model = Message.objects.filter(created_at__lt=before).delete()
    return deleted


def login_codes_delete(*, before: dt.datetime) -> int:
    deleted, _counts = LoginCode.objects.filter(created_at__lt=before).delete()
    return deleted


def deletion_requests_delete(*, before: dt.datetime) -> int:
    """Handled requests are the proof that a request was answered; kept until `before`."""
    deleted, _counts = (
        DeletionRequest.objects.exclude(status=DeletionRequest.Status.PENDING)
        .filter(decided_at__lt=before)
        .delete()
    )
    return deleted


__all__ = [
    "DELETION_DEADLINE_DAYS",
    "ERASED_NAME",
    "consents_merge",
    "contact_notes_blank",
    "current_notice_version",
    "deletion_deadline_days",
    "deletion_request_cancel",
    "deletion_request_complete",
    "deletion_request_create",
    "deletion_request_refuse",
    "deletion_requests_delete",
    "deletion_requests_merge",
    "inactive_workers_erase",
    "invitation_recipients_blank",
    "login_codes_delete",
    "messages_delete",
    "members_erase",
    "notice_accept",
    "returned_registrations_erase",
    "sensitive_consent_withdraw",
    "worker_erase",
    "worker_check_in_on_phone",
    "worker_register_on_phone",
]
