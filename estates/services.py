"""The estate quick pass, written: a worker authorises an estate (fill in, then consent to
exactly what its property company sees and for how long), shows a pass whose code changes
every 30 seconds, and the gate guard checks it — every check is logged, whatever the
answer. A manager suspends a pass with a reason the worker reads; the worker may object,
and the community sees the objection. Entries are reduced to counts after the estate's
days.

The pass code is `<pass number>-<6 digits>`: the digits are an HMAC of the pass's own key
and the server's secret over the current 30-second window (like a TOTP), so a screenshot
stops working within a minute, and a code that let someone in cannot let in a second
person."""

import datetime as dt
import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Func, Q, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from core.exceptions import ApplicationError, full_clean_or_refuse, refuse
from core.facts import raw_rows_purged
from core.identifiers import normalize_mobile, validate_mobile
from core.masking import mask_name
from members import inbox
from members.models import Occupation, Worker
from members.services.inbox import message_send

from .models import EntryCount, EntryLog, Estate, EstatePass, Gate, new_gate_key

# The consent's wording is versioned: a pass records the version and the exact words the
# worker agreed to. Change the version when the wording below changes.
CONSENT_VERSION = "2026-12"
CODE_SECONDS = 30
# A code is taken in its own window and the one before (a phone's clock a little off, a
# guard typing it as it turns): valid for 30 to 60 seconds.
CODE_WINDOWS_ACCEPTED = 2
# The time from the pass shown to the guard's answer counts when it is shorter than this
# (a pass left open on the phone for an hour is not a wait at the gate).
AT_GATE_MAX_SECONDS = 15 * 60
PASS_MESSAGES = "estates.pass"
GATE_SIGNER_SALT = "estates.gate"

CODE_RE = re.compile(r"^([0-9]{1,12})-?([0-9]{6})$")


# Gates and their posters -------------------------------------------------------------------


def gate_token(gate: Gate) -> str:
    """What a gate's poster QR code carries: the gate's key, signed (no database id)."""
    return signing.Signer(salt=GATE_SIGNER_SALT).sign(gate.poster_key)


def gate_for_token(token: str) -> Gate | None:
    """The open gate of an estate taking passes that a poster's token names, else None."""
    try:
        key = signing.Signer(salt=GATE_SIGNER_SALT).unsign(token or "")
    except signing.BadSignature:
        return None
    return (
        Gate.objects.filter(poster_key=key, active=True, estate__active=True)
        .select_related("estate", "estate__area")
        .first()
    )


@transaction.atomic
def gate_rotate_poster_key(*, actor, gate: Gate) -> Gate:
    """A new poster for the gate; the old poster's code stops working. Staff who may change
    the estate only: a guard's grant names the gate, to check passes there."""
    access.require_write_to(actor, gate.estate)
    gate.poster_key = new_gate_key()
    gate.save(update_fields=["poster_key", "updated_at"])
    return gate


# Authorising ---------------------------------------------------------------------------------


def shown_fields() -> list[str]:
    """What the property company sees of a pass, in the consent's words."""
    return [
        _("your name, masked (张*)"),
        _("your employer"),
        _("your platform"),
        _("your occupation"),
        _("when you entered, at which gate"),
    ]


def consent_text(estate: Estate) -> str:
    """The exact words a worker agrees to for this estate (kept on the pass)."""
    return _(
        "I allow %(company)s, the property company of %(estate)s, to see %(fields)s when I "
        "show my pass at its gates, for %(days)d days from today; entries are kept %(keep)d "
        "days, then only counted. My phone number and my full name are not shown. I can "
        "stop at any time by deleting the pass under 我的 → 小区通行."
    ) % {
        "company": estate.property_company,
        "estate": estate.name,
        "fields": "、".join(shown_fields()),
        "days": estate.pass_days,
        "keep": estate.entry_log_days,
    }


def _allowed_occupation(estate: Estate, occupation: str) -> bool:
    return not estate.occupations or occupation in estate.occupations


