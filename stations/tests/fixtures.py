import pytest

from stations.services import keeper_stations_set

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


@pytest.fixture
def keeper_a(tree, station_a):
    """The keeper (站长) of station_a: reaches that station only."""
    from areas.models import StaffGrant
    from areas.tests.factories import UserFactory, grant

    keeper = UserFactory(username="keeper_a")
    keeper_stations_set(
        grant=grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER),
        stations=[station_a],
    )
    return keeper
