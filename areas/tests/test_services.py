import json

import pytest

from areas.models import Area
from areas.services import area_import_boundaries, area_upsert, divisions_load, normalise_code
from core.exceptions import ApplicationError

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[107.6, 35.7], [107.7, 35.7], [107.7, 35.8], [107.6, 35.8], [107.6, 35.7]]],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(code, geometry):
    return {"type": "Feature", "properties": {"code": code}, "geometry": geometry}


def test_divisions_load_brings_real_codes_and_is_idempotent():
    divisions_load()
    xifeng = Area.objects.get(code="621002000000")
    assert xifeng.name == "西峰区" and xifeng.parent.name == "庆阳市"
    assert Area.objects.get(code="110100000000").level == "city"  # municipality gets a city layer
    assert Area.objects.filter(level="district").count() > 2800
    assert divisions_load() == 0


def test_boundaries_import_sets_boundary_and_centre(tree):
    count = area_import_boundaries(data=collection(feature("621002", SQUARE)))
    assert count == 1
    district = Area.objects.get(pk=tree.a["district"].pk)
    assert district.boundary.valid and district.boundary.contains(district.centre)


def test_invalid_geometry_is_refused_and_nothing_is_saved(tree):
    data = collection(feature("621002", SQUARE), feature("621021", BOWTIE))
    with pytest.raises(ApplicationError, match="Feature 2"):
        area_import_boundaries(data=data)
    assert Area.objects.get(pk=tree.a["district"].pk).boundary is None


@pytest.mark.parametrize(
    "data, message",
    [
        ("not json", "not GeoJSON"),
        (json.dumps({"type": "Feature"}), "FeatureCollection"),
        (collection(), "no features"),
        (collection(feature("999999", SQUARE)), "no area has the code"),
        (collection(feature("abc", SQUARE)), "not a division code"),
        (collection(feature("621002", {"type": "Point", "coordinates": [1, 2]})), "Polygon"),
    ],
)
def test_bad_boundary_files_get_a_clear_message(tree, data, message):
    with pytest.raises(ApplicationError, match=message):
        area_import_boundaries(data=data)


def test_boundaries_import_refuses_areas_outside_the_users_reach(trio):
    with pytest.raises(ApplicationError, match="may not change"):
        area_import_boundaries(data=collection(feature("621021", SQUARE)), user=trio.staff_a)


def test_upsert_refuses_a_code_outside_its_parent(tree):
    with pytest.raises(ApplicationError, match="does not lie under"):
        area_upsert(code="999999001000", name="x", level="street", parent=tree.a["district"])


def test_normalise_code_pads_gb2260_codes():
    assert normalise_code("621002") == "621002000000"
