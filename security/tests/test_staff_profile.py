"""The system administrator keeps a staff member's position with their account (the
admin's header shows it); other staff do not edit accounts."""

import pytest

from areas.models import StaffProfile
from areas.tests.factories import UserFactory
from security import services

pytestmark = pytest.mark.django_db


def test_the_system_administrator_keeps_the_position_on_the_account_page(client, trio):
    keeper_of_accounts = UserFactory(username="systemadmin")
    services.duty_assign(actor=None, user=keeper_of_accounts, duty="system")
    client.force_login(keeper_of_accounts)
    url = f"/admin/auth/user/{trio.viewer_a.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="staff_profile-0-position"' in page


def test_area_staff_do_not_reach_accounts(client, trio):
    StaffProfile.objects.create(user=trio.viewer_a, position="网格员")
    client.force_login(trio.staff_a)
    assert client.get(f"/admin/auth/user/{trio.viewer_a.pk}/change/").status_code in (302, 403)
