"""The estate pass in the admin, for the area trio: staff of A keep an estate and its gates,
print the gates' posters, issue a new poster code, and suspend or reinstate a pass on its
own page; A's viewer reads without buttons; B's staff find nothing. A property company's
manager works only their own estate's passes; a gate guard reads their gate's entries and
changes nothing. Passes and entries are masked everywhere."""

import datetime as dt
import re

import pytest

from areas.models import StaffGrant
from estates import services
from estates.models import EntryLog, Estate, EstatePass, Gate

from .factories import EstateFactory, GateFactory, authorised, partner

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)
ESTATES = "/admin/estates/estate/"
GATES = "/admin/estates/gate/"
PASSES = "/admin/estates/estatepass/"
ENTRIES = "/admin/estates/entrylog/"


def _rows(html: str, model: str) -> set[int]:
    """The records a changelist links to (these changelists have no bulk actions)."""
    return {int(pk) for pk in re.findall(rf"/admin/estates/{model}/(\d+)/change/", html)}


def _do(obj, action):
    return f"/admin/estates/{obj._meta.model_name}/{obj.pk}/do/{action}/"


def _page(obj):
    return f"/admin/estates/{obj._meta.model_name}/{obj.pk}/change/"


def _estate_form(area, **overrides):
    return {
        "name": "碧桂园一期",
        "area": area.pk,
        "address": "罗阳街道",
        "location": "",
        "property_company": "碧桂园服务",
        "pass_days": 30,
        "occupations": ["courier", "food_delivery"],
        "entry_from": "",
        "entry_until": "",
        "entry_log_days": 90,
        "active": "on",
        "gates-TOTAL_FORMS": 2,
        "gates-INITIAL_FORMS": 0,
        "gates-MIN_NUM_FORMS": 0,
        "gates-MAX_NUM_FORMS": 1000,
        "gates-0-name": "北门",
        "gates-0-active": "on",
        "gates-1-name": "南门",
        "gates-1-active": "on",
        **overrides,
    }


# Estates and gates -------------------------------------------------------------------------


def test_staff_of_a_add_an_estate_with_its_gates(client, trio):
    client.force_login(trio.staff_a)
    answer = client.post(f"{ESTATES}add/", _estate_form(trio.tree.a["community2"]))
    assert answer.status_code == 302, answer.content.decode()[:3000]
    estate = Estate.objects.get(name="碧桂园一期")
    assert estate.area == trio.tree.a["community2"]
    assert estate.occupations == ["courier", "food_delivery"]
    assert set(estate.gates.values_list("name", flat=True)) == {"北门", "南门"}
    listing = client.get(ESTATES).content.decode()
    assert "碧桂园一期" in listing and "碧桂园服务" in listing


def test_the_community_choice_offers_only_communities_in_reach(client, trio):
    client.force_login(trio.staff_a)
    form = client.get(f"{ESTATES}add/").content.decode()
    assert trio.tree.a["community"].name in form
    assert trio.tree.b["community"].name not in form
    assert f'value="{trio.tree.a["street"].pk}"' not in form  # a street is no community
    refused = client.post(f"{ESTATES}add/", _estate_form(trio.tree.b["community"]))
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    refused = client.post(f"{ESTATES}add/", _estate_form(trio.tree.a["community"], pass_days=0))
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    refused = client.post(
        f"{ESTATES}add/", _estate_form(trio.tree.a["community"], entry_from="08:00")
    )
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    assert not Estate.objects.exists() and not Gate.objects.exists()


def test_the_viewer_reads_without_buttons_and_b_finds_nothing(client, trio, estate, gate):
    client.force_login(trio.viewer_a)
    page = client.get(_page(estate))
    assert page.status_code == 200 and "/posters/" not in page.content.decode()
    assert client.post(_page(estate), _estate_form(estate.area, name="改名")).status_code == 403
    assert client.get(f"{ESTATES}{estate.pk}/posters/").status_code == 403
    assert client.post(_do(gate, "new-poster-code")).status_code == 403
    client.force_login(trio.staff_b)
    assert client.get(_page(estate)).status_code in (302, 404)
    assert client.get(f"{ESTATES}{estate.pk}/posters/").status_code == 404
    assert client.post(_do(gate, "new-poster-code")).status_code == 404
    assert _rows(client.get(f"{ESTATES}?all=").content.decode(), "estate") == set()
    assert "水岸城二三期" not in client.get(ESTATES).content.decode()
    estate.refresh_from_db()
    assert estate.name == "水岸城二三期"
    assert Gate.objects.get(pk=gate.pk).poster_key == gate.poster_key


