import pytest

from .factories import StationFactory


@pytest.fixture
def station_a(tree):
    return StationFactory(name="甲站", area=tree.a["community"])


@pytest.fixture
def station_b(tree):
    from django.contrib.gis.geos import Point

    return StationFactory(
        name="乙站", area=tree.b["community"], location=Point(107.70, 35.72, srid=4326)
    )
