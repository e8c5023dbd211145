"""Cases for the feedback tests: the platform's categories (made by the migration), and
helpers that put a case in a state by calling the services, as staff would."""

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from areas.models import Area
from feedback import services
from feedback.models import Case, FeedbackCategory, Kind
from feedback.services import Place


def category(code: str = "flying-wire") -> FeedbackCategory:
    """One of the platform's categories (飞线充电, a hazard the community answers)."""
    return FeedbackCategory.objects.get(area=None, code=code)


def square(lng: float, lat: float, size: float = 0.01) -> MultiPolygon:
    """A square boundary with its south-west corner at (lng, lat)."""
    ring = (
        (lng, lat),
        (lng + size, lat),
        (lng + size, lat + size),
        (lng, lat + size),
        (lng, lat),
    )
    return MultiPolygon(Polygon(ring), srid=4326)


def give_boundary(area: Area, lng: float, lat: float, size: float = 0.01) -> Area:
    area.boundary = square(lng, lat, size)
    area.centre = Point(lng + size / 2, lat + size / 2, srid=4326)
    area.save(update_fields=["boundary", "centre"])
    return area


def report(
    worker, *, code: str = "flying-wire", text: str = "3号楼楼道有人飞线充电", **overrides
) -> Case:
    """A worker's report at their community (no point: a hazard gets one from `place`)."""
    chosen = category(code)
    place = overrides.pop("place", None) or Place(station=overrides.pop("station", None))
    return services.case_submit(
        worker=worker,
        kind=overrides.pop("kind", chosen.kind),
        category=chosen,
        text=text,
        place=place,
        **overrides,
    )


def suggestion(worker, text: str = "希望驿站晚上多开一小时") -> Case:
    return services.case_submit(
        worker=worker,
        kind=Kind.SUGGESTION,
        category=category("station-service"),
        text=text,
        place=Place(),
    )


def photo(name: str = "wire.png", colour: str = "red"):
    """A small real PNG, as a phone uploads it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
