"""A station's workflow on its own admin page (issue 14 §5): print its poster, issue a new
poster code, closed today / open again today, close it for good — each while the station's
state allows it, for those who may change the station (its district's staff, its keeper)."""

import pytest
from django.utils import timezone

from stations.models import OpeningException, RetiredPosterKey, Station

pytestmark = pytest.mark.django_db
STATIONS = "/admin/stations/station"
ACTIONS = ("poster", "new-poster-code", "closed-today", "open-today", "close")


def _page(station):
    return f"{STATIONS}/{station.pk}/change/"


def _do(station, action):
    return f"{STATIONS}/{station.pk}/do/{action}/"


def _buttons(client, station) -> set[str]:
    html = client.get(_page(station)).content.decode()
    shown = {action for action in ACTIONS if _do(station, action) in html}
    if f'href="/stations/{station.pk}/poster/" class="record-action" target="_blank"' in html:
        shown.add("poster")  # a plain link to the poster page, beside the record
    return shown


def _closed_today(station) -> bool:
    return OpeningException.objects.filter(
        station=station, date=timezone.localdate(), closed=True
    ).exists()


def test_staff_of_a_issue_a_new_poster_code_after_confirming(client, trio, station_a):
    old_key = station_a.poster_key
    client.force_login(trio.staff_a)
    assert _buttons(client, station_a) == {"poster", "new-poster-code", "closed-today", "close"}
    assert client.get(_do(station_a, "poster")).url == f"/stations/{station_a.pk}/poster/"
    confirm = client.get(_do(station_a, "new-poster-code"))
    assert confirm.status_code == 200 and 'type="submit"' in confirm.content.decode()
    station_a.refresh_from_db()
    assert station_a.poster_key == old_key  # asked first, nothing done yet
    assert client.post(_do(station_a, "new-poster-code")).url == _page(station_a)
    station_a.refresh_from_db()
    assert station_a.poster_key != old_key
    assert RetiredPosterKey.objects.filter(station=station_a, key=old_key).exists()


def test_closed_today_then_open_again_each_in_its_state(client, trio, station_a):
    client.force_login(trio.staff_a)
    client.post(_do(station_a, "closed-today"))
    assert _closed_today(station_a)
    assert _buttons(client, station_a) == {"poster", "new-poster-code", "open-today", "close"}
    stale = client.post(_do(station_a, "closed-today"), follow=True)
    assert "这条记录现在的状态不能做这项操作" in stale.content.decode()
    assert OpeningException.objects.filter(station=station_a).count() == 1
    client.post(_do(station_a, "open-today"))
    assert not OpeningException.objects.filter(station=station_a).exists()


def test_a_temporarily_closed_station_has_no_today_buttons(client, trio, station_a):
    Station.objects.filter(pk=station_a.pk).update(status=Station.Status.TEMPORARILY_CLOSED)
    client.force_login(trio.staff_a)
    assert _buttons(client, station_a) == {"poster", "new-poster-code", "close"}
    client.post(_do(station_a, "closed-today"))
    assert not OpeningException.objects.exists()


def test_closing_for_good_asks_first_then_leaves_no_button(client, trio, station_a):
    client.force_login(trio.staff_a)
    assert client.get(_do(station_a, "close")).status_code == 200
    station_a.refresh_from_db()
    assert station_a.status == Station.Status.OPEN
    client.post(_do(station_a, "close"))
    station_a.refresh_from_db()
    assert station_a.status == Station.Status.CLOSED
    assert _buttons(client, station_a) == set()
    assert client.get(_do(station_a, "poster")).url == _page(station_a)  # no poster to print
    old_key = station_a.poster_key
    client.post(_do(station_a, "new-poster-code"))  # a stale button: nothing changes
    client.post(_do(station_a, "closed-today"))
    station_a.refresh_from_db()
    assert station_a.poster_key == old_key and not OpeningException.objects.exists()


def test_the_keeper_acts_on_their_own_station(client, keeper_a, station_a):
    client.force_login(keeper_a)
    assert "closed-today" in _buttons(client, station_a)
    client.post(_do(station_a, "closed-today"))
    assert _closed_today(station_a)


def test_the_viewer_of_a_and_staff_of_b_cannot_act(client, trio, station_a):
    old_key = station_a.poster_key
    client.force_login(trio.viewer_a)
    assert client.get(_page(station_a)).status_code == 200
    assert _buttons(client, station_a) == set()
    for action in ACTIONS:
        assert client.get(_do(station_a, action)).status_code == 403
        assert client.post(_do(station_a, action)).status_code == 403
    client.force_login(trio.staff_b)
    for action in ACTIONS:
        assert client.post(_do(station_a, action)).status_code == 404
    station_a.refresh_from_db()
    assert (station_a.status, station_a.poster_key) == (Station.Status.OPEN, old_key)
    assert not OpeningException.objects.exists()
