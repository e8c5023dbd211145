"""Writes to stations. Views, serializers, admin and commands call these; nothing else
changes a station."""

import datetime as dt
import io

from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from areas import access
from core.exceptions import ApplicationError, full_clean_or_refuse

from .models import (
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

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
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


def _clean_image(upload) -> bytes:
    """Decode, check and re-encode an uploaded photo. Re-encoding drops EXIF (GPS position,
    phone model, owner) after using its orientation, and anything hidden in the file."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ApplicationError(_("The photo is larger than 8 MB; please choose a smaller one."))
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in {"JPEG", "PNG", "WEBP"}:
                raise ApplicationError(_("Photos must be JPEG, PNG or WebP images."))
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ApplicationError(_("This file is not a photo we can read.")) from None


def station_add_photo(*, actor, station: Station, upload, caption: str = "") -> StationPhoto:
    access.get_for_user(Station.objects.all(), actor, access.Purpose.WRITE, pk=station.pk)
    data = _clean_image(upload)
    photo = StationPhoto(station=station, caption=caption, order=station.photos.count())
    photo.image.save("photo.jpg", ContentFile(data), save=True)
    return photo


def poster_token(station: Station) -> str:
    """The token printed in a poster's QR code: the station's current poster key, signed,
    so a poster carries no database id and a mistyped token is recognised as such."""
    return signing.Signer(salt=POSTER_SIGNER_SALT).sign(station.poster_key)


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
