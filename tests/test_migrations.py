"""The layout moves lose nothing: rows of every moved model, written in the old layout,
arrive in the new one (django-test-migrations runs the real migrations on the test
database, from the old nodes to the new ones)."""

import pytest
from django.contrib.gis.geos import Point

pytestmark = pytest.mark.django_db(transaction=True)

# core held the access log and the ledger imports; a keeper's stations were a many-to-many.
CORE_BEFORE = [
    ("core", "0002_import_jobs"),
    ("areas", "0003_staffgrant_capabilities"),
    ("stations", "0001_initial"),
]
CORE_AFTER = [
    ("core", "0003_models_moved_to_areas_and_ledgers"),
    ("areas", "0005_object_grants"),
    ("ledgers", "0001_importjob_moved_from_core"),
]
# members held party work, and an enterprise named its party organisation.
PARTY_BEFORE = [
    ("members", "0005_invitations"),
    ("activities", "0003_signup_once_checked_per_statement"),
]
PARTY_AFTER = [
    ("party", "0001_moved_from_members"),
    ("members", "0006_party_moved_out"),
    ("activities", "0004_party_org_moved_to_party"),
]


def make_tree(apps):
    Area = apps.get_model("areas", "Area")
    province = Area.objects.create(code="620000000000", name="甘肃省", level="province")
    city = Area.objects.create(code="621000000000", name="庆阳市", level="city", parent=province)
    district = Area.objects.create(
        code="621002000000", name="西峰区", level="district", parent=city
    )
    community = Area.objects.create(
        code="621002001001", name="北大街社区", level="community", parent=district
    )
    return district, community


def test_the_access_log_import_jobs_and_keepers_stations_arrive(migrator):
    old = migrator.apply_initial_migration(CORE_BEFORE)
    district, community = make_tree(old.apps)
    user = old.apps.get_model("auth", "User").objects.create(username="staff")
    station = old.apps.get_model("stations", "Station").objects.create(
        name="暖峰港湾·北大街社区",
        address="北大街1号",
        location=Point(107.64, 35.71, srid=4326),
        area=community,
        brand=old.apps.get_model("stations", "Brand").objects.create(
            code="test-brand", name="测试驿站"
        ),
        poster_key="k" * 32,
    )
    grant = old.apps.get_model("areas", "StaffGrant").objects.create(
        user=user, area=community, role="keeper"
    )
    grant.stations.add(station)
    old.apps.get_model("core", "AccessLog").objects.create(
        actor=user, action="export", subject="members.worker", reason="核对", area=district
    )
    old.apps.get_model("core", "ImportJob").objects.create(
        kind="workers", area=district, created_by=user, filename="台账.xlsx", language="zh-hans"
    )

    new = migrator.apply_tested_migration(CORE_AFTER)
    assert new.apps.get_model("areas", "AccessLog").objects.get().reason == "核对"
    assert new.apps.get_model("ledgers", "ImportJob").objects.get().filename == "台账.xlsx"
    named = new.apps.get_model("areas", "GrantedObject").objects.get()
    assert (named.grant_id, named.kind, named.object_id) == (
        grant.pk,
        "stations.station",
        station.pk,
    )


def test_party_work_arrives_in_its_own_app(migrator):
    old = migrator.apply_initial_migration(PARTY_BEFORE)
    district, community = make_tree(old.apps)
    org = old.apps.get_model("members", "PartyOrg").objects.create(
        name="北大街社区党支部", kind="branch", area=community
    )
    old.apps.get_model("members", "Enterprise").objects.create(
        name="顺丰速运", kind="express", area=district, party_org=org
    )
    worker = old.apps.get_model("members", "Worker").objects.create(
        name="王一",
        phone="13700000001",
        occupation="courier",
        source="self",
        area=community,
        privacy_notice_version="2026-11",
        consented_at="2026-11-01T08:00:00+08:00",
    )
    member = old.apps.get_model("members", "PartyMember").objects.create(
        worker=worker, registration="floating", standing="full", membership_org=org
    )
    old.apps.get_model("members", "ManagementAssignment").objects.create(
        member=member, org=org, kind="fallback", started_on="2026-06-01"
    )
    old.apps.get_model("activities", "Activity").objects.create(
        kind="party_lesson",
        title="微党课",
        area=community,
        party_org=org,
        address="北大街",
        starts_at="2026-12-01T10:00:00+08:00",
        ends_at="2026-12-01T11:00:00+08:00",
        attendance_key="a" * 16,
    )

    new = migrator.apply_tested_migration(PARTY_AFTER)
    moved_org = new.apps.get_model("party", "PartyOrg").objects.get()
    assert (moved_org.pk, moved_org.name) == (org.pk, "北大街社区党支部")
    # The organisation now names the enterprise that named it.
    assert list(moved_org.enterprises.values_list("name", flat=True)) == ["顺丰速运"]
    moved_member = new.apps.get_model("party", "PartyMember").objects.get()
    assert (moved_member.worker_id, moved_member.membership_org_id) == (worker.pk, org.pk)
    assignment = new.apps.get_model("party", "ManagementAssignment").objects.get()
    assert (assignment.member_id, assignment.org_id) == (member.pk, org.pk)
    assert new.apps.get_model("activities", "Activity").objects.get().party_org_id == org.pk


def test_no_migration_carries_the_path_of_the_machine_that_made_it():
    """A FileField's storage copied into a migration brings its location (this checkout's
    path): on another machine `makemigrations --check` then finds a change. Private files
    name core.private_files.field_storage instead."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    carrying = [
        str(path.relative_to(root))
        for path in root.glob("*/migrations/*.py")
        if "PurePosixPath(" in path.read_text() or "FileSystemStorage(" in path.read_text()
    ]
    assert carrying == []
