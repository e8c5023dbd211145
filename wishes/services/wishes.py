"""Writes for micro-wishes (微心愿): posting one on the phone, staff recording one collected
in a street interview or a 小哥议事会, and the community's review (publish, return with a
reason the worker reads, merge into a collective wish). Every refusal is an
ApplicationError in plain words, and changes nothing; every change of status is written
to the wish's history."""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.models import Area
from core import photos, sensitive_words
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from members.inbox import in_workers_language
from members.models import COMMUNITY_LEVEL_VALUES, Outlet, Worker
from members.services import message_send
from stations.models import Station

from ..models import Wish, WishCategory, WishItem, WishPhoto, WishRules, WishStatusChange

# A wish is a thing or a service, never money: words that ask for cash are refused.
CASH_WORDS = ("现金", "红包", "转账", "打钱", "人民币")
# A phone or ID number inside the text would be published with it.
NUMBER_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d{9}|\d{17}[\dXx])(?!\d)")
# Statuses of a wish still on its way, counted against a worker's open wishes. A returned
# wish is closed: the worker posts a corrected one.
OPEN = (Wish.Status.SUBMITTED, Wish.Status.PUBLISHED, Wish.Status.CLAIMED)
# What the worker may still withdraw: once a donor has claimed it, the community decides.
WITHDRAWABLE = (Wish.Status.SUBMITTED, Wish.Status.PUBLISHED)

# The worker's inbox kind for their wishes (registered in apps.py): reviewed, claimed, a
# gift waiting at a station.
WISH_MESSAGES = "wishes.my_wish"

__all__ = [
    "WISH_MESSAGES",
    "CASH_WORDS",
    "OPEN",
    "WITHDRAWABLE",
    "Rules",
    "default_rules",
    "rules_for",
    "category_save",
    "rules_save",
    "categories_for",
    "text_problem",
    "wish_post",
    "CollectedWish",
    "wish_record",
    "wish_publish",
    "wish_return",
    "wish_merge_into",
    "wish_withdraw",
    "wishes_merge",
]


@dataclass(frozen=True)
class Rules:
    value_cap: Decimal
    open_wishes_per_worker: int
    claim_days: int
    open_claims_per_donor: int


def default_rules() -> Rules:
    """The rules of a district that has set none (settings)."""
    return Rules(
        Decimal(settings.WISH_VALUE_CAP_YUAN),
        settings.WISH_OPEN_WISHES_PER_WORKER,
        settings.WISH_CLAIM_DAYS,
        settings.WISH_OPEN_CLAIMS_PER_DONOR,
    )


def rules_for(area: Area) -> Rules:
    """The district's rules for wishes in `area`, or the platform's defaults."""
    kept = WishRules.objects.filter(area__code=area.district_code).first()
    if kept is not None:
        return Rules(
            kept.value_cap,
            kept.open_wishes_per_worker,
            kept.claim_days,
            kept.open_claims_per_donor,
        )
    return default_rules()


def _a_district_of(actor, area: Area | None, field_name: str = "area") -> None:
    if area is None or area.level != Area.Level.DISTRICT:
        raise refuse(field_name, _("Choose a district."))
    access.require_write_in(actor, area)


@transaction.atomic
def category_save(*, actor, category: WishCategory) -> WishCategory:
    """A district's own category (a superuser also keeps the platform's: no area)."""
    if category.area_id is None:
        if not actor.is_superuser:
            raise refuse(
                "area", _("Choose your district: the platform's categories are kept centrally.")
            )
    else:
        _a_district_of(actor, category.area)
    if category.pk:
        stored = WishCategory.objects.select_for_update().get(pk=category.pk)
        if stored.area_id != category.area_id:
            raise refuse("area", _("A category stays with its district: add a new one instead."))
    category.name = (category.name or "").strip()
    full_clean_or_refuse(
        category, _("The category could not be saved: please correct the fields shown.")
    )
    category.save()
    return category


@transaction.atomic
def rules_save(*, actor, rules: WishRules) -> WishRules:
    """A district's rules for wishes: the value cap and the open wishes per worker."""
    _a_district_of(actor, rules.area)
    if rules.pk:
        stored = WishRules.objects.select_for_update().get(pk=rules.pk)
        if stored.area_id != rules.area_id:
            raise refuse("area", _("These rules belong to their district."))
    full_clean_or_refuse(rules, _("The rules could not be saved: please correct the fields shown."))
    rules.save()
    return rules


