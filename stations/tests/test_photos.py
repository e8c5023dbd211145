"""Station photos: bounded by bytes and pixels before anything is decoded, only JPEG, PNG or
WebP, a truncated file refused in words — by the service, and by the admin's photo inline
before the station is saved (a refusal by the field, never a 500)."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import photos
from core.exceptions import ApplicationError
from stations.admin import StationPhotoForm

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB" if fmt != "GIF" else "P", size, 200).save(out, format=fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def upload(content: bytes, name="photo.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.mark.parametrize(
    "content, message",
    [
        (png_claiming(12_000, 12_000), "megapixels"),
        (image_bytes("GIF"), "JPEG, PNG or WebP"),
        (image_bytes("JPEG")[:200], "not a photo we can read"),
        (b"GIF89a" + b"\0" * 100, "not a photo we can read"),
    ],
)
def test_what_is_not_a_photo_we_keep_is_refused_in_words(station_a, content, message):
    with pytest.raises(ApplicationError, match=message):
        photos.photo_clean(upload(content))


def test_a_good_photo_is_re_encoded_without_its_metadata(station_a):
    cleaned = photos.photo_clean(upload(image_bytes("PNG"), "photo.png"))
    assert Image.open(io.BytesIO(cleaned)).format == "JPEG"


def test_the_admin_inline_shows_the_refusal_by_the_field(station_a):
    # A GIF is an image to Django's own field: only the service's rule refuses it here.
    gif = upload(image_bytes("GIF"), "photo.gif")
    form = StationPhotoForm(data={"caption": "", "order": 0}, files={"image": gif})
    assert not form.is_valid()
    assert "JPEG, PNG or WebP" in str(form.errors["image"])