def pass_details_check(
    *, estate: Estate, name: str, employer: str, platform: str, occupation: str
) -> dict:
    """The fill-in step's answers, cleaned, or a refusal naming the field."""
    name = " ".join((name or "").split())
    employer = " ".join((employer or "").split())
    platform = " ".join((platform or "").split())
    if not name:
        raise refuse("name", _("Write your name."))
    if len(name) > 50:
        raise refuse("name", _("At most %(n)d characters, please.") % {"n": 50})
    if not employer:
        raise refuse("employer", _("Write who you work for (the company or the station)."))
    if len(employer) > 100:
        raise refuse("employer", _("At most %(n)d characters, please.") % {"n": 100})
    if len(platform) > 50:
        raise refuse("platform", _("At most %(n)d characters, please.") % {"n": 50})
    if occupation not in Occupation.values:
        raise refuse("occupation", _("Choose your occupation."))
    if not _allowed_occupation(estate, occupation):
        raise refuse(
            "occupation",
            _("%(estate)s lets in only: %(allowed)s.")
            % {
                "estate": estate.name,
                "allowed": "、".join(str(Occupation(o).label) for o in estate.occupations),
            },
        )
    return {"name": name, "employer": employer, "platform": platform, "occupation": occupation}


@transaction.atomic
def pass_authorise(
    *,
    phone: str,
    estate: Estate,
    name: str,
    employer: str,
    platform: str = "",
    occupation: str,
    consent_version: str,
    worker: Worker | None = None,
    now: dt.datetime | None = None,
) -> EstatePass:
    """The worker (logged in by SMS code with `phone`) authorises `estate`: a new pass, or
    the one they had renewed with today's answers and consent. A suspended pass is not
    renewed: the worker reads why and may object."""
    now = now or timezone.now()
    phone = normalize_mobile(phone or "")
    validate_mobile(phone)
    if not estate.active:
        raise ApplicationError(_("This estate does not take passes at the moment."))
    if consent_version != CONSENT_VERSION:
        raise refuse(
            "consent_version",
            _("The terms changed while you were reading: read them again and agree."),
        )
    details = pass_details_check(
        estate=estate, name=name, employer=employer, platform=platform, occupation=occupation
    )
    if worker is not None and (worker.erased_at or worker.merged_into_id):
        worker = None
    existing = EstatePass.objects.select_for_update().filter(estate=estate, phone=phone).first()
    if existing is not None and existing.status == EstatePass.Status.SUSPENDED:
        raise ApplicationError(
            _("Your pass for %(estate)s is suspended: %(reason)s")
            % {"estate": estate.name, "reason": existing.suspended_reason}
        )
    values = {
        **details,
        "worker": worker,
        "consent_version": CONSENT_VERSION,
        "consent_text": consent_text(estate),
        "authorised_at": now,
        "expires_at": now + dt.timedelta(days=estate.pass_days),
    }
    if existing is None:
        try:
            with transaction.atomic():
                return EstatePass.objects.create(estate=estate, phone=phone, **values)
        except IntegrityError:  # the same worker tapping twice at once: the one pass
            existing = EstatePass.objects.select_for_update().get(estate=estate, phone=phone)
    for field, value in values.items():
        setattr(existing, field, value)
    existing.save()
    return existing


def live_pass(*, phone: str, estate: Estate, now: dt.datetime | None = None):
    """The phone's pass for the estate while it lasts and is not suspended, else None."""
    now = now or timezone.now()
    return (
        EstatePass.objects.filter(
            estate=estate, phone=phone, status=EstatePass.Status.ACTIVE, expires_at__gt=now
        )
        .select_related("estate")
        .first()
    )


@transaction.atomic
def pass_delete(*, phone: str, estate_pass: EstatePass) -> None:
    """The worker withdraws their consent: the pass goes; its entries stay, unnamed."""
    if estate_pass.phone != phone:
        raise ApplicationError(_("This pass belongs to another phone."))
    estate_pass.delete()


# The code --------------------------------------------------------------------------------


def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // CODE_SECONDS


def _digits(estate_pass: EstatePass, window: int) -> str:
    key = f"{settings.SECRET_KEY}:{estate_pass.secret}".encode()
    mac = hmac.new(key, f"estates.pass:{estate_pass.pk}:{window}".encode(), hashlib.sha256)
    return f"{int.from_bytes(mac.digest()[:8], 'big') % 1_000_000:06d}"


