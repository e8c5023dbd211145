import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from core.exceptions import ApplicationError
from stations import services
from stations.models import Brand, RetiredPosterKey, Standard, StandardItem, Station

pytestmark = pytest.mark.django_db


def jpeg_with_gps_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (35.0, 42.0, 36.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_re_encoded_without_exif(trio, station_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = jpeg_with_gps_exif()
    assert Image.open(io.BytesIO(raw)).getexif()  # the upload carries EXIF
    photo = services.station_add_photo(
        actor=trio.staff_a,
        station=station_a,
        upload=SimpleUploadedFile("p.jpg", raw, content_type="image/jpeg"),
    )
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()
        assert stored.size == (40, 30)


def test_photo_that_is_not_an_image_is_refused(trio, station_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ApplicationError, match="not a photo"):
        services.station_add_photo(
            actor=trio.staff_a,
            station=station_a,
            upload=SimpleUploadedFile("p.jpg", b"<?php evil(); ?>"),
        )
    assert not station_a.photos.exists()


def test_photo_upload_by_viewer_is_refused(trio, station_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(PermissionDenied):
        services.station_add_photo(
            actor=trio.viewer_a,
            station=station_a,
            upload=SimpleUploadedFile("p.jpg", jpeg_with_gps_exif()),
        )


def test_rotate_poster_key_retires_the_old_key(trio, station_a):
    old = station_a.poster_key
    rotated = services.station_rotate_poster_key(actor=trio.staff_a, station=station_a)
    assert rotated.poster_key != old
    assert RetiredPosterKey.objects.filter(station=station_a, key=old).exists()


def test_rotate_poster_key_refused_for_viewer_and_outsider(trio, station_a):
    with pytest.raises(PermissionDenied):
        services.station_rotate_poster_key(actor=trio.viewer_a, station=station_a)
    with pytest.raises(Http404):
        services.station_rotate_poster_key(actor=trio.staff_b, station=station_a)
    station_a.refresh_from_db()
    assert not RetiredPosterKey.objects.exists()


def test_poster_token_round_trips_and_rejects_tampering(station_a):
    token = services.poster_token(station_a)
    assert str(station_a.pk) not in token.split(":")[0] or len(token) > 20
    assert services.poster_key_from_token(token) == station_a.poster_key
    assert services.poster_key_from_token(token[:-1] + "x") is None


def test_station_save_sets_pinyin_initials(trio):
    station = Station(
        name="暖峰港湾北大街",
        brand=Brand.objects.get(code="nuanfeng"),
        area=trio.tree.a["community"],
        address="x",
        location="SRID=4326;POINT(107.6 35.7)",
    )
    services.station_save(actor=trio.staff_a, station=station)
    assert station.name_initials == "nfgwbdj"


def test_station_save_into_an_area_outside_reach_is_refused(trio):
    station = Station(
        name="越界站",
        brand=Brand.objects.get(code="nuanfeng"),
        area=trio.tree.b["community"],
        address="x",
        location="SRID=4326;POINT(107.6 35.7)",
    )
    with pytest.raises(Http404):
        services.station_save(actor=trio.staff_a, station=station)
    assert not Station.objects.filter(name="越界站").exists()


def test_weekly_hours_refuse_empty_periods(trio, station_a):
    with pytest.raises(ApplicationError):
        services.station_set_weekly_hours(
            actor=trio.staff_a, station=station_a, periods=[(0, dt.time(8), dt.time(8))]
        )
    with pytest.raises(ApplicationError):
        services.station_set_weekly_hours(
            actor=trio.staff_a, station=station_a, periods=[(7, dt.time(8), dt.time(9))]
        )


def test_exception_needs_hours_unless_closed(trio, station_a):
    with pytest.raises(ApplicationError, match="closed all day"):
        services.station_set_exception(
            actor=trio.staff_a, station=station_a, date=dt.date(2026, 12, 1), closed=False
        )


@pytest.fixture
def standard(trio):
    s = Standard.objects.create(area=trio.tree.a["district"], name="六有")
    items = [
        StandardItem.objects.create(standard=s, text=t, order=i)
        for i, t in enumerate(["有桌椅", "有饮水", "有药箱"])
    ]
    return s, items


def test_inspection_with_every_item_met_is_compliant(trio, station_a, standard):
    _, items = standard
    services.inspection_record(
        actor=trio.staff_a,
        station=station_a,
        inspected_on=dt.date(2026, 11, 1),
        items_met_ids=[i.pk for i in items],
    )
    station_a.refresh_from_db()
    assert station_a.compliant is True and station_a.last_inspected_on == dt.date(2026, 11, 1)


def test_an_older_inspection_does_not_override_a_newer_one(trio, station_a, standard):
    _, items = standard
    services.inspection_record(
        actor=trio.staff_a,
        station=station_a,
        inspected_on=dt.date(2026, 11, 1),
        items_met_ids=[items[0].pk],
    )
    services.inspection_record(
        actor=trio.staff_a,
        station=station_a,
        inspected_on=dt.date(2026, 10, 1),
        items_met_ids=[i.pk for i in items],
    )
    station_a.refresh_from_db()
    assert station_a.compliant is False


def test_inspection_refusals(trio, station_a, station_b, standard):
    with pytest.raises(ApplicationError, match="future"):
        services.inspection_record(
            actor=trio.staff_a,
            station=station_a,
            inspected_on=dt.date.today() + dt.timedelta(days=9),
            items_met_ids=[],
        )
    with pytest.raises(ApplicationError, match="no active station standard"):
        services.inspection_record(
            actor=trio.staff_b,
            station=station_b,
            inspected_on=dt.date(2026, 11, 1),
            items_met_ids=[],
        )
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=trio.viewer_a,
            station=station_a,
            inspected_on=dt.date(2026, 11, 1),
            items_met_ids=[],
        )
