"""Writes for workers, enterprises and outlets: registration (报到) and its review.

Every function refuses bad input with an ApplicationError in plain language and changes
nothing; every status change of a registration is written to its history.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from core.identifiers import MOBILE_RE, normalize_id_number, normalize_mobile, normalize_uscc
from core.masking import mask_phone

from .. import merge, rules
from ..inbox import ACCOUNT_CHANGED, REGISTRATION_REVIEWED, in_workers_language
from ..models import (
    COMMUNITY_LEVEL_VALUES,
    ContactPair,
    Enterprise,
    Occupation,
    Outlet,
    PhoneChange,
    Worker,
    WorkerStatusChange,
)
from .inbox import message_send
from .transfers import transfer_recorded, transfer_request

# The privacy notice a worker reads before registering (templates/members/privacy.html).
# Bump the version whenever the notice changes: consent is recorded against it.
PRIVACY_NOTICE_VERSION = "2026-12"
OLDEST_BIRTH_YEAR = rules.OLDEST_BIRTH_YEAR
YOUNGEST_WORKER_AGE = rules.YOUNGEST_WORKER_AGE


# Registration -----------------------------------------------------------------------------


@dataclass
class WorkerDetails:
    """What a worker (or staff on their behalf) fills in. Empty optional values mean
    "not given"; on an update, only the fields named in `given` are changed."""

    name: str = ""
    phone: str = ""
    area: Area | None = None
    occupation: str = ""
    enterprise: Enterprise | None = None
    platform: str = ""
    outlet: Outlet | None = None
    residence_area: Area | None = None
    gender: str = ""
    birth_year: int | None = None
    id_number: str = ""
    political_status: str = ""
    tags: list[str] = field(default_factory=list)


DETAIL_FIELDS = [f for f in WorkerDetails.__dataclass_fields__]


def _apply(worker: Worker, details: WorkerDetails, given: list[str]) -> None:
    """Normalise and copy the given fields onto the worker, refusing what cannot be right
    whatever the model says (the model's own validators run afterwards)."""
    for name in given:
        value = getattr(details, name)
        if name == "phone":
            value = normalize_mobile(value)
        elif name == "id_number":
            value = normalize_id_number(value)
        elif name in ("name", "platform"):
            value = (value or "").strip()
        elif name == "tags":
            value = sorted({t.strip() for t in value if t and t.strip()})
        setattr(worker, name, value)
    if worker.outlet_id and not worker.enterprise_id:
        worker.enterprise = worker.outlet.enterprise
    # The record's own rules (members.rules), the same for every path: the first problem
    # of each field shows by that field.
    problems = {}
    if "name" in given and (problem := rules.name_problem(worker.name)):
        problems["name"] = problem
    if "occupation" in given and worker.occupation not in Occupation.values:
        problems["occupation"] = _("Choose what work you do.")
    if "birth_year" in given and (problem := rules.birth_year_problem(worker.birth_year)):
        problems["birth_year"] = problem
    references = {"area", "enterprise", "outlet", "residence_area"}
    if references & set(given):
        checked = references if "area" in given else references & set(given)
        problems.update({k: v for k, v in rules.reference_problems(worker).items() if k in checked})
    if problems:
        raise ApplicationError(
            next(iter(problems.values())),
            fields={name: [message] for name, message in problems.items()},
        )


def _check_unique_id_number(worker: Worker, actor) -> None:
    """One person, one record: an ID number already on another record is refused, in the
    same words whether or not the actor reaches that record (members.rules)."""
    if not worker.id_number:
        return
    taken = (
        Worker.objects.filter(id_number_index=Worker.id_number_index_of(worker.id_number))
        .exclude(pk=worker.pk)
        .exists()
    )
    if problem := rules.registered_id_number_problem(taken, by_staff=actor is not None):
        raise refuse("id_number", problem)


def _save(worker: Worker, actor=None) -> None:
    _check_unique_id_number(worker, actor)
    full_clean_or_refuse(
        worker,
        _("The registration could not be saved: please correct the fields shown."),
        validate_unique=False,  # phone and ID: checked above and by the database
        exclude=["id_number_index"],
    )
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as error:
        # Two submissions raced on the same phone or ID number.
        raise refuse(
            "phone", _("This phone number was registered a moment ago; please try again.")
        ) from error


def _set_status(worker: Worker, to: str, *, actor, reason: str = "") -> None:
    WorkerStatusChange.objects.create(
        worker=worker, from_status=worker.status, to_status=to, actor=actor, reason=reason
    )
    worker.status = to
    worker.status_reason = reason
    if to == Worker.Status.APPROVED:
        worker.approved_at = timezone.now()


@transaction.atomic
def worker_register(
    *,
    details: WorkerDetails,
    source: str,
    notice_version: str,
    sensitive_consent: bool = False,
    actor=None,
    invitation=None,
) -> tuple[Worker, bool]:
    """Register a worker with a community (报到): on their phone (actor None) or by staff at
    a station (actor = the staff member, source STAFF). Returns (worker, created).

    A phone already registered resumes that record — its details are updated, never
    duplicated; a returned registration goes back for review. A new registration made
    from an invitation (services.invitation_for_registration) is credited to it; a phone
    already registered is not: the invitation did not bring that worker."""
    if notice_version != PRIVACY_NOTICE_VERSION:
        raise refuse(
            "consent", _("Please read the current privacy notice and agree to it to register.")
        )
    if details.political_status and not sensitive_consent:
        raise refuse(
            "political_status",
            _("Political status is optional: give it only together with the separate consent."),
        )
    if actor is not None and details.area is not None:
        access.require_write_in(actor, details.area)
    phone = normalize_mobile(details.phone)
    worker = Worker.objects.select_for_update().filter(phone=phone).first()
    created = worker is None
    if created:
        worker = Worker(source=source, status=Worker.Status.PENDING)
        if invitation is not None:
            worker.source, worker.invitation = Worker.Source.INVITATION, invitation
    elif worker.status == Worker.Status.MERGED:
        worker = Worker.objects.select_for_update().get(pk=worker.merged_into_id)
    if not created and actor is not None and not access.can_write(actor, worker):
        # Staff who do not reach the record it belongs to: the words every path uses.
        raise refuse("phone", rules.registered_phone_problem(True, by_staff=True))
    given = [name for name in DETAIL_FIELDS if created or _is_given(getattr(details, name))]
    if not created:
        given.remove("phone")  # the phone found this record (or the one it was merged into)
    old_area_id = worker.area_id
    _apply(worker, details, given)
    if not worker.occupation:
        # Optional on a record that has only checked in; a registration asks for it.
        raise refuse("occupation", _("Choose what work you do."))
    now = timezone.now()
    worker.privacy_notice_version = notice_version
    worker.consented_at = now
    if sensitive_consent:
        worker.sensitive_consent_at = now
    _save(worker, actor)
    if created:
        WorkerStatusChange.objects.create(
            worker=worker, to_status=Worker.Status.PENDING, actor=actor, reason=""
        )
    elif worker.status == Worker.Status.UNREGISTERED:
        # Known from checking in, registering now: the registration is made today.
        _set_status(worker, Worker.Status.PENDING, actor=actor)
        worker.registered_at = now
        worker.save(update_fields=["status", "status_reason", "registered_at", "updated_at"])
    elif worker.status == Worker.Status.REJECTED or (
        worker.status == Worker.Status.APPROVED and worker.area_id != old_area_id
    ):
        # Resubmitted after being returned, or moved to another community: that
        # community reviews it.
        _set_status(worker, Worker.Status.PENDING, actor=actor)
        worker.save(update_fields=["status", "status_reason", "updated_at"])
    return worker, created


@transaction.atomic
def worker_known_from_check_in(*, phone: str, name: str, area: Area) -> tuple[Worker, bool]:
    """The record a verified phone checks in with (issue 14 §2): the phone's record if it
    has one (registered or not; a merged one leads to the record kept), else a new record
    that has only checked in — a name, the phone, the community of the station where it
    first checked in (whose staff see it), and no registration (报到): the worker is
    invited to register on /m/me, and review queues hold only real registrations. Returns
    (worker, created). The caller records the worker's agreement to the privacy notice."""
    phone = normalize_mobile(phone)
    worker = Worker.objects.select_for_update().filter(phone=phone).first()
    if worker is not None and worker.status == Worker.Status.MERGED:
        worker = Worker.objects.select_for_update().get(pk=worker.merged_into_id)
    if worker is not None:
        if worker.erased_at:
            raise ApplicationError(_("This account has been deleted."))
        return worker, False
    worker = Worker(
        status=Worker.Status.UNREGISTERED,
        registered_at=None,
        source=Worker.Source.SELF,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        consented_at=timezone.now(),
    )
    _apply(worker, WorkerDetails(name=name, phone=phone, area=area), ["name", "phone", "area"])
    _save(worker)
    WorkerStatusChange.objects.create(
        worker=worker, to_status=Worker.Status.UNREGISTERED, actor=None, reason=""
    )
    return worker, True


def _is_given(value) -> bool:
    return value not in (None, "", [])


@transaction.atomic
def worker_update(*, actor, worker: Worker, details: WorkerDetails, given: list[str]) -> Worker:
    """Staff correct a worker's record (the fields named in `given`)."""
    worker = access.get_for_user(
        Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=worker.pk
    )
    if "political_status" in given and not access.can_in(
        actor, worker.area, access.Purpose.PARTY_WRITE
    ):
        raise refuse("political_status", _("Changing political status needs party-affairs access."))
    if "political_status" in given and details.political_status and not worker.sensitive_consent_at:
        raise refuse(
            "political_status",
            _("The worker has not consented to sensitive data: political status cannot be kept."),
        )
    old_phone = worker.phone
    old_area = worker.area
    _apply(worker, details, given)
    if "area" in given:
        access.require_write_in(actor, worker.area)
    _save(worker, actor)
    if worker.area_id != old_area.pk and worker.status == Worker.Status.APPROVED:
        # Staff who may write in both communities moved a registered worker: kept as a
        # transfer, and the registration still counts where it was made.
        transfer_recorded(actor=actor, worker=worker, from_area=old_area)
    if worker.phone != old_phone:
        # Staff typed a new number on the unmasked record (a worker who lost the old one).
        _phone_changed(worker, old_phone, actor=actor, reason=_("corrected by staff"))
    return worker


def _phone_changed(worker: Worker, old_phone: str, *, actor, reason: str) -> None:
    """One rule for every way a number changes: the history, and a word in the inbox
    (which the worker reads under the new number)."""
    change = PhoneChange.objects.create(
        worker=worker,
        old_phone_masked=mask_phone(old_phone),
        new_phone_masked=worker.masked_phone,
        actor=actor,
        reason=reason[:200],
    )
    with in_workers_language():
        message_send(
            worker=worker,
            kind=ACCOUNT_CHANGED,
            title=_("Your phone number changed"),
            body=_(
                "Log in with %(new)s from now on (it was %(old)s). If you did not ask for "
                "this, tell your community at once."
            )
            % {"new": worker.masked_phone, "old": change.old_phone_masked},
            link=reverse("mobile-me"),
            event_key=f"phone-change:{change.pk}",
        )


def worker_phone_check(*, worker: Worker, new_phone: str) -> str:
    """The new number, normalised, or a refusal: not a mobile number, the number the
    record already has, or one another record holds (two records of one person are
    merged by staff, not overwritten). The phone page asks before it spends a code."""
    new_phone = normalize_mobile(new_phone)
    if not MOBILE_RE.match(new_phone):
        raise refuse("phone", _("Enter an 11-digit mobile number."))
    if new_phone == worker.phone:
        raise refuse("phone", _("This is already the number on the record."))
    if Worker.objects.filter(phone=new_phone).exclude(pk=worker.pk).exists():
        raise refuse(
            "phone",
            _(
                "This number belongs to another registration. If that is you too, ask your "
                "community to merge the two."
            ),
        )
    return new_phone


@transaction.atomic
def worker_phone_change(*, worker: Worker, new_phone: str, actor=None, reason: str = "") -> Worker:
    """A new number for a worker's record. On the phone (no actor), the caller has proved
    the new number with a login code sent to it; in the admin, staff who checked who the
    worker is give the reason."""
    if actor is None:
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
    else:
        if not (reason or "").strip():
            raise refuse("reason", _("Say how you checked that this is the worker's number."))
        worker = access.get_for_user(
            Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=worker.pk
        )
    new_phone = worker_phone_check(worker=worker, new_phone=new_phone)
    old_phone = worker.phone
    worker.phone = new_phone
    _save(worker, actor)
    _phone_changed(
        worker, old_phone, actor=actor, reason=reason.strip() or _("verified by a code sent to it")
    )
    return worker


def phone_changes_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    PhoneChange.objects.filter(worker=duplicate).update(worker=kept)


OWN_EDITABLE_FIELDS = [
    "name",
    "occupation",
    "enterprise",
    "platform",
    "outlet",
    "area",
    "residence_area",
    "gender",
    "birth_year",
    "id_number",
]


@transaction.atomic
def worker_correct_own(*, worker: Worker, details: WorkerDetails, given: list[str]) -> Worker:
    """A worker corrects their own record on the phone (/m/me). The phone number is the
    login and is not changed here; changing community sends the record for review."""
    refused = sorted(set(given) - set(OWN_EDITABLE_FIELDS))
    if refused:
        raise ApplicationError(_("These details cannot be changed here: %s") % ", ".join(refused))
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status == Worker.Status.REJECTED:
        # A returned registration is corrected by registering again (/m/register), which
        # sends it back for review with the reason answered.
        raise ApplicationError(
            _("Your registration was returned: correct it by registering again.")
        )
    moving_to = details.area if "area" in given and details.area != worker.area else None
    if moving_to is not None and worker.status == Worker.Status.APPROVED:
        # A registered worker moves by transfer: the new community accepts first, and
        # until then the worker stays where they are (services.transfers).
        given = [name for name in given if name != "area"]
    else:
        moving_to = None
    if given:
        _apply(worker, details, given)
        _save(worker)
    if moving_to is not None:
        transfer_request(worker=worker, to_area=moving_to)
    return worker


# Review (双报到, the worker half) --------------------------------------------------------

REVIEWABLE = {Worker.Status.PENDING}


def _reviewable(actor, worker: Worker) -> Worker:
    worker = access.get_for_user(
        Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=worker.pk
    )
    if worker.status not in REVIEWABLE:
        raise ApplicationError(
            _("This registration is %(status)s, not waiting for review.")
            % {"status": worker.get_status_display()}
        )
    return worker


@transaction.atomic
def worker_approve(*, actor, worker: Worker) -> Worker:
    worker = _reviewable(actor, worker)
    _set_status(worker, Worker.Status.APPROVED, actor=actor)
    worker.save(update_fields=["status", "status_reason", "approved_at", "updated_at"])
    with in_workers_language():
        message_send(
            worker=worker,
            kind=REGISTRATION_REVIEWED,
            title=_("Your registration is approved"),
            body=_("%(community)s has approved your registration (报到). Welcome!")
            % {"community": worker.area.name},
            link=reverse("mobile-me"),
            event_key=f"registration:{worker.pk}:{worker.status_changes.latest('pk').pk}",
        )
    return worker


@transaction.atomic
def worker_reject(*, actor, worker: Worker, reason: str) -> Worker:
    """Return a registration with a reason the worker reads on their phone."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Tell the worker why, so they can correct it."))
    worker = _reviewable(actor, worker)
    _set_status(worker, Worker.Status.REJECTED, actor=actor, reason=reason[:200])
    worker.save(update_fields=["status", "status_reason", "updated_at"])
    with in_workers_language():
        message_send(
            worker=worker,
            kind=REGISTRATION_REVIEWED,
            title=_("Your registration was returned"),
            body=_(
                "%(community)s returned your registration: %(reason)s Correct it and send it again."
            )
            % {"community": worker.area.name, "reason": worker.status_reason},
            link=reverse("mobile-register"),
            event_key=f"registration:{worker.pk}:{worker.status_changes.latest('pk').pk}",
        )
    return worker


MERGE_FILLED_FIELDS = [
    "id_number",
    "gender",
    "birth_year",
    "enterprise",
    "platform",
    "outlet",
    "residence_area",
]


@transaction.atomic
def worker_merge(*, actor, duplicate: Worker, kept: Worker) -> Worker:
    """Fold a duplicate registration into the record that stays: blanks on the kept record
    are filled from the duplicate, everything that hangs off the duplicate moves over (each
    app's mover in the merge registry: party membership, contact pairs, check-ins, points,
    sign-ups, volunteering, redemptions…), and the duplicate is marked merged and points to
    the kept record. Nothing is deleted: the duplicate's phone keeps leading to the kept
    record (worker_register, phone login). Staff who can write to both records may merge
    them, across districts too (a city department)."""
    if duplicate.pk == kept.pk:
        raise ApplicationError(_("Choose two different records to merge."))
    duplicate = access.get_for_user(
        Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=duplicate.pk
    )
    kept = access.get_for_user(
        Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=kept.pk
    )
    if Worker.Status.MERGED in (duplicate.status, kept.status):
        raise ApplicationError(_("One of these records has already been merged."))
    id_number = duplicate.id_number
    if id_number and kept.id_number and id_number != kept.id_number:
        raise ApplicationError(
            _("These records have different ID numbers: they are two people, not a duplicate.")
        )
    # Records merged into the duplicate earlier now lead to the kept record, so following
    # merged_into once always reaches a live record.
    Worker.objects.filter(merged_into=duplicate).update(merged_into=kept, updated_at=timezone.now())
    _set_status(duplicate, Worker.Status.MERGED, actor=actor, reason=str(kept))
    duplicate.merged_into = kept
    duplicate.id_number = ""  # the ID moves to the kept record (it is unique)
    duplicate.save()
    # The movers run with the duplicate already merged: whatever they set off on its behalf
    # (a sign-up set aside takes back its points) lands on the kept record.
    merge.run_movers(actor=actor, duplicate=duplicate, kept=kept)
    for name in MERGE_FILLED_FIELDS:
        if not _is_given(getattr(kept, name)):
            setattr(kept, name, id_number if name == "id_number" else getattr(duplicate, name))
    if not kept.political_status and duplicate.political_status:
        # Sensitive data moves only together with the consent it was given under.
        kept.political_status = duplicate.political_status
        kept.sensitive_consent_at = duplicate.sensitive_consent_at
    kept.invitation = kept.invitation or duplicate.invitation
    kept.tags = sorted(set(kept.tags) | set(duplicate.tags))
    _save(kept, actor)
    return kept


def contact_pairs_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Contact pairs follow the person, on either side of the pair."""
    ended = {
        "ended_on": Greatest(models.F("started_on"), models.Value(timezone.localdate())),
        "updated_at": timezone.now(),
    }
    active = ContactPair.objects.filter(ended_on__isnull=True)
    # A pair between the two records would become a person paired with themselves.
    active.filter(worker=kept, grid_worker=duplicate).update(**ended)
    active.filter(worker=duplicate, grid_worker=kept).update(**ended)
    if active.filter(worker=kept).exists():
        # One active pair per worker: the kept record's pair stays, the duplicate's ends.
        active.filter(worker=duplicate).update(**ended)
    ContactPair.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())
    ContactPair.objects.filter(grid_worker=duplicate).update(
        grid_worker=kept, updated_at=timezone.now()
    )