def pass_code(estate_pass: EstatePass, at: dt.datetime | None = None) -> str:
    return f"{estate_pass.pk}-{_digits(estate_pass, _window(at or timezone.now()))}"


def seconds_left(at: dt.datetime | None = None) -> int:
    """Until the code on the screen changes."""
    return CODE_SECONDS - int((at or timezone.now()).timestamp()) % CODE_SECONDS


def pass_show(*, phone: str, estate_pass: EstatePass, now: dt.datetime | None = None) -> str:
    """The code to show now (the worker's own pass only); noted, so the guard's answer
    tells how long a worker waited at the gate."""
    now = now or timezone.now()
    if estate_pass.phone != phone:
        raise ApplicationError(_("This pass belongs to another phone."))
    EstatePass.objects.filter(pk=estate_pass.pk).update(last_shown_at=now)
    return pass_code(estate_pass, now)


# The guard's check -----------------------------------------------------------------------


def gates_guarded_by(user):
    """The open gates `user` may check passes at: those a guard grant names, the gates of
    the estates a manager's grant names, and every gate in an area they write in."""
    return (
        access.scope(Gate.objects.all(), user, access.Purpose.WRITE)
        .filter(active=True, estate__active=True)
        .select_related("estate")
        .order_by("estate__name", "name")
    )


def _in_hours(estate: Estate, at: dt.datetime) -> bool:
    start, end = estate.entry_from, estate.entry_until
    if start is None or end is None:
        return True
    now = timezone.localtime(at).time()
    if start <= end:
        return start <= now <= end
    return now >= start or now <= end  # overnight


def _outcome(estate_pass, gate, digits, now) -> tuple[str, int | None]:
    """The answer for a pass and the window its code matched."""
    if estate_pass is None:
        return EntryLog.Outcome.UNKNOWN_CODE, None
    if estate_pass.estate_id != gate.estate_id:
        return EntryLog.Outcome.OTHER_ESTATE, None
    current = _window(now)
    matched = next(
        (
            window
            for window in range(current, current - CODE_WINDOWS_ACCEPTED, -1)
            if hmac.compare_digest(_digits(estate_pass, window), digits)
        ),
        None,
    )
    if matched is None:
        return EntryLog.Outcome.EXPIRED_CODE, None
    used = EntryLog.objects.filter(
        estate_pass=estate_pass, window=matched, outcome=EntryLog.Outcome.LET_IN
    ).exists()
    if used:  # the same code shown again: a copy, or the worker should refresh
        return EntryLog.Outcome.EXPIRED_CODE, None
    if estate_pass.status == EstatePass.Status.SUSPENDED:
        return EntryLog.Outcome.SUSPENDED, matched
    if estate_pass.expires_at <= now:
        return EntryLog.Outcome.LAPSED, matched
    if not _allowed_occupation(gate.estate, estate_pass.occupation):
        return EntryLog.Outcome.OCCUPATION, matched
    if not _in_hours(gate.estate, now):
        return EntryLog.Outcome.HOURS, matched
    return EntryLog.Outcome.LET_IN, matched


@transaction.atomic
def pass_check(*, actor, gate: Gate, code: str, now: dt.datetime | None = None) -> EntryLog:
    """A guard checks the code a worker shows at `gate`: the entry is logged whatever the
    answer (entry.outcome), and a code that let someone in is spent."""
    now = now or timezone.now()
    if not gates_guarded_by(actor).filter(pk=gate.pk).exists():
        raise ApplicationError(_("You do not check passes at this gate."))
    # Typed with a Chinese keyboard: full-width digits and dash (１０２４－３８５１７２) are
    # the same code.
    match = CODE_RE.match("".join(unicodedata.normalize("NFKC", code or "").split()))
    if match is None:
        raise refuse("code", _("A pass code is a number, a dash and six digits, e.g. 1024-385172."))
    number, digits = int(match.group(1)), match.group(2)
    estate_pass = (
        EstatePass.objects.select_for_update().filter(pk=number).first() if number < 2**63 else None
    )
    outcome, window = _outcome(estate_pass, gate, digits, now)
    waited = None
    if outcome == EntryLog.Outcome.LET_IN and estate_pass.last_shown_at is not None:
        seconds = (now - estate_pass.last_shown_at).total_seconds()
        waited = int(seconds) if 0 <= seconds <= AT_GATE_MAX_SECONDS else None
    if outcome in (EntryLog.Outcome.UNKNOWN_CODE, EntryLog.Outcome.OTHER_ESTATE):
        estate_pass = None  # never another estate's pass in this estate's log
    return EntryLog.objects.create(
        estate=gate.estate,
        gate=gate,
        estate_pass=estate_pass,
        at=now,
        outcome=outcome,
        window=window if outcome == EntryLog.Outcome.LET_IN else None,
        occupation=estate_pass.occupation if estate_pass is not None else "",
        seconds_at_gate=waited,
        checked_by=actor,
    )


