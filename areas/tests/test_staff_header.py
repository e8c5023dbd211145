"""The admin's header names the staff member and their position, not their login."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_header_shows_the_name_and_position_not_the_login(client, trio):
    trio.staff_a.last_name, trio.staff_a.first_name = "李", "华"
    trio.staff_a.save()
    client.force_login(trio.staff_a)
    html = client.get("/admin/").content.decode()
    assert '<strong class="staff-name">李华</strong>' in html
    assert "西峰区 · 区委社会工作部" in html
    client.force_login(trio.viewer_a)  # no name given: the login, with the position
    html = client.get("/admin/").content.decode()
    assert '<strong class="staff-name">viewer_a</strong>' in html and "西峰区 · " in html


def test_the_position_in_the_staff_profile_names_them(client, trio):
    from areas.models import StaffProfile

    StaffProfile.objects.create(user=trio.staff_a, position="社会工作部副部长")
    client.force_login(trio.staff_a)
    assert "西峰区 · 社会工作部副部长" in client.get("/admin/").content.decode()
