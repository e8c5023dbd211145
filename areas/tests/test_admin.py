"""Area and grant admin for the area trio, and the boundary upload page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from areas.models import Area, StaffGrant

pytestmark = pytest.mark.django_db
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[107.6, 35.7], [107.7, 35.7], [107.7, 35.8], [107.6, 35.8], [107.6, 35.7]]],
}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def geojson(code, geometry):
    return SimpleUploadedFile(
        "b.geojson",
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"code": code}, "geometry": geometry}
                ],
            }
        ).encode(),
    )


def test_area_changelist_for_the_trio(client, trio):
    for user, sees, hidden in (
        (trio.staff_a, "西峰区甲社区", "庆城县甲社区"),
        (trio.viewer_a, "西峰区甲社区", "庆城县甲社区"),
        (trio.staff_b, "庆城县甲社区", "西峰区甲社区"),
    ):
        client.force_login(user)
        html = client.get("/admin/areas/area/").content.decode()
        assert sees in html and hidden not in html, user


def test_bulk_poster_links_for_streets_and_districts(client, trio):
    client.force_login(trio.staff_a)
    html = client.get("/admin/areas/area/").content.decode()
    assert f"/stations/posters/?area={trio.tree.a['street'].code}" in html


def test_staff_uploads_a_boundary(client, trio):
    client.force_login(trio.staff_a)
    response = client.post(
        "/admin/areas/area/import-boundaries/", {"file": geojson("621002", SQUARE)}
    )
    assert response.status_code == 302
    assert Area.objects.get(code="621002000000").boundary is not None


def test_invalid_boundary_upload_shows_the_error_and_saves_nothing(client, trio):
    client.force_login(trio.staff_a)
    response = client.post(
        "/admin/areas/area/import-boundaries/", {"file": geojson("621002", BOWTIE)}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert Area.objects.get(code="621002000000").boundary is None


def test_viewer_and_outsider_cannot_upload_boundaries_of_a(client, trio):
    client.force_login(trio.viewer_a)
    assert (
        client.post(
            "/admin/areas/area/import-boundaries/", {"file": geojson("621002", SQUARE)}
        ).status_code
        == 403
    )
    client.force_login(trio.staff_b)
    response = client.post(
        "/admin/areas/area/import-boundaries/", {"file": geojson("621002", SQUARE)}
    )
    assert response.status_code == 200  # refused with a message naming the area
    assert Area.objects.get(code="621002000000").boundary is None


def test_grants_are_read_only_for_staff(client, trio):
    client.force_login(trio.staff_a)
    grant = StaffGrant.objects.get(user=trio.staff_a)
    assert client.get("/admin/areas/staffgrant/add/").status_code == 403
    response = client.post(
        f"/admin/areas/staffgrant/{grant.pk}/change/",
        {"user": trio.staff_a.pk, "area": trio.tree.city.pk, "role": "city"},
    )
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.area == trio.tree.a["district"]


def test_grant_changelist_is_scoped(client, trio):
    client.force_login(trio.staff_a)
    html = client.get("/admin/areas/staffgrant/").content.decode()
    assert "staff_a" in html and "staff_b" not in html
