"""District and city departments start on their dashboard after logging in (issue 14 §5);
everyone else on the admin's home page; the home page stays one click away."""

import pytest
from django.contrib.auth import user_logged_in
from django.test import RequestFactory

from areas.models import StaffGrant
from areas.tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def _logged_in(client, user):
    """Logged in through the login page (force_login's own login has no page)."""
    client.force_login(user)
    request = RequestFactory().post("/admin/login/")
    request.session = client.session
    user_logged_in.send(sender=type(user), request=request, user=user)
    request.session.save()
    return client


def test_a_district_department_starts_on_its_dashboard_once(client, trio):
    _logged_in(client, trio.staff_a)
    first = client.get("/admin/")
    assert first.status_code == 302
    assert first.url == f"/dashboard/{trio.tree.a['district'].code}/"
    assert client.get("/admin/").status_code == 200  # the home page, one click away


def test_a_login_made_by_code_starts_on_the_admins_home_page(client, trio):
    client.force_login(trio.staff_a)
    assert client.get("/admin/").status_code == 200


def test_community_staff_and_keepers_start_on_the_admins_home_page(client, trio):
    community_staff = UserFactory(username="community_a")
    grant(community_staff, trio.tree.a["community"], StaffGrant.Role.COMMUNITY)
    _logged_in(client, community_staff)
    assert client.get("/admin/").status_code == 200
    _logged_in(client, trio.viewer_a)
    assert client.get("/admin/").status_code == 200
