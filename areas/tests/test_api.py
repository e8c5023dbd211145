"""/api/v1/areas/ for the area trio."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
URL = "/api/v1/areas/"


def codes(user, query=""):
    client = APIClient()
    client.force_authenticate(user)
    return {row["code"] for row in client.get(URL + "?limit=500" + query).json()["results"]}


def test_staff_of_a_lists_only_their_district_tree(trio):
    seen = codes(trio.staff_a)
    assert trio.tree.a["district"].code in seen and trio.tree.a["community"].code in seen
    assert not any(code.startswith("621021") for code in seen)


def test_viewer_of_a_lists_the_same_tree_read_only(trio):
    assert codes(trio.viewer_a) == codes(trio.staff_a)
    client = APIClient()
    client.force_authenticate(trio.viewer_a)
    assert client.post(URL, {"code": "621002001003"}).status_code == 405


def test_staff_of_b_does_not_see_a(trio):
    assert not any(code.startswith("621002") for code in codes(trio.staff_b))
    client = APIClient()
    client.force_authenticate(trio.staff_b)
    assert client.get(f"{URL}{trio.tree.a['district'].pk}/").status_code == 404


def test_under_filter(trio):
    assert codes(trio.city, f"&under={trio.tree.a['street'].code}") == {
        trio.tree.a["street"].code,
        trio.tree.a["community"].code,
        trio.tree.a["community2"].code,
    }


def test_anonymous_is_refused(db):
    assert APIClient().get(URL).status_code == 403
