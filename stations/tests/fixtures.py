import importlib

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


@pytest.fixture(autouse=True)
def _catalogues(request):
    """Migrations seed the brand and facility catalogues, but a transactional test's flush
    wipes them for every test after it; put them back when a test uses the database."""
    if not ({"db", "transactional_db"} & set(request.fixturenames)) and not any(
        m.name == "django_db" for m in request.node.iter_markers()
    ):
        return
    request.getfixturevalue(
        "transactional_db" if "transactional_db" in request.fixturenames else "db"
    )
    from django.apps import apps

    from stations.models import Brand

    if not Brand.objects.exists():
        importlib.import_module("stations.migrations.0002_catalogues").seed(apps, None)


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