def categories_for(area: Area):
    """The categories offered in `area`: the platform's and its district's own."""
    return WishCategory.objects.filter(active=True).filter(
        Q(area__isnull=True) | Q(area__code=area.district_code)
    )


def text_problem(text: str) -> str:
    """What is wrong with words shown with a wish (the wish, an item, a donor's word, a
    thank-you), in words for the person typing; "" if nothing. The platform's sensitive
    words are checked here too (core.sensitive_words)."""
    if not text:
        return _("Say what you wish for.")
    if NUMBER_IN_TEXT.search(text):
        return _(
            "Leave phone and ID numbers out: the wish is published. The community knows "
            "how to reach you."
        )
    if any(word in text for word in CASH_WORDS):
        return _("A micro-wish is a thing or a service, not money.")
    return sensitive_words.problem(text)


def _value(raw) -> Decimal:
    try:
        value = Decimal(str(raw)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise refuse("value", _("Give the value in yuan, e.g. 80.")) from None
    if not value.is_finite() or value < 0 or value >= Decimal("100000000"):
        raise refuse("value", _("Give the value in yuan, e.g. 80."))
    return value


def tell_worker(wish: Wish, *, title: str, body: str, event: str) -> None:
    """A message to the wish's worker in their inbox (a collective wish has none: its
    spokesperson is staff). Compose title and body inside in_workers_language()."""
    if wish.worker_id is None:
        return
    message_send(
        worker=wish.worker,
        kind=WISH_MESSAGES,
        title=title,
        body=body,
        link=reverse("mobile-my-wishes"),
        event_key=f"wish:{wish.pk}:{event}",
    )


def change_status(wish: Wish, to: str, *, actor, reason: str = "") -> None:
    """Move a (locked) wish to `to`, writing the step to its history; the caller saves."""
    WishStatusChange.objects.create(
        wish=wish, from_status=wish.status, to_status=to, actor=actor, reason=reason[:200]
    )
    wish.status = to
    wish.status_reason = reason[:200]


def _check_category(category: WishCategory | None, area: Area) -> None:
    if category is None or not categories_for(area).filter(pk=category.pk).exists():
        raise refuse("category", _("Choose one of the categories offered."))


def _check_open_wishes(worker: Worker, area: Area) -> None:
    rules = rules_for(area)
    open_count = Wish.objects.filter(worker=worker, status__in=OPEN).count()
    if open_count >= rules.open_wishes_per_worker:
        raise ApplicationError(
            _(
                "You have a wish on its way already: wait until it comes true or withdraw "
                "it before making another."
            )
        )


def _save_new(wish: Wish, *, actor) -> Wish:
    full_clean_or_refuse(
        wish,
        _("The wish could not be saved: please correct the fields shown."),
        validate_unique=False,
        exclude=["client_key"],
    )
    try:
        with transaction.atomic():
            wish.save()
    except IntegrityError:
        existing = Wish.objects.filter(client_key=wish.client_key).first()
        if existing is None:
            raise
        return existing  # the same wish sent twice (offline replay, a double tap)
    WishStatusChange.objects.create(wish=wish, from_status="", to_status=wish.status, actor=actor)
    return wish


@transaction.atomic
def wish_post(
    *,
    worker: Worker,
    category: WishCategory,
    text: str,
    value,
    story_consent: bool = False,
    client_key: uuid.UUID | None = None,
    photo=None,
) -> Wish:
    """A worker posts their own wish on the phone, with a photo if they like. Posting it
    needs their consent to publish it (masked) once the community has reviewed it: the
    caller asked for it."""
    if client_key is not None:
        existing = Wish.objects.filter(client_key=client_key).first()
        if existing is not None:
            if existing.worker_id != worker.pk:
                raise ApplicationError(_("This wish was sent from another account."))
            return existing
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.status not in (Worker.Status.PENDING, Worker.Status.APPROVED):
        raise ApplicationError(
            _("Register with your community (报到) first: it reviews your wish.")
        )
    cleaned_photo = _photo_bytes(photo)
    wish = _new_individual(
        worker=worker,
        category=category,
        text=text,
        value=value,
        source=Wish.Source.PHONE,
        story_consent=story_consent,
        actor=None,
        client_key=client_key,
    )
    _keep_photo(wish, cleaned_photo)
    return wish


def _keep_photo(wish: Wish, cleaned_photo: bytes | None) -> None:
    if cleaned_photo is not None and not wish.photos.exists():
        WishPhoto(wish=wish).image.save("photo.jpg", ContentFile(cleaned_photo))


def _photo_bytes(photo) -> bytes | None:
    """The photo checked and re-encoded (core.photos), before anything is saved: a file
    that is not a photo refuses the wish, with nothing kept."""
    if photo is None:
        return None
    try:
        return photos.photo_clean(photo)
    except ApplicationError as refusal:
        raise refuse("photo", refusal.message) from None


def _new_individual(*, worker, category, text, value, source, story_consent, actor, client_key):
    area = worker.area
    text = (text or "").strip()
    if problem := text_problem(text):
        raise refuse("text", problem)
    value = _value(value)
    rules = rules_for(area)
    if value > rules.value_cap:
        raise refuse(
            "value",
            _("A micro-wish is worth at most ¥%(cap)s here: wish for something smaller.")
            % {"cap": f"{rules.value_cap.normalize():f}"},
        )
    _check_category(category, area)
    _check_open_wishes(worker, area)
    now = timezone.now()
    return _save_new(
        Wish(
            kind=Wish.Kind.INDIVIDUAL,
            worker=worker,
            area=area,
            category=category,
            text=text,
            value=value,
            source=source,
            publish_consent_at=now,
            story_consent_at=now if story_consent else None,
            recorded_by=actor,
            client_key=client_key,
        ),
        actor=actor,
    )


@dataclass
class CollectedWish:
    """A wish staff collected (a street interview, a 小哥议事会, a visit): a worker's own,
    or a collective one for an outlet or a station, with its item lines."""

    category: WishCategory | None
    text: str
    source: str
    worker: Worker | None = None  # an individual wish
    value: object = None  # an individual wish's value
    outlet: Outlet | None = None  # a collective wish: the outlet…
    station: Station | None = None  # …or the station
    area: Area | None = None  # a collective wish's community (the outlet's or station's)
    items: list[tuple[str, int, object]] = field(default_factory=list)  # name, quantity, value
    story_consent: bool = False
    photo: object = None  # an uploaded photo (the outlet's empty rest room), if any


@transaction.atomic
def wish_record(*, actor, collected: CollectedWish) -> Wish:
    """Staff record a wish collected in person, having asked the worker (or the outlet) for
    consent to publish it. The community reviews it as any other."""
    if collected.source not in Wish.Source.values or collected.source == Wish.Source.PHONE:
        raise refuse("source", _("Say how the wish was collected."))
    if collected.worker is not None:
        if collected.outlet or collected.station or collected.items:
            raise ApplicationError(
                _("A worker's own wish has no outlet, station or item lines: leave them out.")
            )
        worker = access.get_for_user(
            Worker.objects.select_for_update(), actor, access.Purpose.WRITE, pk=collected.worker.pk
        )
        if worker.status == Worker.Status.MERGED or worker.erased_at:
            raise refuse("worker", _("Choose the worker's current record."))
    cleaned_photo = _photo_bytes(collected.photo)
    if collected.worker is not None:
        wish = _new_individual(
            worker=worker,
            category=collected.category,
            text=collected.text,
            value=collected.value,
            source=collected.source,
            story_consent=collected.story_consent,
            actor=actor,
            client_key=None,
        )
    else:
        wish = _new_collective(actor=actor, collected=collected)
    _keep_photo(wish, cleaned_photo)
    return wish


def _new_collective(*, actor, collected: CollectedWish) -> Wish:
    if bool(collected.outlet) == bool(collected.station):
        raise refuse("outlet", _("A collective wish is an outlet's or a station's: name one."))
    place = collected.outlet or collected.station
    area = collected.area or place.area
    if area.level not in COMMUNITY_LEVEL_VALUES:
        raise refuse("area", _("Choose the community the wish belongs to."))
    if not place.area.code.startswith(area.district_code[:6]):
        raise refuse("area", _("The community must be in the outlet's or station's district."))
    access.require_write_in(actor, area)
    text = (collected.text or "").strip()
    if problem := text_problem(text):
        raise refuse("text", problem)
    _check_category(collected.category, area)
    if not collected.items:
        raise refuse("items", _("List what the collective wish asks for, with quantities."))
    lines = []
    for name, quantity, unit_value in collected.items:
        name = (name or "").strip()
        if not name or text_problem(name):
            raise refuse("items", _("Name each item plainly (no numbers, no money)."))
        if not isinstance(quantity, int) or not 1 <= quantity <= 10_000:
            raise refuse("items", _("Each item needs a quantity from 1 to 10,000."))
        lines.append(WishItem(name=name[:50], quantity=quantity, unit_value=_value(unit_value)))
    now = timezone.now()
    wish = _save_new(
        Wish(
            kind=Wish.Kind.COLLECTIVE,
            outlet=collected.outlet,
            station=collected.station,
            spokesperson=actor,
            area=area,
            category=collected.category,
            text=text,
            value=sum((line.quantity * line.unit_value for line in lines), Decimal("0")),
            source=collected.source,
            publish_consent_at=now,
            story_consent_at=now if collected.story_consent else None,
            recorded_by=actor,
        ),
        actor=actor,
    )
    for line in lines:
        line.wish = wish
    WishItem.objects.bulk_create(lines)
    return wish


# Review -----------------------------------------------------------------------------------


def _reviewable(actor, wish: Wish, *, statuses=(Wish.Status.SUBMITTED,)) -> Wish:
    wish = access.get_for_user(
        Wish.objects.select_for_update(), actor, access.Purpose.WRITE, pk=wish.pk
    )
    if wish.status not in statuses:
        raise ApplicationError(
            _("This wish is %(status)s, not waiting for review.")
            % {"status": wish.get_status_display()}
        )
    return wish


@transaction.atomic
def wish_publish(*, actor, wish: Wish) -> Wish:
    """The community publishes a wish it reviewed: donors may see it (masked) and claim it."""
    wish = _reviewable(actor, wish)
    if problem := text_problem(wish.text):
        raise ApplicationError(problem)
    change_status(wish, Wish.Status.PUBLISHED, actor=actor)
    wish.published_at = timezone.now()
    wish.save(update_fields=["status", "status_reason", "published_at", "updated_at"])
    with in_workers_language():
        tell_worker(
            wish,
            title=_("Your wish is on the wall"),
            body=_("%(community)s published your wish “%(text)s”: donors can now claim it.")
            % {"community": wish.area.name, "text": wish.text[:40]},
            event="published",
        )
    return wish


@transaction.atomic
def wish_return(*, actor, wish: Wish, reason: str) -> Wish:
    """The community sends a wish back, saying why (the worker reads it and may post a
    corrected one)."""
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Tell the worker why, so they can correct it."))
    wish = _reviewable(actor, wish)
    change_status(wish, Wish.Status.RETURNED, actor=actor, reason=reason)
    wish.save(update_fields=["status", "status_reason", "updated_at"])
    with in_workers_language():
        tell_worker(
            wish,
            title=_("Your wish was returned"),
            body=_("%(community)s returned your wish: %(reason)s")
            % {"community": wish.area.name, "reason": reason},
            event="returned",
        )
    return wish


@transaction.atomic
def wish_merge_into(*, actor, wish: Wish, collective: Wish) -> Wish:
    """A worker's wish that is really an outlet's (the same raincoats for everyone) joins
    the collective wish; the worker reads where it went."""
    wish = _reviewable(actor, wish)
    collective = access.get_for_user(
        Wish.objects.select_for_update(), actor, access.Purpose.WRITE, pk=collective.pk
    )
    if collective.kind != Wish.Kind.COLLECTIVE or collective.status not in OPEN:
        raise refuse("collective", _("Choose an open collective wish."))
    change_status(
        wish,
        Wish.Status.MERGED,
        actor=actor,
        reason=_("Joined the collective wish: %(text)s") % {"text": collective.text[:60]},
    )
    wish.merged_into = collective
    wish.save(update_fields=["status", "status_reason", "merged_into", "updated_at"])
    return wish


@transaction.atomic
def wish_withdraw(*, worker: Worker, wish: Wish) -> Wish:
    """The worker takes back their own wish while nobody has acted on it for them yet."""
    wish = Wish.objects.select_for_update().filter(pk=wish.pk, worker=worker).first()
    if wish is None:
        raise ApplicationError(_("This is not one of your wishes."))
    if wish.status == Wish.Status.CLAIMED:
        raise ApplicationError(
            _("A donor has claimed this wish already: ask your community if it must stop.")
        )
    if wish.status not in WITHDRAWABLE:
        raise ApplicationError(
            _("This wish is %(status)s: there is nothing to withdraw.")
            % {"status": wish.get_status_display()}
        )
    change_status(wish, Wish.Status.WITHDRAWN, actor=None)
    wish.save(update_fields=["status", "status_reason", "updated_at"])
    return wish


def wishes_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Two records of one person merged: the duplicate's wishes are the kept record's."""
    Wish.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())