def guard_view_of(entry: EntryLog) -> dict:
    """What the guard reads: the answer, and the pass's masked name, employer, occupation."""
    estate_pass = entry.estate_pass
    return {
        "valid": entry.outcome == EntryLog.Outcome.LET_IN,
        "outcome": entry.get_outcome_display(),
        "name": mask_name(estate_pass.name) if estate_pass else "",
        "employer": estate_pass.employer if estate_pass else "",
        "platform": estate_pass.platform if estate_pass else "",
        "occupation": estate_pass.get_occupation_display() if estate_pass else "",
        "expires_at": estate_pass.expires_at if estate_pass else None,
        "reason": estate_pass.suspended_reason
        if estate_pass and entry.outcome == EntryLog.Outcome.SUSPENDED
        else "",
    }


# Suspending and objecting ----------------------------------------------------------------


@transaction.atomic
def pass_suspend(*, actor, estate_pass: EstatePass, reason: str) -> EstatePass:
    """A manager (or the community) suspends a pass with a reason the worker reads."""
    access.require_write_to(actor, estate_pass)
    reason = " ".join((reason or "").split())
    if not reason:
        raise refuse("reason", _("Give the reason: the worker reads it."))
    if len(reason) > 200:
        raise refuse("reason", _("At most %(n)d characters, please.") % {"n": 200})
    estate_pass = EstatePass.objects.select_for_update().get(pk=estate_pass.pk)
    if estate_pass.status == EstatePass.Status.SUSPENDED:
        raise ApplicationError(_("This pass is suspended already."))
    now = timezone.now()
    estate_pass.status = EstatePass.Status.SUSPENDED
    estate_pass.suspended_reason, estate_pass.suspended_at = reason, now
    estate_pass.suspended_by = actor
    estate_pass.contest_text, estate_pass.contested_at = "", None
    estate_pass.contest_answer, estate_pass.contest_answered_at = "", None
    estate_pass.save()
    with inbox.in_workers_language():
        message_send(
            worker=estate_pass.worker,
            phone=estate_pass.phone,
            kind=PASS_MESSAGES,
            title=_("Your pass for %(estate)s is suspended") % {"estate": estate_pass.estate.name},
            body=_(
                "The reason: %(reason)s. If you think it is wrong, object under 我的 → 小区通行."
            )
            % {"reason": reason},
            event_key=f"estates.suspended:{estate_pass.pk}:{now.timestamp():.0f}",
        )
    return estate_pass


@transaction.atomic
def pass_reinstate(*, actor, estate_pass: EstatePass) -> EstatePass:
    access.require_write_to(actor, estate_pass)
    estate_pass = EstatePass.objects.select_for_update().get(pk=estate_pass.pk)
    if estate_pass.status != EstatePass.Status.SUSPENDED:
        raise ApplicationError(_("This pass is not suspended."))
    estate_pass.status = EstatePass.Status.ACTIVE
    estate_pass.suspended_reason, estate_pass.suspended_at, estate_pass.suspended_by = (
        "",
        None,
        None,
    )
    estate_pass.save()
    with inbox.in_workers_language():
        message_send(
            worker=estate_pass.worker,
            phone=estate_pass.phone,
            kind=PASS_MESSAGES,
            title=_("Your pass for %(estate)s works again") % {"estate": estate_pass.estate.name},
            event_key=f"estates.reinstated:{estate_pass.pk}:{timezone.now().timestamp():.0f}",
        )
    return estate_pass


