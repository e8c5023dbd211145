"""The admin for each member of the area trio."""

import pytest

from stations.models import Station
from stations.services import keeper_stations_set

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/stations/station/"
INLINES = ("station_facilities", "opening_periods", "opening_exceptions", "photos")


def station_form(station, **fields) -> dict:
    """The admin change form's POST for `station`, with empty inlines unless overridden."""
    form = {
        "name": station.name,
        "brand": station.brand_id,
        "area": station.area_id,
        "address": "x",
        "location": '{"type":"Point","coordinates":[107.65,35.72]}',
        "status": "open",
        "host_kind": "community",
        "capacity": 8,
        "always_open": "on",
    }
    for prefix in INLINES:
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    form.update(fields)
    return form


def test_changelist_shows_only_own_district(client, trio, station_a, station_b):
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST).content.decode()
    assert "甲站" in html and "乙站" not in html
    client.force_login(trio.staff_b)
    html = client.get(CHANGELIST).content.decode()
    assert "乙站" in html and "甲站" not in html


def test_change_page_of_another_district_is_not_reachable(client, trio, station_a):
    client.force_login(trio.staff_b)
    response = client.get(f"{CHANGELIST}{station_a.pk}/change/")
    assert response.status_code == 302  # the admin redirects "does not exist" to the index


def test_viewer_sees_read_only_form_and_cannot_post(client, trio, station_a):
    client.force_login(trio.viewer_a)
    url = f"{CHANGELIST}{station_a.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert client.post(url, {"name": "改名"}).status_code == 403
    station_a.refresh_from_db()
    assert station_a.name == "甲站"


def test_viewer_cannot_open_the_add_form(client, trio):
    client.force_login(trio.viewer_a)
    assert client.get(f"{CHANGELIST}add/").status_code == 403


def test_staff_edits_a_station_through_the_service(client, trio, station_a):
    client.force_login(trio.staff_a)
    url = f"{CHANGELIST}{station_a.pk}/change/"
    form = station_form(station_a, name="暖峰港湾北站", address="新地址")
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    station_a.refresh_from_db()
    assert station_a.name == "暖峰港湾北站" and station_a.name_initials == "nfgwbz"


def test_staff_cannot_move_a_station_into_another_district(client, trio, station_a):
    client.force_login(trio.staff_a)
    url = f"{CHANGELIST}{station_a.pk}/change/"
    form = station_form(station_a, area=trio.tree.b["community"].pk)
    response = client.post(url, form)
    assert response.status_code == 200  # the form refuses the area choice
    station_a.refresh_from_db()
    assert station_a.area == trio.tree.a["community"]


def test_search_by_pinyin_initials(client, trio, station_a):
    client.force_login(trio.staff_a)
    assert "甲站" in client.get(CHANGELIST, {"q": "jz"}).content.decode()


def test_non_compliant_filter(client, trio, station_a):
    Station.objects.filter(pk=station_a.pk).update(compliant=True)
    client.force_login(trio.staff_a)
    assert "甲站" not in client.get(CHANGELIST, {"compliance": "no"}).content.decode()
    assert "甲站" in client.get(CHANGELIST, {"compliance": "yes"}).content.decode()


def test_area_filter_lists_only_reachable_areas(client, trio, station_a):
    client.force_login(trio.staff_a)
    html = client.get(CHANGELIST).content.decode()
    assert "西峰区甲社区" in html and "庆城县甲社区" not in html


def test_admin_index_for_user_without_grants_shows_no_apps(client, tree):
    from areas.tests.factories import UserFactory

    client.force_login(UserFactory(username="lonely"))
    html = client.get("/admin/").content.decode()
    assert "/admin/stations/station/" not in html


def test_keeper_edits_their_station_but_cannot_add_or_see_others(client, tree, station_a):
    from areas.models import StaffGrant
    from areas.tests.factories import UserFactory, grant

    from .factories import StationFactory

    other = StationFactory(area=tree.a["community"], name="隔壁站")
    keeper = UserFactory(username="keeper_a")
    keeper_stations_set(
        grant=grant(keeper, tree.a["community"], StaffGrant.Role.STATION_KEEPER),
        stations=[station_a],
    )
    client.force_login(keeper)
    html = client.get(CHANGELIST).content.decode()
    assert "甲站" in html and other.name not in html
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.get(f"{CHANGELIST}{station_a.pk}/change/").status_code == 200
    client.force_login(UserFactory(username="sysadmin", is_superuser=True, is_staff=True))
    # The station's page names its keeper (from the grant that names the station).
    page = client.get(f"{CHANGELIST}{station_a.pk}/change/").content.decode()
    assert "keeper_a" in page.split('id="content"')[1]
    assert (
        "keeper_a"
        not in client.get(f"{CHANGELIST}{other.pk}/change/")
        .content.decode()
        .split('id="content"')[1]
    )


