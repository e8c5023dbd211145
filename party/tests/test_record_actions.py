"""A party member's workflow on their own admin page (issue 14 §5): recording the report to
the community (报到), lost contact and found again (失联/双找), ending the membership here —
each where the record's state allows it, for party staff of the area only."""

import datetime as dt

import pytest
from django.utils import timezone

from party import services
from party.models import ContactStatusChange, PartyMember

pytestmark = pytest.mark.django_db
MEMBERS = "/admin/party/partymember"
ACTIONS = ("report", "lost-contact", "found", "end")


def _page(member):
    return f"{MEMBERS}/{member.pk}/change/"


def _do(member, action):
    return f"{MEMBERS}/{member.pk}/do/{action}/"


def _buttons(client, member) -> set[str]:
    html = client.get(_page(member)).content.decode()
    return {action for action in ACTIONS if _do(member, action) in html}


def _today() -> str:
    return timezone.localdate().isoformat()


def _tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_staff_of_a_record_the_report_to_a_community_of_their_district(client, party_trio, party_a):
    member, tree = party_a.member, party_trio.tree
    client.force_login(party_trio.staff_a)
    assert _buttons(client, member) == {"report", "lost-contact", "end"}
    form = client.get(_do(member, "report")).content.decode()
    assert f'value="{tree.a["community"].pk}" selected' in form  # the work community first
    assert f'value="{tree.a["community2"].pk}"' in form
    assert f'value="{tree.b["community"].pk}"' not in form  # another district's: not offered
    # One typed in anyway, or a day to come: refused by the field, nothing recorded.
    other = client.post(
        _do(member, "report"), {"reported_to": tree.b["community"].pk, "reported_on": _today()}
    )
    assert other.status_code == 200 and "errorlist" in other.content.decode()
    later = client.post(
        _do(member, "report"), {"reported_to": tree.a["community"].pk, "reported_on": _tomorrow()}
    )
    assert later.status_code == 200 and "errorlist" in later.content.decode()
    member.refresh_from_db()
    assert member.reported_on is None
    done = client.post(
        _do(member, "report"), {"reported_to": tree.a["community2"].pk, "reported_on": _today()}
    )
    assert done.url == _page(member)
    member.refresh_from_db()
    assert (member.reported_to, member.reported_on) == (tree.a["community2"], timezone.localdate())
    assert _buttons(client, member) == {"lost-contact", "end"}  # reported: nothing to record


def test_lost_contact_then_found_again_each_in_its_state(client, party_trio, party_a):
    member = party_a.member
    client.force_login(party_trio.staff_a)
    refused = client.post(_do(member, "lost-contact"), {"on": _tomorrow(), "note": ""})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert not ContactStatusChange.objects.exists()
    client.post(_do(member, "lost-contact"), {"on": _today(), "note": "电话停机"})
    member.refresh_from_db()
    assert member.lost_contact
    assert _buttons(client, member) == {"report", "found", "end"}
    # A stale button: a plain message, nothing recorded twice.
    stale = client.post(_do(member, "lost-contact"), {"on": _today()}, follow=True)
    assert "这条记录现在的状态不能做这项操作" in stale.content.decode()
    assert ContactStatusChange.objects.count() == 1
    client.post(_do(member, "found"), {"on": _today(), "note": "回老家后联系上"})
    member.refresh_from_db()
    assert not member.lost_contact
    events = list(ContactStatusChange.objects.order_by("pk").values_list("event", "note"))
    assert events == [("lost", "电话停机"), ("found", "回老家后联系上")]


def test_ending_the_membership_asks_a_date_and_a_reason_then_no_button_is_left(
    client, party_trio, party_a
):
    member = party_a.member
    assignment = services.assignment_start(
        actor=party_trio.staff_a,
        member=member,
        org=party_a.community_branch,
        kind="fallback",
        started_on=timezone.localdate(),
    )
    client.force_login(party_trio.staff_a)
    page = client.get(_do(member, "end")).content.decode()
    assert 'name="ended_on"' in page and 'type="date"' in page and 'name="reason"' in page
    for refused in (
        {"ended_on": _today(), "reason": "  "},
        {"ended_on": _tomorrow(), "reason": "迁出"},
    ):
        response = client.post(_do(member, "end"), refused)
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    member.refresh_from_db()
    assert member.ended_on is None
    client.post(_do(member, "end"), {"ended_on": _today(), "reason": "组织关系转出"})
    member.refresh_from_db()
    assignment.refresh_from_db()
    assert (member.ended_on, member.end_reason) == (timezone.localdate(), "组织关系转出")
    assert assignment.ended_on == timezone.localdate()
    assert _buttons(client, member) == set()
    client.post(_do(member, "lost-contact"), {"on": _today()})
    assert not PartyMember.objects.get(pk=member.pk).lost_contact


def test_the_party_viewer_of_a_and_staff_of_b_cannot_act(client, party_trio, party_a):
    member = party_a.member
    posted = {"on": _today(), "ended_on": _today(), "reason": "迁出"}
    posted["reported_to"], posted["reported_on"] = party_trio.tree.a["community"].pk, _today()
    client.force_login(party_trio.viewer_a)
    assert client.get(_page(member)).status_code == 200
    assert _buttons(client, member) == set()
    for action in ACTIONS:
        assert client.get(_do(member, action)).status_code == 403
        assert client.post(_do(member, action), posted).status_code == 403
    for user in (party_trio.staff_b, party_trio.city):  # city: no party-affairs flag
        client.force_login(user)
        for action in ACTIONS:
            assert client.post(_do(member, action), posted).status_code == 404
    member.refresh_from_db()
    assert (member.reported_on, member.lost_contact, member.ended_on) == (None, False, None)
    assert not ContactStatusChange.objects.exists()
