"""Writes to stations. Views, serializers, admin and commands call these; nothing else
changes a station."""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

from django.core import signing
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.services import grant_objects_set
from core import photos
from core.coords import CoordSystem, to_wgs84
from core.exceptions import ApplicationError, full_clean_or_refuse
from members.models import Worker
from members.selectors import DISTRICT_CODE_DIGITS, worker_for_phone

from .models import (
    CHECK_IN_WINDOW,
    DISTANCE_STEP_M,
    FAR_AWAY_M,
    MAX_VISITORS_AT_ONCE,
    CheckIn,
    Facility,
    Inspection,
    OpeningException,
    OpeningPeriod,
    RetiredPosterKey,
    Standard,
    Station,
    StationFacility,
    StationPhoto,
    new_poster_key,
)
from .selectors import KEPT_STATION, local_now, open_now_by_station

POSTER_SIGNER_SALT = "stations.poster"


def pinyin_initials(text: str) -> str:
    """暖峰港湾北大街站 → nfgwbdjz: what staff type to find a station fast."""
    # Imported here: pypinyin's dictionaries are ~200k objects that every web worker
    # would otherwise carry (and the garbage collector walk) for a rarely used write.
    from pypinyin import Style, lazy_pinyin

    return "".join(part[:1] for part in lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()


def _validated(station: Station) -> None:
    full_clean_or_refuse(
        station,
        _("The station could not be saved: please correct the fields shown."),
        exclude=["facilities"],
    )


@transaction.atomic
def station_save(*, actor, station: Station, facility_codes: list[str] | None = None) -> Station:
    """Create or update a station after checking the actor may write in its community."""
    if station.area_id is None:
        raise ApplicationError(
            _("Choose the community the station belongs to."),
            fields={"area": [_("This field is required.")]},
        )
    access.require_write_to(actor, station)
    station.name_initials = pinyin_initials(station.name)
    _validated(station)
    station.save()
    if facility_codes is not None:
        station_set_facilities(actor=actor, station=station, facility_codes=facility_codes)
    return station


@transaction.atomic
def station_closed_today(*, actor, station: Station, closed: bool) -> Station:
    """The keeper's one tap (issue 14 §5): the station is closed for the rest of today (a
    dated exception: the map says so at once, and when it opens next), or open again today
    by its weekly hours (today's exception removed). Only for a station open for business;
    tomorrow its weekly hours apply as before."""
    access.require_write_to(actor, station)
    station = Station.objects.select_for_update().get(pk=station.pk)
    if station.status != Station.Status.OPEN:
        raise ApplicationError(
            _("%(name)s is not open for business (%(status)s): change its status instead.")
            % {"name": station.name, "status": station.get_status_display()}
        )
    today = timezone.localdate()
    OpeningException.objects.filter(station=station, date=today).delete()
    if closed:
        OpeningException.objects.create(
            station=station, date=today, closed=True, note=_("Closed today by its keeper")
        )
    station.save(update_fields=["updated_at"])  # the station changed: caches and marks follow
    return station


def station_close(*, actor, station: Station) -> Station:
    """Close a station for good. Stations are closed, never deleted: their history
    (inspections, and later check-ins) must stay intact."""
    station = access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    station.status = Station.Status.CLOSED
    station.save(update_fields=["status", "updated_at"])
    return station


@transaction.atomic
def station_set_facilities(*, actor, station: Station, facility_codes: list[str]) -> None:
    """Make the station's available facilities exactly `facility_codes` (notes kept)."""
    facilities = {f.code: f for f in Facility.objects.filter(code__in=facility_codes)}
    unknown = sorted(set(facility_codes) - set(facilities))
    if unknown:
        raise ApplicationError(
            _("Unknown facility: %(codes)s.") % {"codes": ", ".join(unknown)},
            fields={
                "facilities": [_("Unknown facility: %(codes)s.") % {"codes": ", ".join(unknown)}]
            },
        )
    StationFacility.objects.filter(station=station).exclude(
        facility__code__in=facility_codes
    ).update(available=False)
    for facility in facilities.values():
        StationFacility.objects.update_or_create(
            station=station, facility=facility, defaults={"available": True}
        )


@transaction.atomic
def station_set_weekly_hours(
    *, actor, station: Station, periods: list[tuple[int, dt.time, dt.time]]
) -> None:
    """Replace the weekly schedule. A period whose closing time is not after its opening
    time runs past midnight; identical times are refused."""
    access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    for weekday, opens, closes in periods:
        if weekday not in range(7):
            raise ApplicationError(_("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
        if opens == closes:
            raise ApplicationError(_("Opening and closing time cannot be the same."))
    OpeningPeriod.objects.filter(station=station).delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(station=station, weekday=w, opens=o, closes=c) for w, o, c in periods
    )


def station_set_exception(
    *,
    actor,
    station: Station,
    date: dt.date,
    closed: bool = True,
    opens: dt.time | None = None,
    closes: dt.time | None = None,
    note: str = "",
) -> OpeningException:
    access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    if not closed and not (opens and closes and opens < closes):
        raise ApplicationError(
            _("Give the opening and closing time, or mark the day as closed all day.")
        )
    exception, _created = OpeningException.objects.update_or_create(
        station=station,
        date=date,
        defaults={
            "closed": closed,
            "opens": None if closed else opens,
            "closes": None if closed else closes,
            "note": note,
        },
    )
    return exception


def station_add_photo(*, actor, station: Station, upload, caption: str = "") -> StationPhoto:
    access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    data = photos.photo_clean(upload)
    photo = StationPhoto(station=station, caption=caption, order=station.photos.count())
    photo.image.save("photo.jpg", ContentFile(data), save=True)
    return photo


def poster_token(station: Station) -> str:
    """The token printed in a poster's QR code: the station's current poster key, signed,
    so a poster carries no database id and a mistyped token is recognised as such."""
    return signing.Signer(salt=POSTER_SIGNER_SALT).sign(station.poster_key)


def poster_digest(station: Station) -> str:
    """The SHA-256 of the poster's token, on the station's page: the phone's service
    worker finds the saved page of a poster scanned without a network by it, and the page
    does not give away the token a rotation is meant to retire."""
    return hashlib.sha256(poster_token(station).encode()).hexdigest()


def poster_key_from_token(token: str) -> str | None:
    try:
        return signing.Signer(salt=POSTER_SIGNER_SALT).unsign(token)
    except signing.BadSignature:
        return None


@transaction.atomic
def station_rotate_poster_key(*, actor, station: Station) -> Station:
    """Issue a new poster key; posters printed with the old one now open an "out of date"
    page that still leads to the station."""
    station = access.get_for_user(
        Station.objects.select_for_update(), actor, access.Purpose.WRITE, pk=station.pk
    )
    RetiredPosterKey.objects.create(station=station, key=station.poster_key)
    station.poster_key = new_poster_key()
    station.save(update_fields=["poster_key", "updated_at"])
    return station


def _active_standard(station: Station) -> Standard:
    district_prefix = station.area.code[:6]
    standard = (
        Standard.objects.filter(
            active=True, area__code__startswith=district_prefix, area__level="district"
        )
        .prefetch_related("items")
        .first()
    )
    if standard is None:
        raise ApplicationError(
            _("The district has no active station standard yet; set up its checklist first.")
        )
    return standard


def inspection_check(*, station: Station, inspected_on: dt.date, items_met_ids) -> Standard:
    """What an inspection must satisfy before it is recorded; returns the standard it is
    checked against. Forms call it to show the refusal next to the fields."""
    if inspected_on > timezone.localdate():
        raise ApplicationError(_("An inspection date cannot be in the future."))
    standard = _active_standard(station)
    if set(items_met_ids) - {item.pk for item in standard.items.all()}:
        raise ApplicationError(_("Some ticked requirements are not part of this standard."))
    return standard


@transaction.atomic
def inspection_record(
    *, actor, station: Station, inspected_on: dt.date, items_met_ids: list[int], note: str = ""
) -> Inspection:
    """Record a check against the district's standard and update the station's standing
    when this is its latest inspection. Inspections are records: a later one supersedes
    an earlier one, nothing edits them."""
    station = access.get_for_user(
        Station.objects.select_for_update(), actor, access.Purpose.WRITE, pk=station.pk
    )
    standard = inspection_check(
        station=station, inspected_on=inspected_on, items_met_ids=items_met_ids
    )
    item_ids = {item.pk for item in standard.items.all()}
    inspection = Inspection.objects.create(
        station=station,
        standard=standard,
        inspected_on=inspected_on,
        inspector=actor,
        note=note,
        compliant=bool(item_ids) and set(items_met_ids) >= item_ids,
    )
    inspection.items_met.set(items_met_ids)
    if station.last_inspected_on is None or inspected_on >= station.last_inspected_on:
        station.compliant = inspection.compliant
        station.last_inspected_on = inspected_on
        station.save(update_fields=["compliant", "last_inspected_on", "updated_at"])
    return inspection


# Check-ins (签到) --------------------------------------------------------------------------

# The limits the model's constraints share (CHECK_IN_WINDOW, FAR_AWAY_M, DISTANCE_STEP_M,
# MAX_VISITORS_AT_ONCE) are in models.py; these are the service's own.
#
# A phone's location this imprecise says nothing about where it is: not used.
LOCATION_MAX_ACCURACY_M = 2000
# A check-in queued offline keeps the time it was made; it is accepted this long after.
OFFLINE_MAX_AGE = dt.timedelta(days=30)
CLOCK_SKEW = dt.timedelta(minutes=5)  # phones whose clocks run a little fast
# pg_advisory_xact_lock(class, worker id): one worker's check-ins are decided one at a time.
CHECK_IN_LOCK_CLASS = 4401


@dataclass(frozen=True)
class SharedLocation:
    """Where the phone said it was, in the system it gave (wgs84 from a browser; gcj02 from
    WeChat's own location API). Used for the distance, then forgotten."""

    lng: float
    lat: float
    accuracy_m: float | None = None
    system: str = CoordSystem.WGS84


def usable_point(location: SharedLocation | None) -> tuple[float, float] | None:
    """The shared location as a WGS-84 (lng, lat) to measure the distance from, or None
    when there is none or it is too imprecise to mean anything. The distance itself is
    measured and rounded by the database (stations_check_in); the point is kept nowhere."""
    if location is None:
        return None
    if location.accuracy_m is not None and location.accuracy_m > LOCATION_MAX_ACCURACY_M:
        return None
    if not (-180 <= location.lng <= 180 and -90 <= location.lat <= 90):
        raise ApplicationError(_("The location your phone gave is not a place on Earth."))
    return to_wgs84(location.lng, location.lat, location.system)


def _clean_services(codes) -> list[str]:
    known = CheckIn.Service.values
    codes = [str(c).strip() for c in codes or [] if str(c).strip()]
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise ApplicationError(
            _("Unknown services: %(codes)s.") % {"codes": ", ".join(unknown)},
            fields={"services": [_("Choose services from the list.")]},
        )
    return [code for code in known if code in codes]  # the list's order, once each


def _open_for_check_in(station: Station) -> None:
    if station.status == Station.Status.CLOSED:
        raise ApplicationError(_("This station has closed: check-ins are no longer taken here."))


def _replayed(client_key, **same) -> CheckIn | None:
    """The check-in this idempotency key already made, if any (a retry or a replay). A key
    reused for something else is refused rather than silently merged."""
    if client_key is None:
        return None
    existing = CheckIn.objects.filter(client_key=client_key).first()
    if existing is None:
        return None
    if any(getattr(existing, name) != value for name, value in same.items()):
        raise ApplicationError(_("This check-in was already sent for another visit."))
    return existing


def check_in(
    *,
    worker,
    station: Station,
    services: list[str] = (),
    location: SharedLocation | None = None,
    client_key: uuid.UUID | None = None,
    made_at: dt.datetime | None = None,
    actor=None,
) -> tuple[CheckIn, bool]:
    """A worker checks in at a station: on their phone (actor None; `made_at` when it was
    queued offline and sent later) or recorded by the station's keeper (actor).

    Returns (check-in, created). Within CHECK_IN_WINDOW of a check-in at the same station
    the existing one is returned, with any new services added; the same client_key twice
    returns what the first made. The decision is the database function stations_check_in
    (stations/sql/), taken under the worker's advisory lock in one round trip; `worker` and
    `station` may be bare references (only their ids are read), and the returned check-in's
    station carries its name."""
    if actor is not None:
        station = access.get_for_user(
            Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk
        )
    services = _clean_services(services)
    now = timezone.now()
    if made_at is not None:
        if made_at > now + CLOCK_SKEW:
            raise ApplicationError(
                _("This check-in is dated in the future: check the phone's clock.")
            )
        if made_at < now - OFFLINE_MAX_AGE:
            raise ApplicationError(
                _("This check-in was made over %(days)d days ago and can no longer be sent.")
                % {"days": OFFLINE_MAX_AGE.days}
            )
    at = min(made_at or now, now)
    lng, lat = usable_point(location) or (None, None)
    if actor is not None:
        source = CheckIn.Source.KEEPER
    else:
        source = CheckIn.Source.OFFLINE if made_at is not None else CheckIn.Source.PHONE
    local = local_now(at)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, check_in_id, station_name, kept_distance, station_open, "
            "worker_status FROM stations_check_in("
            "%s::bigint, %s::bigint, %s::timestamptz, %s::varchar[], %s::varchar[], "
            "%s::float8, %s::float8, %s::integer, %s::integer, %s::varchar, %s::bigint, "
            "%s::uuid, %s::interval, %s::integer, %s::varchar, %s::date, %s::time, "
            "%s::varchar)",
            [
                worker.pk,
                station.pk,
                at,
                services,
                CheckIn.Service.values,
                lng,
                lat,
                DISTANCE_STEP_M,
                FAR_AWAY_M,
                source,
                actor.pk if actor is not None else None,
                client_key,
                CHECK_IN_WINDOW,
                CHECK_IN_LOCK_CLASS,
                Station.Status.CLOSED.value,
                local.date(),
                local.time().replace(microsecond=0),
                Station.Status.OPEN.value,
            ],
        )
        outcome, check_in_id, station_name, distance, was_open, worker_status = cursor.fetchone()
    if outcome == "no_station":
        raise ApplicationError(_("No such station."))
    if outcome == "no_worker":
        raise ApplicationError(_("Register with a community first."))
    if outcome == "closed":
        raise ApplicationError(_("This station has closed: check-ins are no longer taken here."))
    station.name = station_name
    if outcome == "created":
        # What was inserted is known: the busy path does not read it back.
        done = CheckIn(
            pk=check_in_id,
            station=station,
            worker_id=worker.pk,
            at=at,
            services=services,
            distance_m=distance,
            far_away=distance is not None and distance > FAR_AWAY_M,
            outside_hours=not was_open,
            source=source,
            recorded_by=actor,
            client_key=client_key,
        )
        done.registration_returned = worker_status == Worker.Status.REJECTED
        return done, True
    earlier = CheckIn.objects.get(pk=check_in_id)
    if outcome == "replayed" and (earlier.worker_id, earlier.station_id) != (
        worker.pk,
        station.pk,
    ):
        raise ApplicationError(_("This check-in was already sent for another visit."))
    earlier.station = station
    earlier.registration_returned = worker_status == Worker.Status.REJECTED
    return earlier, False


def check_in_remarks(check_in: CheckIn) -> list[str]:
    """What a worker is told besides "checked in" (issue 14 §2) — the one rule for a visit
    the platform takes but must not take silently: the station was not open (temporarily
    closed, closed for the day, outside its hours; counted on its own in the figures), and
    the worker's registration (报到) was returned, which checking in does not fix."""
    remarks = []
    if check_in.outside_hours:
        remarks.append(
            _(
                "The station was not open at this time (see its hours): your visit is "
                "recorded, but no one may be there to help."
            )
        )
    if getattr(check_in, "registration_returned", False):
        remarks.append(
            _(
                "Your registration (报到) was returned by the community: see why, and send "
                "it again, on “Me”."
            )
        )
    return remarks


@transaction.atomic
def visitors_record(
    *, actor, station: Station, visitors: int, services: list[str] = (), client_key=None
) -> tuple[CheckIn, bool]:
    """The keeper counts visitors who did not give their names (a busy lunch hour, someone
    without a phone). The form's client_key makes a double-tapped submit count once."""
    station = access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    _open_for_check_in(station)
    if not isinstance(visitors, int) or not 1 <= visitors <= MAX_VISITORS_AT_ONCE:
        raise ApplicationError(
            _("Enter how many visitors: 1 to %(max)d.") % {"max": MAX_VISITORS_AT_ONCE},
            fields={"visitors": [_("1 to %(max)d.") % {"max": MAX_VISITORS_AT_ONCE}]},
        )
    services = _clean_services(services)
    replay = _replayed(client_key, worker_id=None, station_id=station.pk, visitors=visitors)
    if replay is not None:
        return replay, False
    try:
        with transaction.atomic():
            return (
                CheckIn.objects.create(
                    station=station,
                    visitors=visitors,
                    at=timezone.now(),
                    services=services,
                    # The same rule as a worker's check-in (stations_check_in).
                    outside_hours=not open_now_by_station(
                        Station.objects.filter(pk=station.pk)
                    ).get(station.pk, False),
                    source=CheckIn.Source.KEEPER,
                    recorded_by=actor,
                    client_key=client_key,
                ),
                True,
            )
    except IntegrityError:  # the same submit arrived twice at once
        return CheckIn.objects.get(client_key=client_key), False


def _worker_named_at(station: Station, phone: str, *, actor):
    """The worker a keeper may check in by phone number at `station`: one registered in
    the station's district, or one whose record the keeper reaches anyway (a city
    department at the counter). Anyone else is answered exactly as a number nobody
    registered (None): a keeper typing numbers must not learn who is registered in
    another district, nor their name.

    Refusing rather than counting them silently as a visitor: the words already tell the
    keeper what to do (count a visitor, which the station's figures keep), a mistyped
    number is not recorded as a visit without the keeper noticing, and a rider from the
    next district still checks in by name by scanning the station's code themselves."""
    worker = worker_for_phone(phone)
    if worker is None or worker.area_id is None:
        return None
    district = station.area.code[:DISTRICT_CODE_DIGITS]
    if worker.area.code.startswith(district):
        return worker
    if access.scope(type(worker).objects.filter(pk=worker.pk), actor).exists():
        return worker
    return None


def visit_record(
    *,
    actor,
    station: Station,
    worker_phone: str = "",
    visitors: int = 1,
    services: list[str] = (),
    client_key=None,
) -> tuple[CheckIn, bool]:
    """The keeper's one entry (admin form, API): a worker who tells their phone number is
    checked in by name (the 30-minute rule applies); no number, a count of visitors."""
    phone = (worker_phone or "").strip()
    if not phone:
        return visitors_record(
            actor=actor,
            station=station,
            visitors=visitors,
            services=services,
            client_key=client_key,
        )
    # The station first: someone who may not record visits here learns nothing about the
    # number (404/403 before any phone is looked up).
    station = access.get_for_user(
        Station.objects.select_related("area"), actor, access.Purpose.WRITE, pk=station.pk
    )
    worker = _worker_named_at(station, phone, actor=actor)
    if worker is None:
        message = _(
            "No worker is registered with this number: help them register first, or leave it "
            "empty and count them as a visitor."
        )
        raise ApplicationError(message, fields={"worker_phone": [message]})
    if visitors != 1:
        message = _("A named worker is one visitor: leave 1.")
        raise ApplicationError(message, fields={"visitors": [message]})
    return check_in(
        worker=worker, station=station, services=services, client_key=client_key, actor=actor
    )


@transaction.atomic
def check_ins_merge(*, actor, duplicate, kept) -> None:
    """Merging two records of one person (members.merge): the duplicate's check-ins follow
    the person. Where both records checked in at the same station within CHECK_IN_WINDOW,
    that was one visit, as check_in would have made it: the duplicate's services (and its
    distance, where the kept one has none) join the kept record's check-in, and the
    duplicate's row, now saying nothing more, goes."""
    known = CheckIn.Service.values
    for visit in CheckIn.objects.select_for_update().filter(worker=duplicate).order_by("at"):
        same_visit = (
            CheckIn.objects.select_for_update()
            .filter(
                worker=kept,
                station_id=visit.station_id,
                at__gt=visit.at - CHECK_IN_WINDOW,
                at__lt=visit.at + CHECK_IN_WINDOW,
            )
            .order_by("at")
            .first()
        )
        if same_visit is None:
            continue
        used = set(same_visit.services) | set(visit.services)
        same_visit.services = [code for code in known if code in used]
        if same_visit.distance_m is None and visit.distance_m is not None:
            same_visit.distance_m, same_visit.far_away = visit.distance_m, visit.far_away
        same_visit.save(update_fields=["services", "distance_m", "far_away"])
        visit.delete()
    CheckIn.objects.filter(worker=duplicate).update(worker=kept)


def keeper_stations_set(*, grant, stations) -> None:
    """The stations a keeper's grant covers (each inside the grant's area)."""
    grant_objects_set(grant=grant, kind=KEPT_STATION, objects=stations)