@transaction.atomic
def pass_contest(*, phone: str, estate_pass: EstatePass, text: str) -> EstatePass:
    """The worker objects to a suspension; the estate's community sees it in its work."""
    estate_pass = EstatePass.objects.select_for_update().get(pk=estate_pass.pk)
    if estate_pass.phone != phone:
        raise ApplicationError(_("This pass belongs to another phone."))
    if estate_pass.status != EstatePass.Status.SUSPENDED:
        raise ApplicationError(_("This pass is not suspended."))
    text = " ".join((text or "").split())
    if not text:
        raise refuse("text", _("Say why you think the suspension is wrong."))
    if len(text) > 300:
        raise refuse("text", _("At most %(n)d characters, please.") % {"n": 300})
    if estate_pass.contested_at is not None:
        raise ApplicationError(_("You objected already; the community will answer."))
    estate_pass.contest_text, estate_pass.contested_at = text, timezone.now()
    estate_pass.save(update_fields=["contest_text", "contested_at", "updated_at"])
    return estate_pass


@transaction.atomic
def pass_objection_answer(*, actor, estate_pass: EstatePass, answer: str) -> EstatePass:
    """The community (or the manager) answers a worker's objection and keeps the pass
    suspended; the worker reads the answer. (Reinstating is the other answer.)"""
    access.require_write_to(actor, estate_pass)
    answer = " ".join((answer or "").split())
    if not answer:
        raise refuse("answer", _("Write the answer: the worker reads it."))
    if len(answer) > 300:
        raise refuse("answer", _("At most %(n)d characters, please.") % {"n": 300})
    estate_pass = EstatePass.objects.select_for_update().get(pk=estate_pass.pk)
    if estate_pass.status != EstatePass.Status.SUSPENDED or estate_pass.contested_at is None:
        raise ApplicationError(_("There is no objection to answer on this pass."))
    if estate_pass.contest_answered_at is not None:
        raise ApplicationError(_("This objection is answered already."))
    estate_pass.contest_answer, estate_pass.contest_answered_at = answer, timezone.now()
    estate_pass.save(update_fields=["contest_answer", "contest_answered_at", "updated_at"])
    with inbox.in_workers_language():
        message_send(
            worker=estate_pass.worker,
            phone=estate_pass.phone,
            kind=PASS_MESSAGES,
            title=_("Your objection about %(estate)s is answered")
            % {"estate": estate_pass.estate.name},
            body=answer,
            event_key=f"estates.objection_answered:{estate_pass.pk}",
        )
    return estate_pass


# Keeping entries -------------------------------------------------------------------------

# The platform's longest for entries (members.personal_data's rule for estates.EntryLog; a
# district may set it in settings.PERSONAL_DATA_RETENTION_DAYS).
ENTRY_DAYS = 90
ENTRY_RETENTION_SETTING = "estates.EntryLog"


def entry_days() -> int:
    configured = getattr(settings, "PERSONAL_DATA_RETENTION_DAYS", {}) or {}
    return configured.get(ENTRY_RETENTION_SETTING, ENTRY_DAYS)


class LocalDayStart(Func):
    """The local midnight that began the day of a moment (PostgreSQL's date_trunc in the
    platform's time zone): an entry's day once its time is stripped, and today's start
    for the figures (facts.py)."""

    template = "date_trunc('day', %(expressions)s)"
    output_field = DateTimeField()

    def __init__(self, moment):
        super().__init__(moment, Value(settings.TIME_ZONE))


