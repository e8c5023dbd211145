"""Donors and their claims (issue 15 §2).

A donor keeps their own profile on the phone; staff of its district or street verify an
organisation, and from then on its claims count as the organisation's. A claim is made on
a published wish: a worker's own wish is claimed whole by one donor at a time (the
database keeps it so: wishes_claim_one_live_claim_per_wish), a collective wish item by
item, never more than was asked. Every claim locks its wish first, so that twenty donors
tapping at once are served one after the other: one gets the wish (or exactly the
quantities still needed), the others are told it has been taken, never by whom.

The gift is handed over at a station the donor chose among those near the wish (never the
worker's address): the keeper types or scans the worker's pickup code at the counter
(claim_hand_over), or staff record a delivery they made themselves (claim_deliver). The
wish has come true when the worker confirms on the phone, with a thank-you if they like
(claim_confirm), or staff confirm with a photo (claim_confirm_by_staff).

A claim not handed over by its deadline lapses (claims_lapse, a beat job) and the wish is
back on the wall; so does a claim its donor or the community cancels.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core import photos, sensitive_words
from core.exceptions import ApplicationError, refuse
from core.identifiers import (
    normalize_mobile,
    normalize_typable_code,
    unused_typable_code,
    validate_mobile,
)
from members.inbox import in_workers_language
from members.models import Message
from members.services import message_send
from stations.models import Station

from ..models import LIVE_CLAIM, PICKUP_CODE_LENGTH, Claim, ClaimLine, Donor, Wish, WishItem
from ..selectors import handover_stations
from .wishes import NUMBER_IN_TEXT, change_status, rules_for, tell_worker, text_problem

# The donor's inbox kind (registered in apps.py): deadlines, handover, the worker's thanks.
# A donor without a worker record reads it in the phone's inbox (members.services.inbox).
DONOR_MESSAGES = "wishes.donor"

__all__ = [
    "DONOR_MESSAGES",
    "LIVE_CLAIM",
    "DonorProfile",
    "donor_profile_save",
    "donor_verify",
    "donor_verification_withdraw",
    "donor_kind_of",
    "donor_erase",
    "claim_make",
    "claim_cancel",
    "claims_lapse",
    "claims_remind",
    "claim_hand_over",
    "claim_deliver",
    "claim_confirm",
    "claim_confirm_by_staff",
]

DONOR_AREA_LEVELS = (Area.Level.DISTRICT, Area.Level.STREET)


# Donors --------------------------------------------------------------------------------------


def donor_kind_of(donor: Donor) -> str:
    """Who gave, for the figures: the kind of a verified organisation, else "individual"
    (an organisation's claims count as its own only once staff have verified it)."""
    if donor.is_verified_organisation:
        return donor.organisation_kind
    return Donor.Kind.INDIVIDUAL


class DonorProfile:
    """What a donor says about themselves on the phone."""

    def __init__(self, *, kind, name, area, organisation_kind="", contact_name=""):
        self.kind = kind
        self.name = (name or "").strip()
        self.area = area
        self.organisation_kind = organisation_kind or ""
        self.contact_name = (contact_name or "").strip()


def _check_profile(profile: DonorProfile) -> None:
    if profile.kind not in Donor.Kind.values:
        raise refuse("kind", _("Say whether you give as an organisation or as yourself."))
    if not profile.name:
        raise refuse("name", _("Give your name, or the organisation's."))
    if NUMBER_IN_TEXT.search(profile.name) or NUMBER_IN_TEXT.search(profile.contact_name):
        raise refuse("name", _("Leave phone numbers out of names: we have your number."))
    if problem := sensitive_words.problem(profile.name):  # a verified name is shown
        raise refuse("name", problem)
    if profile.area is None or profile.area.level not in DONOR_AREA_LEVELS:
        raise refuse("area", _("Choose the district or street where you give."))
    if profile.kind == Donor.Kind.ORGANISATION:
        if profile.organisation_kind not in Donor.OrganisationKind.values:
            raise refuse("organisation_kind", _("Say what kind of organisation it is."))
        if not profile.contact_name:
            raise refuse("contact_name", _("Name the person the community can call."))
    else:
        profile.organisation_kind = ""
        profile.contact_name = ""


@transaction.atomic
def donor_profile_save(*, phone: str, profile: DonorProfile) -> Donor:
    """The donor signed in with `phone` (the SMS login) gives or corrects their profile.
    A verified organisation that changes who it is, or where, is verified again."""
    phone = normalize_mobile(phone or "")
    validate_mobile(phone)
    _check_profile(profile)
    donor = Donor.objects.select_for_update().filter(phone=phone).first()
    if donor is None:
        # Saving the profile needs the donor's agreement: the caller asked for it.
        donor = Donor(phone=phone, consented_at=timezone.now())
    identity_changed = (donor.kind, donor.organisation_kind, donor.name, donor.area_id) != (
        profile.kind,
        profile.organisation_kind,
        profile.name,
        profile.area.pk,
    )
    donor.kind = profile.kind
    donor.organisation_kind = profile.organisation_kind
    donor.name = profile.name[:60]
    donor.contact_name = profile.contact_name[:30]
    donor.area = profile.area
    if identity_changed and donor.verified_at is not None:
        donor.verified_at = donor.verified_by = None
        _recount_live_claims(donor)
    donor.save()
    return donor


def _recount_live_claims(donor: Donor) -> None:
    Claim.objects.filter(donor=donor, status=Claim.Status.CLAIMED).update(
        donor_kind=donor_kind_of(donor)
    )


def _donor_to_review(actor, donor: Donor) -> Donor:
    # The donor's district or street: a community's staff do not reach it (404).
    return access.get_for_user(
        Donor.objects.select_for_update(), actor, access.Purpose.WRITE, pk=donor.pk
    )


@transaction.atomic
def donor_verify(*, actor, donor: Donor) -> Donor:
    """Staff of the organisation's district or street have checked it is who it says: its
    claims, those made while it waited too, count as the organisation's."""
    donor = _donor_to_review(actor, donor)
    if donor.erased_at is not None:
        raise ApplicationError(_("This donor deleted their profile: there is nothing to verify."))
    if donor.kind != Donor.Kind.ORGANISATION:
        raise ApplicationError(
            _("Only an organisation is verified; a volunteer gives as themselves.")
        )
    if donor.verified_at is not None:
        return donor
    donor.verified_at, donor.verified_by = timezone.now(), actor
    donor.save(update_fields=["verified_at", "verified_by", "updated_at"])
    Claim.objects.filter(donor=donor).update(donor_kind=donor_kind_of(donor))
    return donor


@transaction.atomic
def donor_verification_withdraw(*, actor, donor: Donor) -> Donor:
    """The organisation turned out not to be what it said: its claims still open count as
    an individual's again (those that came true stay as they were)."""
    donor = _donor_to_review(actor, donor)
    if donor.verified_at is None:
        raise ApplicationError(_("This donor is not verified."))
    donor.verified_at = donor.verified_by = None
    donor.save(update_fields=["verified_at", "verified_by", "updated_at"])
    _recount_live_claims(donor)
    return donor


@transaction.atomic
def donor_erase(*, phone: str) -> Donor | None:
    """The donor deletes their profile (their right under PIPL): claims not yet handed over
    are released back to the wall, their words to workers removed, name and phone replaced;
    the claims stay in the counts, as "a donor who left". Their inbox by phone goes too."""
    donor = Donor.objects.select_for_update().filter(phone=phone, erased_at=None).first()
    if donor is None:
        return None
    for claim_id in donor.claims.filter(status=Claim.Status.CLAIMED).values_list("pk", flat=True):
        claim = _locked_claim(claim_id)
        _release(
            claim,
            status=Claim.Status.CANCELLED,
            reason=_("The donor took the claim back."),
            actor=None,
            tell=False,
        )
    donor.claims.exclude(message="").update(message="")
    Message.objects.filter(worker=None, phone=donor.phone).delete()
    donor.name = ""
    donor.contact_name = ""
    donor.phone = f"x{donor.pk:010d}"[-11:]  # never a phone anyone signs in with
    donor.verified_at = donor.verified_by = None
    donor.erased_at = timezone.now()
    donor.save()
    return donor


# Claims --------------------------------------------------------------------------------------


def tell_donor(claim: Claim, *, title: str, body: str, event: str) -> None:
    """A message to the claim's donor (compose it inside in_workers_language())."""
    message_send(
        phone=claim.donor.phone,
        kind=DONOR_MESSAGES,
        title=title,
        body=body,
        link=reverse("mobile-my-claims"),
        event_key=f"claim:{claim.pk}:{event}",
    )


def _taken() -> ApplicationError:
    return ApplicationError(
        _(
            "Someone has already claimed this wish. Thank you — other wishes are waiting on the wall."
        )
    )


def _quantities(raw) -> dict[int, int]:
    try:
        quantities = {int(item): int(quantity) for item, quantity in (raw or {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise refuse("quantities", _("Say how many of each item you give.")) from None
    return {item: quantity for item, quantity in quantities.items() if quantity != 0}


@transaction.atomic
def claim_make(
    *,
    donor: Donor,
    wish: Wish,
    station: Station | None,
    quantities: dict | None = None,
    message: str = "",
    client_key: uuid.UUID | None = None,
) -> Claim:
    """The donor promises to make `wish` come true, handing the gift over at `station`
    (one of selectors.handover_stations): the whole of a worker's own wish, or `quantities`
    ({item id: how many}) of a collective wish's items. The same claim sent twice (a
    double tap, a replay) is the one claim."""
    if client_key is not None:
        existing = Claim.objects.filter(client_key=client_key).first()
        if existing is not None:
            if existing.donor_id != donor.pk:
                raise ApplicationError(_("This claim was sent from another account."))
            return existing
    message = (message or "").strip()
    if message and (problem := text_problem(message)):
        raise refuse("message", problem)
    # The wish first, then the donor: every claim takes its locks in this order.
    wish = Wish.objects.select_for_update().filter(pk=wish.pk).first()
    if wish is None:
        raise ApplicationError(_("This wish is not on the wall."))
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    if wish.worker_id and wish.worker.phone == donor.phone:
        raise ApplicationError(_("This is your own wish: it is for others to claim."))
    if wish.status != Wish.Status.PUBLISHED:
        mine = wish.claims.filter(donor=donor, status=Claim.Status.CLAIMED).first()
        if mine is not None and wish.kind == Wish.Kind.INDIVIDUAL:
            return mine  # tapped twice, without a key
        if wish.status in (Wish.Status.CLAIMED, Wish.Status.FULFILLED):
            raise _taken()
        raise ApplicationError(_("This wish is not on the wall."))
    if station is None or not handover_stations(wish).filter(pk=station.pk).exists():
        raise refuse("station", _("Choose one of the stations offered for the handover."))
    rules = rules_for(wish.area)
    holding = Claim.objects.filter(donor=donor, status=Claim.Status.CLAIMED).count()
    if holding >= rules.open_claims_per_donor:
        raise ApplicationError(
            _(
                "You are holding %(count)d claims not yet handed over: hand one over first, "
                "so that other donors get their turn."
            )
            % {"count": holding}
        )
    claim = Claim(
        wish=wish,
        donor=donor,
        whole=wish.kind == Wish.Kind.INDIVIDUAL,
        donor_kind=donor_kind_of(donor),
        deadline=timezone.now() + timedelta(days=rules.claim_days),
        message=message[:200],
        station=station,
        pickup_code=unused_typable_code(PICKUP_CODE_LENGTH, model=Claim, field="pickup_code"),
        client_key=client_key,
    )
    if claim.whole:
        if _quantities(quantities):
            raise refuse("quantities", _("A worker's own wish is claimed whole."))
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:
            raise _taken() from None  # the constraint behind the lock
        fully_claimed = True
    else:
        fully_claimed = _commit_items(claim, wish, _quantities(quantities))
    if fully_claimed:
        change_status(wish, Wish.Status.CLAIMED, actor=None)
        wish.save(update_fields=["status", "status_reason", "updated_at"])
    with in_workers_language():
        tell_worker(
            wish,
            title=_("Someone will make your wish come true"),
            body=_(
                "%(donor)s claimed your wish. Pick it up at %(station)s with the code "
                "%(code)s (also on your wish's page)."
            )
            % {"donor": donor.public_name, "station": station.name, "code": claim.pickup_code},
            event=f"claimed:{claim.pk}",
        )
    return claim


def _committed(items) -> dict[int, int]:
    """How many of each item live claims have committed to."""
    rows = (
        ClaimLine.objects.filter(item__in=items, claim__status__in=LIVE_CLAIM)
        .values("item")
        .annotate(total=Sum("quantity"))
    )
    return {row["item"]: row["total"] for row in rows}


def _commit_items(claim: Claim, wish: Wish, quantities: dict[int, int]) -> bool:
    """Saves `claim` with its lines, each within what is still needed; True when the
    collective wish is then wholly claimed. Runs with the wish locked."""
    items = {item.pk: item for item in WishItem.objects.filter(wish=wish).order_by("pk")}
    if not quantities:
        raise refuse("quantities", _("Say how many of each item you give."))
    if not set(quantities) <= set(items):
        raise refuse("quantities", _("Choose items of this wish."))
    committed = _committed(items.values())
    for item_id, quantity in quantities.items():
        item = items[item_id]
        still_needed = item.quantity - committed.get(item_id, 0)
        if quantity < 0:
            raise refuse("quantities", _("Say how many of each item you give."))
        if still_needed <= 0:
            raise refuse(
                "quantities",
                _("Someone has already claimed all the %(item)s.") % {"item": item.name},
            )
        if quantity > still_needed:
            raise refuse(
                "quantities",
                _("Only %(count)d %(item)s are still needed: claim that many or fewer.")
                % {"count": still_needed, "item": item.name},
            )
    claim.save()
    ClaimLine.objects.bulk_create(
        ClaimLine(claim=claim, item_id=item_id, quantity=quantity)
        for item_id, quantity in sorted(quantities.items())
    )
    for item_id, quantity in quantities.items():
        committed[item_id] = committed.get(item_id, 0) + quantity
    return all(committed.get(pk, 0) >= item.quantity for pk, item in items.items())


def _release(claim: Claim, *, status: str, reason: str, actor, tell: bool = True) -> Claim:
    """Ends a live claim (its wish locked by the caller): the wish is back on the wall, and
    the donor is told why (unless they took it back themselves)."""
    claim.status = status
    claim.released_at = timezone.now()
    claim.release_reason = reason[:200]
    claim.save(update_fields=["status", "released_at", "release_reason", "updated_at"])
    wish = claim.wish
    if wish.status == Wish.Status.CLAIMED:
        change_status(wish, Wish.Status.PUBLISHED, actor=actor, reason=reason)
        wish.save(update_fields=["status", "status_reason", "updated_at"])
    if tell:
        with in_workers_language():
            tell_donor(
                claim,
                title=_("Your claim has ended: %(wish)s") % {"wish": wish.text[:20]},
                body=reason,
                event=status,
            )
    return claim


def _locked_claim(claim_id: int, *, scoped_to=None) -> Claim | None:
    """The claim and its wish, locked wish first (the order claim_make takes)."""
    found = Claim.objects.filter(pk=claim_id).values_list("wish_id", flat=True).first()
    if found is None:
        return None
    Wish.objects.select_for_update().filter(pk=found).first()
    claims = Claim.objects.select_for_update().select_related("wish", "donor")
    if scoped_to is not None:
        return access.get_for_user(claims, scoped_to, access.Purpose.WRITE, pk=claim_id)
    return claims.filter(pk=claim_id).first()


@transaction.atomic
def claim_cancel(
    *, claim: Claim, donor: Donor | None = None, actor=None, reason: str = ""
) -> Claim:
    """The donor takes back their claim, or the community cancels it saying why (a donor
    who cannot be reached): the wish is back on the wall."""
    if (donor is None) == (actor is None):
        raise ValueError("a claim is cancelled by its donor or by staff")
    reason = (reason or "").strip()
    if actor is not None:
        if not reason:
            raise refuse("reason", _("Say why the claim is cancelled: the donor reads it."))
        claim = _locked_claim(claim.pk, scoped_to=actor)
    else:
        claim = _locked_claim(claim.pk)
        if claim is None or claim.donor_id != donor.pk:
            raise ApplicationError(_("This is not one of your claims."))
        reason = reason or _("The donor took the claim back.")
    if claim.status != Claim.Status.CLAIMED:
        raise ApplicationError(
            _("This claim is %(status)s: there is nothing to cancel.")
            % {"status": claim.get_status_display()}
        )
    return _release(
        claim, status=Claim.Status.CANCELLED, reason=reason, actor=actor, tell=actor is not None
    )


def claims_lapse(*, now=None) -> int:
    """Claims not handed over by their deadline lapse, and their wishes go back on the wall
    (the beat job; each claim in its own transaction, so a run stopped half way loses
    nothing and a second run finds nothing left to do)."""
    now = now or timezone.now()
    overdue = Claim.objects.filter(status=Claim.Status.CLAIMED, deadline__lt=now)
    lapsed = 0
    for claim_id in overdue.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            claim = _locked_claim(claim_id)
            if claim is None or claim.status != Claim.Status.CLAIMED or claim.deadline >= now:
                continue
            _release(
                claim,
                status=Claim.Status.LAPSED,
                reason=_("Not handed over by the deadline: back on the wall for other donors."),
                actor=None,
            )
            lapsed += 1
    return lapsed


# Handover and fulfilment ------------------------------------------------------------------


def _lapsed_or_not_waiting(claim: Claim) -> ApplicationError:
    if claim.status == Claim.Status.HANDED_OVER:
        return refuse(
            "pickup_code",
            _("Already handed over on %(when)s.")
            % {"when": timezone.localtime(claim.handed_over_at).strftime("%Y-%m-%d %H:%M")},
        )
    if claim.status == Claim.Status.LAPSED:
        return refuse(
            "pickup_code",
            _("This claim lapsed on %(when)s: the wish went back on the wall.")
            % {"when": timezone.localtime(claim.released_at).strftime("%Y-%m-%d")},
        )
    return refuse(
        "pickup_code",
        _("This claim is %(status)s: there is nothing to hand over.")
        % {"status": claim.get_status_display()},
    )


def _handed_over(claim: Claim, *, actor, delivered: bool) -> Claim:
    if claim.status != Claim.Status.CLAIMED or claim.deadline <= timezone.now():
        raise _lapsed_or_not_waiting(claim)
    claim.status = Claim.Status.HANDED_OVER
    claim.handed_over_at = timezone.now()
    claim.handed_over_by = actor
    claim.delivered_by_staff = delivered
    claim.save(
        update_fields=[
            "status",
            "handed_over_at",
            "handed_over_by",
            "delivered_by_staff",
            "updated_at",
        ]
    )
    with in_workers_language():
        tell_donor(
            claim,
            title=_("Handed over: %(wish)s") % {"wish": claim.wish.text[:20]},
            body=_("Your gift has reached %(worker)s. Thank you!")
            % {"worker": claim.wish.public_who},
            event="handed_over",
        )
    return claim


@transaction.atomic
def claim_hand_over(*, actor, pickup_code: str) -> Claim:
    """The keeper of the handover station (or the community's staff) types or scans the
    worker's pickup code and gives them the gift."""
    code = normalize_typable_code(pickup_code)
    found = Claim.objects.filter(pickup_code=code).only("pk").first()
    if found is None:
        raise refuse("pickup_code", _("No wish has this pickup code: check it again."))
    # 404 for a code of a station the keeper does not keep; 403 for read-only staff.
    claim = _locked_claim(found.pk, scoped_to=actor)
    return _handed_over(claim, actor=actor, delivered=False)


@transaction.atomic
def claim_deliver(*, actor, claim: Claim) -> Claim:
    """Staff took the gift to the worker themselves (a worker who cannot come to the
    station): recorded as handed over, by them."""
    claim = _locked_claim(claim.pk, scoped_to=actor)
    return _handed_over(claim, actor=actor, delivered=True)


def _fulfil(claim: Claim, *, actor) -> Claim:
    """The claim has come true; so has its wish once nothing else is waiting (a
    collective wish: every item committed and every live claim come true)."""
    claim.status = Claim.Status.FULFILLED
    claim.fulfilled_at = timezone.now()
    claim.confirmed_by = actor
    if claim.handed_over_at is None:  # the worker says so: the donor gave it in person
        claim.handed_over_at = claim.fulfilled_at
    claim.save()
    wish = claim.wish
    waiting = wish.claims.filter(status__in=[Claim.Status.CLAIMED, Claim.Status.HANDED_OVER])
    if wish.status == Wish.Status.CLAIMED and not waiting.exists():
        change_status(wish, Wish.Status.FULFILLED, actor=actor)
        wish.fulfilled_at = claim.fulfilled_at
        wish.save(update_fields=["status", "status_reason", "fulfilled_at", "updated_at"])
    with in_workers_language():
        said = _("The worker says: “%(thanks)s”") % {"thanks": claim.thanks} if claim.thanks else ""
        tell_donor(
            claim,
            title=_("A wish came true: %(wish)s") % {"wish": wish.text[:20]},
            body=" ".join(
                part
                for part in (_("%(worker)s has it. Thank you!") % {"worker": wish.public_who}, said)
                if part
            ),
            event="fulfilled",
        )
    return claim


def _may_come_true(claim: Claim) -> None:
    if claim.status in (Claim.Status.CLAIMED, Claim.Status.HANDED_OVER):
        if claim.status == Claim.Status.CLAIMED and claim.deadline <= timezone.now():
            raise ApplicationError(
                _("This claim has passed its deadline: ask the community to look into it.")
            )
        return
    if claim.status == Claim.Status.FULFILLED:
        raise ApplicationError(_("This wish has already come true. Thank you!"))
    raise ApplicationError(
        _("This claim is %(status)s: it can no longer come true.")
        % {"status": claim.get_status_display()}
    )


@transaction.atomic
def claim_confirm(*, worker, claim: Claim, thanks: str = "") -> Claim:
    """The worker says they have the gift (at the counter, or from the donor in person),
    with a thank-you for the donor if they like."""
    thanks = (thanks or "").strip()
    if thanks and (problem := text_problem(thanks)):
        raise refuse("thanks", problem)
    claim = _locked_claim(claim.pk)
    if claim is None or claim.wish.worker_id != worker.pk:
        raise ApplicationError(_("This is not a claim on one of your wishes."))
    _may_come_true(claim)
    claim.thanks = thanks[:200]
    return _fulfil(claim, actor=None)


@transaction.atomic
def claim_confirm_by_staff(*, actor, claim: Claim, photo) -> Claim:
    """Staff confirm the wish came true, with a photo of the handover (a collective
    wish's, or a worker's who has no smartphone)."""
    if photo is None:
        raise refuse("photo", _("Add a photo of the handover."))
    try:
        data = photos.photo_clean(photo)
    except ApplicationError as refusal:
        raise refuse("photo", refusal.message) from None
    claim = _locked_claim(claim.pk, scoped_to=actor)
    _may_come_true(claim)
    claim.fulfilment_photo.save("photo.jpg", ContentFile(data), save=False)
    return _fulfil(claim, actor=actor)


def claims_remind(*, now=None) -> int:
    """Remind donors whose claim is due within WISH_CLAIM_REMINDER_DAYS and not handed over
    (the beat job; once per claim however often it runs)."""
    now = now or timezone.now()
    soon = now + timedelta(days=settings.WISH_CLAIM_REMINDER_DAYS)
    due = Claim.objects.filter(
        status=Claim.Status.CLAIMED, deadline__gt=now, deadline__lte=soon, reminded_at=None
    ).select_related("wish", "donor", "station")
    reminded = 0
    for claim in due:
        with transaction.atomic():
            if not Claim.objects.filter(pk=claim.pk, reminded_at=None).update(reminded_at=now):
                continue  # another run got here first
            with in_workers_language():
                tell_donor(
                    claim,
                    title=_("Hand over by %(day)s: %(wish)s")
                    % {
                        "day": timezone.localtime(claim.deadline).strftime("%m-%d"),
                        "wish": claim.wish.text[:20],
                    },
                    body=_(
                        "Please bring the gift to %(station)s. If you cannot, take your claim "
                        "back so that another donor can."
                    )
                    % {"station": claim.station.name},
                    event="reminder",
                )
        reminded += 1
    return reminded