def test_the_posters_page_has_each_open_gates_code(client, trio, estate, gate):
    closed = GateFactory(estate=estate, name="西门", active=False)
    client.force_login(trio.staff_a)
    page = client.get(_page(estate)).content.decode()
    assert f"{ESTATES}{estate.pk}/posters/" in page
    posters = client.get(f"{ESTATES}{estate.pk}/posters/")
    html = posters.content.decode()
    assert posters.status_code == 200 and html.count("<svg") == 1
    assert f"/m/gate/{services.gate_token(gate)}/" in html
    assert services.gate_token(closed) not in html and "北门" in html


def test_a_new_poster_code_stops_the_old_poster(client, trio, gate):
    old_token = services.gate_token(gate)
    client.force_login(trio.staff_a)
    assert _do(gate, "new-poster-code") in client.get(_page(gate)).content.decode()
    client.post(_do(gate, "new-poster-code"))
    gate.refresh_from_db()
    assert services.gate_token(gate) != old_token
    assert services.gate_for_token(old_token) is None
    assert services.gate_for_token(services.gate_token(gate)) == gate
    poster = client.get(f"{GATES}{gate.pk}/poster/").content.decode()
    assert services.gate_token(gate) in poster


# Passes ------------------------------------------------------------------------------------


def test_passes_are_masked_everywhere(client, trio, estate_pass):
    client.force_login(trio.staff_a)
    for url in (PASSES, _page(estate_pass)):
        html = client.get(url).content.decode()
        assert "王**" in html
        assert "王小明" not in html and "13800138000" not in html and "0013800" not in html


def test_staff_of_a_suspend_with_a_reason_and_reinstate(client, trio, estate_pass):
    client.force_login(trio.staff_a)
    page = client.get(_page(estate_pass)).content.decode()
    assert _do(estate_pass, "suspend") in page and _do(estate_pass, "reinstate") not in page
    refused = client.post(_do(estate_pass, "suspend"), {"reason": " "})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    estate_pass.refresh_from_db()
    assert estate_pass.status == EstatePass.Status.ACTIVE
    client.post(_do(estate_pass, "suspend"), {"reason": "借给他人使用"})
    estate_pass.refresh_from_db()
    assert (estate_pass.status, estate_pass.suspended_reason) == ("suspended", "借给他人使用")
    assert estate_pass.suspended_by == trio.staff_a
    assert client.post(_do(estate_pass, "suspend"), {"reason": "再来"}).status_code == 302
    estate_pass.refresh_from_db()
    assert estate_pass.suspended_reason == "借给他人使用"  # suspended once, not twice
    client.post(_do(estate_pass, "reinstate"))
    estate_pass.refresh_from_db()
    assert estate_pass.status == EstatePass.Status.ACTIVE and not estate_pass.suspended_reason


def test_reinstating_an_active_pass_changes_nothing(client, trio, estate_pass):
    client.force_login(trio.staff_a)
    answer = client.post(_do(estate_pass, "reinstate"))
    assert answer.status_code == 302 and answer.url == _page(estate_pass)
    before = estate_pass.updated_at
    estate_pass.refresh_from_db()
    assert estate_pass.status == EstatePass.Status.ACTIVE and estate_pass.updated_at == before


def test_passes_are_never_added_changed_or_deleted_here(client, trio, estate_pass):
    client.force_login(trio.staff_a)
    assert client.get(f"{PASSES}add/").status_code == 403
    assert client.post(_page(estate_pass), {"employer": "别的公司"}).status_code == 403
    assert client.post(f"/admin/estates/estatepass/{estate_pass.pk}/delete/").status_code == 403
    estate_pass.refresh_from_db()
    assert estate_pass.employer == "顺丰速运博罗营业部"


def test_the_viewer_and_b_cannot_suspend(client, trio, estate_pass):
    client.force_login(trio.viewer_a)
    page = client.get(_page(estate_pass))
    assert page.status_code == 200 and _do(estate_pass, "suspend") not in page.content.decode()
    assert client.post(_do(estate_pass, "suspend"), {"reason": "x"}).status_code == 403
    client.force_login(trio.staff_b)
    assert client.post(_do(estate_pass, "suspend"), {"reason": "x"}).status_code == 404
    assert _rows(client.get(f"{PASSES}?all=").content.decode(), "estatepass") == set()
    estate_pass.refresh_from_db()
    assert estate_pass.status == EstatePass.Status.ACTIVE