@transaction.atomic
def entries_reduce(*, before: dt.datetime | None = None, now: dt.datetime | None = None) -> int:
    """Entries past their estate's days lose what ties them to a person — the pass, the
    guard, the code's window and the time of day; the gate, the local day, the answer, the
    occupation and the seconds at the gate stay — and remain rows the rollups count, so
    the figures of the periods the rollups still recompute keep them. Entries before the
    day of `before` (the platform's days by default) become counts per gate, day and
    outcome and are deleted; the rollups' figures of those days are sealed first, in this
    transaction. Returns how many entries changed; run twice, the second run finds
    nothing."""
    now = now or timezone.now()
    before = before or now - dt.timedelta(days=entry_days())
    # Whole local days go, so the rollups' seal (a day) covers every entry deleted.
    cutoff = timezone.make_aware(dt.datetime.combine(timezone.localdate(before), dt.time.min))
    ids = list(EntryLog.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:50_000])
    if ids:
        # Sealed before the rows go: a rollup job between the delete and the seal would
        # count those days again from nothing.
        raw_rows_purged.send(sender=EntryLog._meta.label_lower, before=cutoff)
        rows = (
            EntryLog.objects.filter(pk__in=ids)
            .values("estate_id", "gate_id", "outcome", "at__date")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            count, created = EntryCount.objects.select_for_update().get_or_create(
                gate_id=row["gate_id"],
                day=row["at__date"],
                outcome=row["outcome"],
                defaults={"estate_id": row["estate_id"], "count": row["n"]},
            )
            if not created:
                EntryCount.objects.filter(pk=count.pk).update(count=F("count") + row["n"])
        EntryLog.objects.filter(pk__in=ids).delete()
    kept_since = ExpressionWrapper(
        Value(now) - Value(dt.timedelta(days=1)) * F("estate__entry_log_days"),
        output_field=DateTimeField(),
    )
    still_personal = (
        Q(estate_pass__isnull=False)
        | Q(checked_by__isnull=False)
        | Q(window__isnull=False)
        | ~Q(at=LocalDayStart(F("at")))
    )
    stripped = (
        EntryLog.objects.filter(at__lt=kept_since)
        .filter(still_personal)
        .update(estate_pass=None, checked_by=None, window=None, at=LocalDayStart(F("at")))
    )
    return len(ids) + stripped


# Merges ----------------------------------------------------------------------------------


def passes_merge(*, actor, duplicate: Worker, kept: Worker) -> None:
    """Two records of one person merged: the duplicate's passes are the kept record's."""
    EstatePass.objects.filter(worker=duplicate).update(worker=kept, updated_at=timezone.now())


# Estates and gates, kept by staff --------------------------------------------------------


_RANGE_FIELDS = {
    "estates_estate_pass_days": "pass_days",
    "estates_estate_log_days": "entry_log_days",
}


@transaction.atomic
def estate_save(*, actor, estate: Estate) -> Estate:
    """Add an estate to a community or change one (its company, the days a pass lasts,
    who is let in and when): for the community's staff, and for the property company's
    manager their own estates, which stay in their community. Returns the same instance."""
    if estate.area_id is None:
        raise refuse("area", _("Choose the community the estate is in."))
    access.require_write_to(actor, estate)
    if (estate.entry_from is None) != (estate.entry_until is None):
        raise refuse(
            "entry_until" if estate.entry_until is None else "entry_from",
            _("Give both entry times, or neither for any hour."),
        )
    estate.occupations = sorted(set(estate.occupations or []))
    for constraint in Estate._meta.constraints:  # the database's ranges, said by their field
        if constraint.name in _RANGE_FIELDS:
            try:
                constraint.validate(Estate, estate)
            except ValidationError as error:
                raise refuse(_RANGE_FIELDS[constraint.name], error.messages[0]) from None
    full_clean_or_refuse(
        estate, _("The estate could not be saved: please correct the fields shown.")
    )
    estate.save()
    return estate


@transaction.atomic
def gate_save(*, actor, gate: Gate) -> Gate:
    """Add a gate to an estate or change one (its name, open or closed): for those who may
    change the estate. A gate guard checks passes at their gate but does not change it,
    and a gate stays with its estate. Returns the same instance."""
    if gate.estate_id is None:
        raise refuse("estate", _("Choose the estate the gate belongs to."))
    if gate.pk is not None:
        stored = access.get_for_user(Gate.objects.all(), actor, pk=gate.pk)  # 404 out of reach
        if stored.estate_id != gate.estate_id:
            raise refuse("estate", _("A gate stays with its estate: add a new gate there instead."))
    try:
        access.require_write_to(actor, gate.estate)
    except Http404:
        if gate.pk is None:
            raise
        raise PermissionDenied from None  # they read this gate (a guard's) but not its estate
    full_clean_or_refuse(gate, _("The gate could not be saved: please correct the fields shown."))
    gate.save()
    return gate