def test_a_keepers_stations_are_named_in_the_grant_form(client, tree, station_a, station_b):
    from areas.models import GrantedObject, StaffGrant
    from areas.tests.factories import UserFactory

    keeper = UserFactory(username="new_keeper")
    client.force_login(UserFactory(username="sysadmin", is_superuser=True, is_staff=True))
    form = {
        "user": keeper.pk,
        "area": tree.a["community"].pk,
        "role": StaffGrant.Role.STATION_KEEPER,
        "objects_stations_station": [station_b.pk],
    }
    refused = client.post("/admin/areas/staffgrant/add/", form)
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert not StaffGrant.objects.filter(user=keeper).exists()
    form["objects_stations_station"] = [station_a.pk]
    assert client.post("/admin/areas/staffgrant/add/", form).status_code == 302
    named = GrantedObject.objects.get(grant__user=keeper)
    assert (named.kind, named.object_id) == ("stations.station", station_a.pk)


def test_viewer_exports_poi_but_cannot_rotate_posters(client, trio, station_a):
    client.force_login(trio.viewer_a)
    response = client.post(
        CHANGELIST, {"action": "export_poi_xlsx", "_selected_action": [station_a.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    html = client.get(CHANGELIST).content.decode()
    assert "rotate_poster_keys" not in html
    old_key = station_a.poster_key
    client.post(CHANGELIST, {"action": "rotate_poster_keys", "_selected_action": [station_a.pk]})
    station_a.refresh_from_db()
    assert station_a.poster_key == old_key


def test_staff_rotates_poster_codes_from_the_changelist(client, trio, station_a):
    client.force_login(trio.staff_a)
    old_key = station_a.poster_key
    response = client.post(
        CHANGELIST, {"action": "rotate_poster_keys", "_selected_action": [station_a.pk]}
    )
    assert response.status_code == 302
    station_a.refresh_from_db()
    assert station_a.poster_key != old_key


def test_admin_photo_upload_goes_through_the_cleaning_service(
    client, trio, station_a, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from .test_services import jpeg_with_gps_exif

    settings.MEDIA_ROOT = tmp_path
    client.force_login(trio.staff_a)
    form = station_form(station_a)
    form.update(
        {
            "photos-TOTAL_FORMS": 1,
            "photos-INITIAL_FORMS": 0,
            "photos-0-caption": "门口",
            "photos-0-order": 0,
            "photos-0-image": SimpleUploadedFile(
                "p.jpg", jpeg_with_gps_exif(), content_type="image/jpeg"
            ),
        }
    )
    response = client.post(f"{CHANGELIST}{station_a.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = station_a.photos.get()
    with Image.open(photo.image.path) as stored:
        assert not stored.getexif()


def test_inspection_recorded_in_the_admin_updates_compliance(client, trio, station_a):
    from stations.models import Standard, StandardItem

    standard = Standard.objects.create(area=trio.tree.a["district"], name="六有")
    items = [StandardItem.objects.create(standard=standard, text=t) for t in ("有桌椅", "有饮水")]
    client.force_login(trio.staff_a)
    response = client.post(
        "/admin/stations/inspection/add/",
        {
            "station": station_a.pk,
            "inspected_on": "2026-11-20",
            "items_met": [i.pk for i in items],
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    station_a.refresh_from_db()
    assert station_a.compliant is True
    inspection = station_a.inspections.get()
    assert inspection.inspector == trio.staff_a


def test_inspection_admin_refuses_viewer_and_outsider(client, trio, station_a):
    from stations.models import Inspection

    client.force_login(trio.viewer_a)
    assert client.get("/admin/stations/inspection/add/").status_code == 403
    client.force_login(trio.staff_b)
    response = client.post(
        "/admin/stations/inspection/add/", {"station": station_a.pk, "inspected_on": "2026-11-20"}
    )
    assert response.status_code == 200  # station A is not a choice for staff of B
    assert not Inspection.objects.exists()


def test_standard_admin_trio(client, trio):
    from stations.models import Standard

    Standard.objects.create(area=trio.tree.a["district"], name="六有")
    for user, visible in ((trio.staff_a, True), (trio.viewer_a, True), (trio.staff_b, False)):
        client.force_login(user)
        html = client.get("/admin/stations/standard/").content.decode()
        assert ("西峰区" in html) is visible, user


def test_inspection_refused_in_the_admin_shows_the_reason_and_saves_nothing(
    client, trio, station_a
):
    from stations.models import Inspection

    client.force_login(trio.staff_a)  # district A has no standard yet
    response = client.post(
        "/admin/stations/inspection/add/", {"station": station_a.pk, "inspected_on": "2026-11-20"}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Inspection.objects.exists()


def test_recorded_inspections_cannot_be_edited_or_deleted(client, trio, station_a):
    import datetime as dt

    from stations import services
    from stations.models import Standard

    Standard.objects.create(area=trio.tree.a["district"], name="六有")
    inspection = services.inspection_record(
        actor=trio.staff_a, station=station_a, inspected_on=dt.date(2026, 11, 1), items_met_ids=[]
    )
    client.force_login(trio.staff_a)
    url = f"/admin/stations/inspection/{inspection.pk}/"
    assert client.post(f"{url}change/", {"note": "x"}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
