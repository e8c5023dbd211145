"""The scoping choke point (areas.access), on station rows: who reaches which, keepers by
the stations their grant names (areas.object_grants)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from areas import access
from areas.models import Area, GrantedObject, StaffGrant
from areas.tests.factories import UserFactory, grant
from core.exceptions import ApplicationError
from stations.models import Station
from stations.services import keeper_stations_set
from stations.tests.factories import StationFactory

pytestmark = pytest.mark.django_db


def visible(user, purpose=access.Purpose.READ):
    return set(access.scope(Station.objects.all(), user, purpose).values_list("name", flat=True))


def test_staff_of_a_reach_only_a(trio, station_a, station_b):
    assert visible(trio.staff_a) == {"甲站"}
    assert visible(trio.staff_b) == {"乙站"}


def test_city_department_reaches_all_its_districts(trio, station_a, station_b):
    assert visible(trio.city) == {"甲站", "乙站"}


def test_viewer_reads_but_cannot_write(trio, station_a):
    assert visible(trio.viewer_a) == {"甲站"}
    assert visible(trio.viewer_a, access.Purpose.WRITE) == set()
    with pytest.raises(PermissionDenied):
        access.get_for_user(
            Station.objects.all(), trio.viewer_a, access.Purpose.WRITE, pk=station_a.pk
        )


def test_outsider_gets_404_not_403(trio, station_a):
    with pytest.raises(Http404):
        access.get_for_user(
            Station.objects.all(), trio.staff_b, access.Purpose.WRITE, pk=station_a.pk
        )


def test_user_without_grants_reaches_nothing(tree, station_a):
    assert visible(UserFactory(username="nobody")) == set()


def test_anonymous_reaches_nothing(station_a):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()


def test_auditor_reaches_no_station_rows(tree, station_a):
    auditor = UserFactory(username="auditor")
    grant(auditor, tree.a["district"], StaffGrant.Role.AUDITOR)
    assert visible(auditor) == set()


def test_keeper_reaches_only_named_stations(tree, station_a):
    other = StationFactory(name="丙站", area=tree.a["community"])
    keeper = UserFactory(username="keeper")
    g = grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    keeper_stations_set(grant=g, stations=[station_a])
    assert visible(keeper) == {"甲站"}
    assert visible(keeper, access.Purpose.WRITE) == {"甲站"}
    assert other.name not in visible(keeper)


def test_keeper_grant_for_a_station_outside_its_area_is_ignored(tree, station_b):
    keeper = UserFactory(username="keeper")
    g = grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER)
    with pytest.raises(ApplicationError, match="Outside the grant's area"):
        keeper_stations_set(grant=g, stations=[station_b])
    # Named anyway (by SQL, an old row): ignored rather than trusted.
    GrantedObject.objects.create(grant=g, kind="stations.station", object_id=station_b.pk)
    assert visible(keeper) == set()


def test_only_roles_that_name_objects_may_name_stations(tree, station_a):
    staff = UserFactory(username="community_staff")
    g = grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)
    with pytest.raises(ApplicationError, match="covers whole areas"):
        keeper_stations_set(grant=g, stations=[station_a])
    assert not GrantedObject.objects.exists()


def test_community_grant_does_not_reach_sibling_community(tree, station_a):
    sibling = StationFactory(name="邻站", area=tree.a["community2"])
    staff = UserFactory(username="community_staff")
    grant(staff, tree.a["community"], StaffGrant.Role.COMMUNITY)
    assert visible(staff) == {"甲站"}
    assert sibling.name not in visible(staff)


def test_prefix_of_a_district_does_not_leak_into_a_longer_code(tree):
    # 621002 must not match 6210021… codes of another level by accident: prefixes are
    # taken per level, so a district grant is exactly its 6 digits.
    assert tree.a["district"].prefix == "621002"
    assert tree.a["street"].prefix == "621002001"
    assert tree.a["community"].prefix == "621002001001"


def test_area_scoping_includes_granted_subtree_only(trio):
    codes = set(access.areas_reached(trio.staff_a).values_list("code", flat=True))
    assert trio.tree.a["community"].code in codes
    assert trio.tree.b["community"].code not in codes
    assert trio.tree.city.code not in codes


def test_superuser_reaches_everything(trio, station_a, station_b):
    admin = UserFactory(username="root", is_superuser=True)
    assert visible(admin) == {"甲站", "乙站"}


def test_reach_is_computed_once_per_user_object(trio, django_assert_num_queries):
    access.reach_of(trio.staff_a)
    with django_assert_num_queries(0):
        access.reach_of(trio.staff_a)


def test_unscopable_model_is_refused():
    from django.contrib.auth.models import Group

    with pytest.raises(TypeError):
        access.scope(Group.objects.all(), None)


def test_area_code_must_have_12_digits(tree):
    from django.core.exceptions import ValidationError

    area = Area(code="62100", name="x", level="district", parent=tree.city)
    with pytest.raises(ValidationError):
        area.full_clean()