def test_an_objection_waits_in_the_work_queue_and_its_filter(client, trio, estate, estate_pass):
    authorised(estate, phone="13900139000", name="李四")  # no objection
    services.pass_suspend(actor=trio.staff_a, estate_pass=estate_pass, reason="借给他人使用")
    services.pass_contest(phone=estate_pass.phone, estate_pass=estate_pass, text="我没有借给别人")
    client.force_login(trio.staff_a)
    assert f"{PASSES}?contested=yes" in client.get("/admin/").content.decode()
    assert _rows(client.get(f"{PASSES}?contested=yes").content.decode(), "estatepass") == {
        estate_pass.pk
    }
    page = client.get(_page(estate_pass)).content.decode()
    assert "我没有借给别人" in page
    client.force_login(trio.staff_b)
    assert f"{PASSES}?contested=yes" not in client.get("/admin/").content.decode()


# Partners: a property company's manager, a gate guard -------------------------------------


def test_a_manager_works_only_their_own_estates_passes(
    client, trio, estate, gate, other_estate, estate_pass, manager
):
    elsewhere = authorised(other_estate, phone="13900139000", name="李四")
    client.force_login(manager)
    assert _rows(client.get(f"{PASSES}?all=").content.decode(), "estatepass") == {estate_pass.pk}
    assert _rows(client.get(f"{ESTATES}?all=").content.decode(), "estate") == {estate.pk}
    assert "江景花园" not in client.get(ESTATES).content.decode()
    assert client.get(_page(elsewhere)).status_code in (302, 404)
    assert client.post(_do(elsewhere, "suspend"), {"reason": "x"}).status_code == 404
    client.post(_do(estate_pass, "suspend"), {"reason": "多次带他人进入"})
    estate_pass.refresh_from_db()
    elsewhere.refresh_from_db()
    assert estate_pass.status == "suspended" and elsewhere.status == "active"
    # Their estate's page: the gates and posters, but the community stays as it is.
    page = client.get(_page(estate))
    assert page.status_code == 200 and f"{ESTATES}{estate.pk}/posters/" in page.content.decode()
    assert client.get(f"{ESTATES}add/").status_code == 403


