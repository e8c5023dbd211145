"""A station keeper's home (issue 14 §5): the admin index shows their station, its state now
and today's visits, with the one tap that closes it for today; their menu lists what a
keeper works with, not every app; and the admin and the API agree on what they may change."""

import pytest
from django.utils import timezone

from stations import selectors
from stations.models import CheckIn, OpeningException, Station

from .factories import StationFactory

pytestmark = pytest.mark.django_db
TODAY_URL = "/stations/{}/today/"


def test_the_keepers_home_shows_their_station_today(client, keeper_a, station_a):
    CheckIn.objects.create(
        station=station_a, visitors=3, source=CheckIn.Source.KEEPER, at=timezone.now()
    )
    client.force_login(keeper_a)
    page = client.get("/admin/").content.decode()
    assert 'id="keeper-home"' in page and "本驿站" in page and "甲站" in page
    assert "24 小时开放" in page  # the factory's station is open around the clock
    assert "今天：签到 1 次，共 3 人次" in page
    assert "今天闭站" in page


def test_a_keepers_menu_lists_only_what_meets_their_station(client, keeper_a):
    client.force_login(keeper_a)
    page = client.get("/admin/").content.decode()
    assert "/admin/stations/station/" in page and "/admin/stations/checkin/" in page
    for elsewhere in ("/admin/members/worker/", "/admin/party/", "/admin/activities/activity/"):
        assert elsewhere not in page, elsewhere
    assert client.get("/admin/members/worker/").status_code == 403


def test_one_tap_closes_the_station_for_today_and_another_opens_it_again(
    client, keeper_a, station_a
):
    client.force_login(keeper_a)
    response = client.post(TODAY_URL.format(station_a.pk), {"closed": "1"})
    assert response.status_code == 302 and response.url == "/admin/"
    today = timezone.localdate()
    assert OpeningException.objects.filter(station=station_a, date=today, closed=True).exists()
    (kept,) = selectors.keeper_home_stations(keeper_a)
    assert kept.closed_today and not kept.station.is_open_now
    assert kept.opening.code == "opens_later"  # open 24 hours: again at midnight
    assert "今天已闭站" in client.get("/admin/").content.decode()
    client.post(TODAY_URL.format(station_a.pk), {"closed": "0"})
    assert not OpeningException.objects.filter(station=station_a, date=today).exists()
    assert selectors.keeper_home_stations(keeper_a)[0].station.is_open_now


def test_closing_today_is_refused_elsewhere_and_for_a_paused_station(
    client, keeper_a, station_a, trio, tree
):
    other = StationFactory(name="丙站", area=tree.a["community"])
    client.force_login(keeper_a)
    assert client.post(TODAY_URL.format(other.pk), {"closed": "1"}).status_code == 404
    client.force_login(trio.viewer_a)
    assert client.post(TODAY_URL.format(station_a.pk), {"closed": "1"}).status_code == 403
    client.force_login(trio.staff_a)  # the district's staff may, as the keeper may
    assert client.post(TODAY_URL.format(station_a.pk), {"closed": "0"}).status_code == 302
    client.force_login(trio.staff_b)
    assert client.post(TODAY_URL.format(station_a.pk), {"closed": "1"}).status_code == 404
    assert client.get(TODAY_URL.format(station_a.pk)).status_code == 405
    station_a.status = Station.Status.TEMPORARILY_CLOSED
    station_a.save()
    client.force_login(keeper_a)
    response = client.post(TODAY_URL.format(station_a.pk), {"closed": "1"}, follow=True)
    assert "当前不在运营" in response.content.decode()
    assert not OpeningException.objects.filter(station=station_a).exists()


def test_area_staff_get_no_keepers_home(client, trio, station_a):
    client.force_login(trio.staff_a)
    assert 'id="keeper-home"' not in client.get("/admin/").content.decode()
    assert selectors.keeper_home_stations(trio.staff_a) == []


def test_the_admin_saves_a_keepers_station_but_not_moved_elsewhere(rf, keeper_a, station_a, tree):
    """The admin's save takes the API's rule (access.require_write_to): the keeper's own
    station, staying in its community — not moved to another."""
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    station_admin = admin.site._registry[Station]
    request = rf.post("/admin/")
    request.user = keeper_a
    assert station_admin.has_change_permission(request, station_a)
    station_a.capacity = 15
    station_admin.save_model(request, station_a, form=None, change=True)
    station_a.refresh_from_db()
    assert station_a.capacity == 15
    station_a.area = tree.a["community2"]
    with pytest.raises((PermissionDenied, Http404)):  # the form offers no other community
        station_admin.save_model(request, station_a, form=None, change=True)
    station_a.refresh_from_db()
    assert station_a.area == tree.a["community"]


def test_a_keeper_with_one_station_finds_it_chosen_on_a_new_record(client, keeper_a, station_a):
    """A keeper of one station never picks it: the form starts with it (the choices are
    the form's own, scoped, so a keeper of two stations chooses)."""
    client.force_login(keeper_a)
    page = client.get("/admin/stations/checkin/add/").content.decode()
    assert f'<option value="{station_a.pk}" selected>' in page


def test_area_staff_with_many_choices_choose_themselves(client, trio, station_a, station_b):
    client.force_login(trio.city)
    page = client.get("/admin/stations/checkin/add/").content.decode()
    station_choices = page.split('name="station"')[1].split("</select>")[0]
    assert '<option value="" selected>' in station_choices
