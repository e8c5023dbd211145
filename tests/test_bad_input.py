"""Input the database cannot store — NUL bytes in text, integers beyond 64 bits, digits
that are not 0-9 — is a 400 (or a field error) in plain words on every kind of route: the
API, the admin, the phone pages. Never a 500 (issue 12 §2, the classes the probe found)."""

import pytest

from core.identifiers import is_ascii_digits
from core.testing import client_for

pytestmark = pytest.mark.django_db(transaction=True)

HUGE = "9" * 25  # beyond a 64-bit integer

API_GETS = [
    "/api/v1/workers/?q=%00",
    "/api/v1/workers/?q=%E5%BC%A0%00",
    "/api/v1/stations/?search=%00",
    f"/api/v1/stations/{HUGE}/",
    f"/api/v1/workers/?enterprise={HUGE}",
    f"/api/v1/sign-ups/?worker={HUGE}",
    f"/api/v1/check-ins/?station={HUGE}",
]
PAGE_GETS = [
    "/admin/members/worker/?q=%00",
    "/admin/stations/station/?q=%00",
    f"/admin/stations/station/{HUGE}/change/",
    f"/m/stations/{HUGE}/",
    "/m/communities/?q=%00",
    "/m/?q=%00",
]


def test_no_route_answers_a_500_to_unstorable_input(client, trio):
    api = client_for(trio.staff_a)
    for url in API_GETS:
        status = api.get(url).status_code
        assert status < 500, (url, status)
    client.force_login(trio.staff_a)
    trio.staff_a.is_staff = True
    trio.staff_a.save()
    for url in PAGE_GETS:
        status = client.get(url).status_code
        assert status < 500, (url, status)


def test_a_nul_byte_in_a_body_is_refused_in_words(trio):
    response = client_for(trio.staff_a).post(
        "/api/v1/enterprises/",
        {"name": "顺丰\x00速运", "kind": "express", "area": trio.tree.a["district"].code},
        format="json",
    )
    assert response.status_code == 400
    assert "cannot be stored" in str(response.json()) or response.json()


def test_only_0_to_9_are_digits():
    assert is_ascii_digits("2024") and not is_ascii_digits("²") and not is_ascii_digits("①")
    assert not is_ascii_digits("２０２４") and not is_ascii_digits("")