# Enterprises and outlets ----------------------------------------------------------------


@transaction.atomic
def enterprise_save(*, actor, enterprise: Enterprise) -> Enterprise:
    if enterprise.area_id is None:
        raise refuse("area", _("Choose the area that keeps this enterprise's record."))
    access.require_write_to(actor, enterprise)
    enterprise.name = enterprise.name.strip()
    enterprise.credit_code = normalize_uscc(enterprise.credit_code)
    full_clean_or_refuse(
        enterprise, _("The enterprise could not be saved: please correct the fields shown.")
    )
    enterprise.save()
    return enterprise


@transaction.atomic
def outlet_save(*, actor, outlet: Outlet) -> Outlet:
    if outlet.area_id is None:
        raise refuse("area", _("Choose the community the outlet is in."))
    access.require_write_to(actor, outlet)
    if outlet.area.level not in COMMUNITY_LEVEL_VALUES:
        raise refuse("area", _("Choose a community or a street, not a whole district."))
    outlet.name = outlet.name.strip()
    outlet.contact_phone = normalize_mobile(outlet.contact_phone) if outlet.contact_phone else ""
    full_clean_or_refuse(
        outlet, _("The outlet could not be saved: please correct the fields shown.")
    )
    outlet.save()
    return outlet


__all__ = [
    "DETAIL_FIELDS",
    "MERGE_FILLED_FIELDS",
    "OLDEST_BIRTH_YEAR",
    "OWN_EDITABLE_FIELDS",
    "PRIVACY_NOTICE_VERSION",
    "phone_changes_merge",
    "worker_phone_change",
    "worker_phone_check",
    "REVIEWABLE",
    "WorkerDetails",
    "contact_pairs_merge",
    "YOUNGEST_WORKER_AGE",
    "enterprise_save",
    "outlet_save",
    "refuse",
    "worker_approve",
    "worker_correct_own",
    "worker_known_from_check_in",
    "worker_merge",
    "worker_register",
    "worker_reject",
    "worker_update",
]
