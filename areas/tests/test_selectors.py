"""Reads in areas: what a worker of an area is offered (areas.selectors), who reaches which
rows (the choke point, areas.access, on areas' own models: Area, StaffGrant, AccessLog)
and which rows a user may name (areas.references).

Station rows and keepers' stations are tested through stations (stations/tests/
test_scoping.py); grants on objects are tested here with a throwaway kind of areas' own."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from areas import access, object_grants, references, selectors
from areas.audit import record_access
from areas.models import AccessLog, Area, GrantedObject, StaffGrant
from areas.services import grant_objects_check
from core.exceptions import ApplicationError

from .factories import UserFactory, grant

pytestmark = pytest.mark.django_db
Purpose = access.Purpose
Role = StaffGrant.Role


def fresh(user):
    """The same account as a new request sees it (reach is cached on the user object)."""
    return get_user_model().objects.get(pk=user.pk)


def codes(user, purpose=Purpose.READ) -> set[str]:
    return set(access.areas_reached(user, purpose).values_list("code", flat=True))


def subtree(area: Area) -> set[str]:
    return set(Area.objects.filter(code__startswith=area.prefix).values_list("code", flat=True))


def usernames(queryset) -> set[str]:
    return set(queryset.values_list("username", flat=True))


def granted_to(queryset) -> set[str]:
    return set(queryset.values_list("user__username", flat=True))


# areas.selectors.offered_to ------------------------------------------------------------------


def test_offered_to_is_the_district_and_the_areas_above_not_another_district(trio):
    tree = trio.tree
    province_staff = UserFactory(username="province_staff")
    grant(province_staff, tree.province, Role.VIEWER)
    community_staff = UserFactory(username="community2_staff")
    grant(community_staff, tree.a["community2"], Role.COMMUNITY)

    offered = StaffGrant.objects.filter(selectors.offered_to(tree.a["community"]))

    assert granted_to(offered) == {
        "staff_a",  # the district
        "viewer_a",
        "community2_staff",  # a sibling community in the same district
        "city_dept",  # the city above
        "province_staff",  # the province above
    }


def test_offered_to_a_street_is_its_district_and_the_areas_above(trio):
    log_b = record_access(
        actor=trio.staff_b,
        action="view",
        reason="核实",
        area=trio.tree.b["community"],
        obj=trio.staff_b,
    )
    offered = StaffGrant.objects.filter(selectors.offered_to(trio.tree.b["street"], "area"))
    assert granted_to(offered) == {"staff_b", "city_dept"}
    logs = AccessLog.objects.filter(selectors.offered_to(trio.tree.a["community"]))
    assert log_b not in logs


# areas.access on the Area tree ---------------------------------------------------------------


def test_district_staff_read_and_write_their_district_and_everything_under_it(trio):
    a = trio.tree.a
    expected = {area.code for area in a.values()}
    assert codes(trio.staff_a) == expected
    assert codes(trio.staff_a, Purpose.WRITE) == expected


def test_district_staff_reach_neither_another_district_nor_the_areas_above(trio):
    reached = codes(trio.staff_a)
    assert not reached & subtree(trio.tree.b["district"])
    assert trio.tree.city.code not in reached and trio.tree.province.code not in reached


def test_city_department_reaches_the_city_and_every_district_in_it_not_the_province(trio):
    assert codes(trio.city) == subtree(trio.tree.city)
    assert trio.tree.province.code not in codes(trio.city)


def test_viewer_reads_but_writes_nowhere(trio):
    assert codes(trio.viewer_a) == subtree(trio.tree.a["district"])
    assert codes(trio.viewer_a, Purpose.WRITE) == set()


def test_community_staff_do_not_reach_the_sibling_community_or_their_street(trio):
    staff = UserFactory(username="community_staff")
    grant(staff, trio.tree.a["community"], Role.COMMUNITY)
    assert codes(staff) == {trio.tree.a["community"].code}


def test_superuser_reaches_every_area_without_a_grant(trio):
    root = UserFactory(username="root", is_superuser=True)
    assert codes(root) == set(Area.objects.values_list("code", flat=True))
    assert access.can_in(root, None, Purpose.WRITE)


def test_anyone_without_a_grant_reaches_nothing(trio):
    nobody = UserFactory(username="nobody")
    assert codes(nobody) == set()
    assert codes(AnonymousUser()) == set()
    assert access.reach_of(nobody).is_empty
    assert not access.reach_of(nobody).can_read_anything()


def test_an_inactive_account_reaches_nothing_despite_its_grant(trio):
    trio.staff_a.is_active = False
    trio.staff_a.save()
    assert codes(fresh(trio.staff_a)) == set()


def test_no_area_is_reached_only_by_superusers(trio):
    assert not access.can_in(trio.city, None, Purpose.READ)


def test_prefixes_covered_by_a_wider_grant_are_dropped(trio):
    grant(trio.city, trio.tree.a["district"], Role.DISTRICT_DEPARTMENT)
    assert access.reach_of(fresh(trio.city)).prefixes[Purpose.READ] == ("6210",)


def test_grants_in_two_districts_reach_both(trio):
    grant(trio.staff_a, trio.tree.b["community"], Role.COMMUNITY)
    staff = fresh(trio.staff_a)
    assert codes(staff) == subtree(trio.tree.a["district"]) | {trio.tree.b["community"].code}
    assert trio.tree.b["community2"].code not in codes(staff)


def test_reach_is_computed_once_per_user_object(trio):
    reached = codes(trio.staff_b)
    grant(trio.staff_b, trio.tree.a["community"], Role.COMMUNITY)
    assert codes(trio.staff_b) == reached  # the same request keeps its reach
    assert trio.tree.a["community"].code in codes(fresh(trio.staff_b))


def test_auditor_reaches_the_audit_log_purpose_only(trio):
    auditor = UserFactory(username="auditor")
    grant(auditor, trio.tree.a["district"], Role.AUDITOR)
    assert codes(auditor) == set()
    assert codes(auditor, Purpose.WRITE) == set()
    assert codes(auditor, Purpose.AUDIT) == subtree(trio.tree.a["district"])


def test_area_roles_audit_their_area_but_a_viewer_does_not(trio):
    assert codes(trio.staff_a, Purpose.AUDIT) == subtree(trio.tree.a["district"])
    assert codes(trio.viewer_a, Purpose.AUDIT) == set()


def test_party_records_need_the_party_affairs_flag(trio):
    assert codes(trio.staff_a, Purpose.PARTY) == set()
    StaffGrant.objects.filter(user=trio.staff_a).update(party_affairs=True)
    staff = fresh(trio.staff_a)
    assert codes(staff, Purpose.PARTY) == subtree(trio.tree.a["district"])
    assert codes(staff, Purpose.PARTY_WRITE) == subtree(trio.tree.a["district"])


def test_a_party_viewer_reads_party_records_but_does_not_write_them(trio):
    StaffGrant.objects.filter(user=trio.viewer_a).update(party_affairs=True)
    viewer = fresh(trio.viewer_a)
    assert codes(viewer, Purpose.PARTY) == subtree(trio.tree.a["district"])
    assert codes(viewer, Purpose.PARTY_WRITE) == set()


def test_the_party_flag_of_an_auditor_opens_no_party_records(trio):
    auditor = UserFactory(username="auditor")
    StaffGrant.objects.create(
        user=auditor, area=trio.tree.a["district"], role=Role.AUDITOR, party_affairs=True
    )
    assert codes(auditor, Purpose.PARTY) == set()


def test_unmasking_needs_the_may_unmask_flag(trio):
    assert codes(trio.viewer_a, Purpose.UNMASK) == set()
    StaffGrant.objects.filter(user=trio.viewer_a).update(may_unmask=True)
    assert codes(fresh(trio.viewer_a), Purpose.UNMASK) == subtree(trio.tree.a["district"])
    assert codes(trio.staff_b, Purpose.UNMASK) == set()


# get_for_user, require_write_in, require_write_to ------------------------------------------


def test_outsider_gets_404_for_an_area_they_do_not_reach(trio):
    for purpose in (Purpose.READ, Purpose.WRITE):
        with pytest.raises(Http404):
            access.get_for_user(
                Area.objects.all(), trio.staff_b, purpose, pk=trio.tree.a["district"].pk
            )


def test_viewer_gets_the_area_to_read_and_403_to_write(trio):
    district = trio.tree.a["district"]
    assert access.get_for_user(Area.objects.all(), trio.viewer_a, pk=district.pk) == district
    with pytest.raises(PermissionDenied):
        access.get_for_user(Area.objects.all(), trio.viewer_a, Purpose.WRITE, pk=district.pk)


def test_staff_get_their_area_to_write(trio):
    street = trio.tree.a["street"]
    assert access.get_for_user(Area.objects.all(), trio.staff_a, Purpose.WRITE, pk=street.pk) == (
        street
    )


def test_party_viewer_gets_403_on_party_write_and_staff_without_the_flag_404(trio):
    StaffGrant.objects.filter(user=trio.viewer_a).update(party_affairs=True)
    district = trio.tree.a["district"]
    with pytest.raises(PermissionDenied):
        access.get_for_user(
            Area.objects.all(), fresh(trio.viewer_a), Purpose.PARTY_WRITE, pk=district.pk
        )
    with pytest.raises(Http404):
        access.get_for_user(Area.objects.all(), trio.staff_a, Purpose.PARTY_WRITE, pk=district.pk)


def test_require_write_in_lets_staff_write_in_their_area(trio):
    access.require_write_in(trio.staff_a, trio.tree.a["community"])
    access.require_write_in(trio.city, trio.tree.b["community"])


def test_require_write_in_refuses_a_reader_with_403_and_an_outsider_with_404(trio):
    with pytest.raises(PermissionDenied):
        access.require_write_in(trio.viewer_a, trio.tree.a["community"])
    with pytest.raises(Http404):
        access.require_write_in(trio.staff_b, trio.tree.a["community"])


def test_require_write_in_for_party_records(trio):
    StaffGrant.objects.filter(user__in=[trio.staff_a, trio.viewer_a]).update(party_affairs=True)
    access.require_write_in(fresh(trio.staff_a), trio.tree.a["community"], Purpose.PARTY_WRITE)
    with pytest.raises(PermissionDenied):
        access.require_write_in(fresh(trio.viewer_a), trio.tree.a["community"], Purpose.PARTY_WRITE)
    with pytest.raises(Http404):  # staff_b has no party flag: party rows do not exist for them
        access.require_write_in(trio.staff_b, trio.tree.b["community"], Purpose.PARTY_WRITE)


def test_moving_a_grant_out_of_reach_is_refused_as_if_the_target_did_not_exist(trio):
    viewer_grant = StaffGrant.objects.get(user=trio.viewer_a)
    viewer_grant.area = trio.tree.b["district"]
    with pytest.raises(Http404):
        access.require_write_to(trio.staff_a, viewer_grant)
    viewer_grant.area = trio.tree.a["community"]
    access.require_write_to(trio.staff_a, viewer_grant)


# StaffGrant and AccessLog rows -------------------------------------------------------------


def test_staff_see_the_grants_of_their_area_only(trio):
    assert granted_to(access.scope(StaffGrant.objects.all(), trio.staff_a)) == {
        "staff_a",
        "viewer_a",
    }
    assert granted_to(access.scope(StaffGrant.objects.all(), trio.staff_b)) == {"staff_b"}
    assert granted_to(access.scope(StaffGrant.objects.all(), trio.city)) == {
        "staff_a",
        "viewer_a",
        "staff_b",
        "city_dept",
    }


def test_viewer_may_change_no_grant(trio):
    staff_a_grant = StaffGrant.objects.get(user=trio.staff_a)
    assert not access.scope(StaffGrant.objects.all(), trio.viewer_a, Purpose.WRITE).exists()
    with pytest.raises(PermissionDenied):
        access.get_for_user(
            StaffGrant.objects.all(), trio.viewer_a, Purpose.WRITE, pk=staff_a_grant.pk
        )
    with pytest.raises(Http404):
        access.get_for_user(StaffGrant.objects.all(), trio.staff_b, pk=staff_a_grant.pk)


@pytest.fixture
def logs(trio):
    def log(area):
        return record_access(
            actor=trio.city,
            action=AccessLog.Action.EXPORT,
            reason="核实身份",
            area=area,
            model=StaffGrant,
            row_count=1,
        )

    return {
        "a": log(trio.tree.a["community"]),
        "b": log(trio.tree.b["community"]),
        "none": log(None),
    }


def test_auditor_reads_the_access_log_of_their_area(trio, logs):
    auditor = UserFactory(username="auditor")
    grant(auditor, trio.tree.a["district"], Role.AUDITOR)
    assert list(access.scope(AccessLog.objects.all(), auditor, Purpose.AUDIT)) == [logs["a"]]
    assert not access.scope(AccessLog.objects.all(), auditor, Purpose.READ).exists()


def test_access_log_is_audited_by_area_staff_not_by_viewers(trio, logs):
    assert list(access.scope(AccessLog.objects.all(), trio.staff_b, Purpose.AUDIT)) == [logs["b"]]
    assert not access.scope(AccessLog.objects.all(), trio.viewer_a, Purpose.AUDIT).exists()


def test_a_log_row_without_an_area_is_for_superusers_only(trio, logs):
    in_city = access.scope(AccessLog.objects.all(), trio.city, Purpose.AUDIT)
    assert logs["none"] not in in_city and in_city.count() == 2
    root = UserFactory(username="root", is_superuser=True)
    assert access.scope(AccessLog.objects.all(), root, Purpose.AUDIT).count() == 3


def test_a_model_without_scope_area_path_cannot_be_scoped(trio):
    with pytest.raises(TypeError, match="scope_area_path"):
        access.scope(GrantedObject.objects.all(), trio.city)


# Grants on objects (areas.object_grants) ---------------------------------------------------

LOG_KIND = "areas.accesslog"


@pytest.fixture
def log_kind(monkeypatch):
    """A throwaway kind: a keeper's grant may name access-log rows, which keepers then read
    and write (as they do the stations they keep)."""
    kind = object_grants.register(
        object_grants.ObjectKind(
            key=LOG_KIND, label="logs kept", roles=frozenset({Role.STATION_KEEPER})
        )
    )
    monkeypatch.setattr(AccessLog, "scope_object_paths", {LOG_KIND: "pk"}, raising=False)
    yield kind
    object_grants._kinds.remove(LOG_KIND)


@pytest.fixture
def keeper(trio):
    user = UserFactory(username="keeper")
    grant(user, trio.tree.a["community"], Role.STATION_KEEPER)
    return user


def name_objects(user, *objects):
    for obj in objects:
        GrantedObject.objects.create(grant=user.grants.get(), kind=LOG_KIND, object_id=obj.pk)
    return fresh(user)


def test_keeper_reads_and_writes_the_objects_their_grant_names(log_kind, keeper, logs):
    keeper = name_objects(keeper, logs["a"])
    assert access.reach_of(keeper).objects_of(LOG_KIND) == {logs["a"].pk}
    for purpose in (Purpose.READ, Purpose.WRITE):
        assert list(access.scope(AccessLog.objects.all(), keeper, purpose)) == [logs["a"]]
    assert codes(keeper) == set()  # the objects, not the area around them


def test_a_named_object_outside_the_grants_area_is_ignored(log_kind, keeper, logs):
    keeper = name_objects(keeper, logs["a"], logs["b"])
    assert access.reach_of(keeper).objects_of(LOG_KIND) == {logs["a"].pk}
    assert logs["b"] not in access.scope(AccessLog.objects.all(), keeper)


def test_named_objects_open_no_audit_party_or_unmask_purpose(log_kind, keeper, logs):
    keeper = name_objects(keeper, logs["a"])
    for purpose in (Purpose.AUDIT, Purpose.PARTY, Purpose.UNMASK):
        assert not access.scope(AccessLog.objects.all(), keeper, purpose).exists()


def test_objects_named_on_a_grant_whose_role_names_none_are_ignored(log_kind, trio, logs):
    staff = UserFactory(username="community_staff")
    g = grant(staff, trio.tree.b["district"], Role.COMMUNITY)
    GrantedObject.objects.create(grant=g, kind=LOG_KIND, object_id=logs["a"].pk)
    assert access.reach_of(fresh(staff)).objects_of(LOG_KIND) == frozenset()
    assert logs["a"] not in access.scope(AccessLog.objects.all(), fresh(staff))


def test_naming_objects_outside_the_area_or_for_an_area_role_is_refused(log_kind, trio, logs):
    with pytest.raises(ApplicationError, match="Outside the grant's area"):
        grant_objects_check(
            role=Role.STATION_KEEPER,
            area=trio.tree.a["community"],
            kind=LOG_KIND,
            objects=[logs["b"]],
        )
    with pytest.raises(ApplicationError, match="covers whole areas"):
        grant_objects_check(
            role=Role.COMMUNITY, area=trio.tree.a["community"], kind=LOG_KIND, objects=[logs["a"]]
        )


# areas.references: what a user may name ----------------------------------------------------


def test_staff_may_name_the_staff_with_grants_in_their_reach(trio):
    assert usernames(references.staff_reachable_by(trio.staff_a)) == {"staff_a", "viewer_a"}
    assert usernames(references.staff_reachable_by(trio.staff_b)) == {"staff_b"}
    assert usernames(references.staff_reachable_by(trio.city)) == {
        "staff_a",
        "viewer_a",
        "staff_b",
        "city_dept",
    }


def test_superusers_and_inactive_accounts_are_never_offered_to_staff(trio):
    root = UserFactory(username="root", is_superuser=True)
    grant(root, trio.tree.a["community"], Role.COMMUNITY)
    gone = UserFactory(username="gone", is_active=False)
    grant(gone, trio.tree.a["community"], Role.COMMUNITY)
    assert usernames(references.staff_reachable_by(trio.staff_a)) == {"staff_a", "viewer_a"}


def test_a_superuser_may_name_every_account(trio):
    root = UserFactory(username="root", is_superuser=True)
    grantless = UserFactory(username="grantless")
    assert {root, grantless, trio.staff_a} <= set(references.staff_reachable_by(root))


def test_who_reads_no_area_may_name_no_staff(trio, keeper):
    auditor = UserFactory(username="auditor")
    grant(auditor, trio.tree.a["district"], Role.AUDITOR)
    assert not references.staff_reachable_by(auditor).exists()
    assert not references.staff_reachable_by(keeper).exists()
    assert not references.staff_reachable_by(UserFactory(username="nobody")).exists()


def test_reachable_areas_are_those_the_user_reads(trio):
    reached = references.reachable(Area, trio.staff_b)
    assert set(reached.values_list("code", flat=True)) == subtree(trio.tree.b["district"])
    assert not references.reachable(Area, trio.viewer_a, Purpose.WRITE).exists()


def test_reachable_accounts_are_the_staff_reachable(trio):
    assert usernames(references.reachable(get_user_model(), trio.staff_a)) == {
        "staff_a",
        "viewer_a",
    }


def test_reachable_rows_of_a_model_without_an_area_are_all_of_them(trio, logs, log_kind, keeper):
    name_objects(keeper, logs["a"])
    assert references.reachable(GrantedObject, trio.staff_b).count() == 1


def test_party_records_are_read_and_written_with_the_party_purposes():
    party_record = type("PartyRecord", (), {"scope_read_purpose": Purpose.PARTY})
    assert references.read_purpose_of(Area) == Purpose.READ
    assert references.write_purpose_of(Area) == Purpose.WRITE
    assert references.read_purpose_of(party_record) == Purpose.PARTY
    assert references.write_purpose_of(party_record) == Purpose.PARTY_WRITE
