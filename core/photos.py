"""Photos people upload (a station's, a wish's, a report's): checked, bounded and
re-encoded before anything keeps them."""

import io

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .exceptions import ApplicationError

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_SIDE = 1600
# A phone's photo has up to ~50 megapixels; past this it is a decompression bomb, not a photo.
PHOTO_MAX_PIXELS = 50_000_000


def photo_clean(upload) -> bytes:
    """Check, decode and re-encode an uploaded photo (the admin's inline form asks this
    first, so a refusal shows by the field). Bounded before anything is decoded: by bytes,
    then by pixels from the header (a small PNG can claim 144 megapixels and take gigabytes
    to open). Re-encoding drops EXIF (GPS position, phone model, owner) after using its
    orientation, and anything hidden in the file."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ApplicationError(_("The photo is larger than 8 MB; please choose a smaller one."))
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP"}:
                raise ApplicationError(_("Photos must be JPEG, PNG or WebP images."))
            width, height = probe.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ApplicationError(
                    _("The photo has more than %(mp)d megapixels; please choose a smaller one.")
                    % {"mp": PHOTO_MAX_PIXELS // 1_000_000}
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ApplicationError(_("This file is not a photo we can read.")) from None