def test_a_manager_changes_their_estate_but_not_its_community(client, trio, estate, manager):
    client.force_login(manager)
    form = _estate_form(trio.tree.a["community2"], name=estate.name, pass_days=15)
    form.update({"gates-TOTAL_FORMS": 1, "gates-0-name": "西门"})
    answer = client.post(_page(estate), form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    estate.refresh_from_db()
    assert estate.pass_days == 15 and estate.area == trio.tree.a["community"]
    assert estate.gates.filter(name="西门").exists()


def test_a_manager_reads_only_their_estates_entries(
    client, trio, estate, gate, other_estate, estate_pass, manager, guard
):
    services.pass_check(
        actor=guard, gate=gate, code=services.pass_code(estate_pass, NOON), now=NOON
    )
    elsewhere = authorised(other_estate, phone="13900139000")
    other_gate = other_estate.gates.get()
    services.pass_check(
        actor=trio.staff_a,
        gate=other_gate,
        code=services.pass_code(elsewhere, NOON),
        now=NOON,
    )
    ours = EntryLog.objects.get(gate=gate)
    client.force_login(manager)
    assert _rows(client.get(f"{ENTRIES}?all=").content.decode(), "entrylog") == {ours.pk}
    listing = client.get(ENTRIES).content.decode()
    assert "王**" in listing and "江景花园" not in listing and "王小明" not in listing
    assert client.get(f"{ENTRIES}{ours.pk}/change/").status_code == 200
    assert client.get(
        f"/admin/estates/entrylog/{EntryLog.objects.get(gate=other_gate).pk}/change/"
    ).status_code in (302, 404)


def test_a_guard_changes_no_estate_and_suspends_no_pass(
    client, trio, estate, gate, estate_pass, guard
):
    services.pass_check(
        actor=guard, gate=gate, code=services.pass_code(estate_pass, NOON), now=NOON
    )
    client.force_login(guard)
    assert client.get(ESTATES).status_code == 403
    assert client.get(_page(estate)).status_code == 403
    assert client.post(_page(estate), _estate_form(estate.area, name="改名")).status_code == 403
    assert client.get(f"{ESTATES}{estate.pk}/posters/").status_code in (403, 404)
    assert client.get(PASSES).status_code == 403
    assert client.post(_do(estate_pass, "suspend"), {"reason": "x"}).status_code == 404
    # Their gate: read, not changed, no new poster code; their gate's entries: read.
    assert client.get(_page(gate)).status_code == 200
    assert client.post(_page(gate), {"name": "后门", "active": ""}).status_code == 403
    assert client.post(_do(gate, "new-poster-code")).status_code == 403
    assert client.get(f"{GATES}add/").status_code == 403
    assert client.get(ENTRIES).status_code == 200
    estate.refresh_from_db()
    estate_pass.refresh_from_db()
    assert estate.name == "水岸城二三期" and estate_pass.status == "active"
    assert Gate.objects.get(pk=gate.pk).poster_key == gate.poster_key
    assert Gate.objects.get(pk=gate.pk).name == "北门"


# Entries ----------------------------------------------------------------------------------


def test_entries_are_read_only_and_filtered_by_gates_in_reach(
    client, trio, estate, gate, estate_pass, guard
):
    entry = services.pass_check(
        actor=guard, gate=gate, code=services.pass_code(estate_pass, NOON), now=NOON
    )
    theirs = GateFactory(estate=EstateFactory(area=trio.tree.b["community"]), name="B区大门")
    GateFactory(estate=estate, name="南门")  # two gates in reach: the gate filter shows
    client.force_login(trio.staff_a)
    listing = client.get(ENTRIES).content.decode()
    assert "王**" in listing and "B区大门" not in listing
    assert client.get(f"{ENTRIES}add/").status_code == 403
    assert client.post(f"{ENTRIES}{entry.pk}/change/", {}).status_code == 403
    assert client.post(f"{ENTRIES}{entry.pk}/delete/").status_code == 403
    assert client.get(f"{ENTRIES}?outcome__exact=in").status_code == 200
    # Naming a gate out of reach lists what naming no gate lists.
    out = client.get(ENTRIES, {"gate__id__exact": theirs.pk})
    missing = client.get(ENTRIES, {"gate__id__exact": theirs.pk + 1000})
    assert out.status_code == missing.status_code
    assert (
        _rows(out.content.decode(), "entrylog")
        == _rows(missing.content.decode(), "entrylog")
        == set()
    )
    assert EntryLog.objects.filter(pk=entry.pk).exists()


def test_answering_an_objection_keeps_the_pass_suspended_and_clears_the_queue(
    client, trio, estate_pass
):
    services.pass_suspend(actor=trio.staff_a, estate_pass=estate_pass, reason="借给他人使用")
    services.pass_contest(phone=estate_pass.phone, estate_pass=estate_pass, text="我没有借给别人")
    client.force_login(trio.staff_a)
    assert _do(estate_pass, "answer") in client.get(_page(estate_pass)).content.decode()
    refused = client.post(_do(estate_pass, "answer"), {"reason": ""})
    assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    client.post(_do(estate_pass, "answer"), {"reason": "门岗监控显示多次借给他人"})
    estate_pass.refresh_from_db()
    assert estate_pass.status == "suspended" and estate_pass.contest_answer
    assert f"{PASSES}?contested=yes" not in client.get("/admin/").content.decode()
    assert _do(estate_pass, "answer") not in client.get(_page(estate_pass)).content.decode()


def test_selected_entries_export_as_the_property_companys_ledger(client, trio, estate, gate):
    made = authorised(estate)
    guard = partner(StaffGrant.Role.GATE_GUARD, estate.area, [gate], "guard_export")
    entry = services.pass_check(actor=guard, gate=gate, code=services.pass_code(made))
    client.force_login(trio.staff_a)
    body = {"action": "export_ledger", "_selected_action": [entry.pk]}
    answer = client.post("/admin/estates/entrylog/", body)
    if answer.status_code == 302:
        answer = client.get(answer["Location"])
    assert answer["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    client.force_login(trio.staff_b)
    answer = client.post("/admin/estates/entrylog/", body, follow=True)
    assert "spreadsheetml" not in answer.get("Content-Type", "")
