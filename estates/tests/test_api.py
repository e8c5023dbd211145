"""The estate pass through the API, for the area trio: staff of A add and change estates
and gates, suspend and reinstate passes and read the entries; A's viewer reads and is
refused every write (403); B's staff find nothing (404). A property company's manager
reaches only the estates their grant names; a gate guard reads their gate and its
entries and changes nothing. Passes and entries are masked; refusals change nothing; the
lists cost the same for few rows and many."""

import datetime as dt

import pytest

from core.testing import client_for
from estates import services
from estates.models import EntryLog, Estate, EstatePass, Gate

from .factories import EstateFactory, GateFactory, authorised

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)  # 12:00 in China
ESTATES = "/api/v1/estates/"
GATES = "/api/v1/gates/"
PASSES = "/api/v1/estate-passes/"
ENTRIES = "/api/v1/estate-entries/"


def _ids(answer) -> set[int]:
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def _new_estate(area, **overrides) -> dict:
    return {
        "name": "碧桂园一期",
        "area": area.pk,
        "property_company": "碧桂园服务",
        "pass_days": 30,
        "occupations": ["courier"],
        "lng": 114.29,
        "lat": 23.17,
        **overrides,
    }


# Estates ----------------------------------------------------------------------------------


def test_each_role_reads_the_estates_its_grants_reach(trio, estate, gate):
    body = client_for(trio.staff_a).get(ESTATES).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["name"], row["gate_count"], row["area_code"]) == (
        "水岸城二三期",
        1,
        trio.tree.a["community"].code,
    )
    assert client_for(trio.viewer_a).get(f"{ESTATES}{estate.pk}/").status_code == 200
    assert client_for(trio.staff_b).get(f"{ESTATES}{estate.pk}/").status_code == 404
    assert client_for(trio.staff_b).get(ESTATES).json()["count"] == 0


def test_staff_of_a_add_and_change_an_estate(trio):
    api = client_for(trio.staff_a)
    answer = api.post(ESTATES, _new_estate(trio.tree.a["community2"]), format="json")
    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert made["area"] == trio.tree.a["community2"].pk and made["occupations"] == ["courier"]
    assert made["lng"] == pytest.approx(114.29)
    changed = api.patch(
        f"{ESTATES}{made['id']}/",
        {"pass_days": 14, "entry_from": "07:00", "entry_until": "22:00"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["pass_days"], changed.json()["entry_until"]) == (14, "22:00:00")


def test_the_viewer_and_b_change_no_estate(trio, estate):
    body = _new_estate(trio.tree.a["community"], name="新小区")
    assert client_for(trio.viewer_a).post(ESTATES, body, format="json").status_code == 403
    outsider = client_for(trio.staff_b).post(ESTATES, body, format="json")
    assert outsider.status_code == 400 and "area" in outsider.json()
    patch = {"name": "改名"}
    assert (
        client_for(trio.viewer_a).patch(f"{ESTATES}{estate.pk}/", patch, format="json").status_code
        == 403
    )
    assert (
        client_for(trio.staff_b).patch(f"{ESTATES}{estate.pk}/", patch, format="json").status_code
        == 404
    )
    assert list(Estate.objects.values_list("name", flat=True)) == ["水岸城二三期"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"pass_days": 0}, "pass_days"),
        ({"pass_days": 400}, "pass_days"),
        ({"entry_from": "08:00"}, "entry_until"),
        ({"name": "水岸城二三期"}, None),  # the community has one of that name already
        ({"occupations": ["pilot"]}, "occupations"),
        ({"lng": 114.29, "lat": None}, None),
    ],
)
def test_what_saving_an_estate_refuses_keeps_nothing(trio, estate, overrides, field):
    answer = client_for(trio.staff_a).post(
        ESTATES, _new_estate(trio.tree.a["community"], **overrides), format="json"
    )
    assert answer.status_code == 400, answer.json()
    if field:
        assert field in answer.json()
    assert Estate.objects.count() == 1


def test_a_street_is_no_community_for_an_estate(trio):
    answer = client_for(trio.staff_a).post(
        ESTATES, _new_estate(trio.tree.a["street"]), format="json"
    )
    assert answer.status_code == 400 and "area" in answer.json()
    assert not Estate.objects.exists()


def test_a_manager_changes_their_estate_and_only_theirs(trio, estate, other_estate, manager):
    api = client_for(manager)
    assert _ids(api.get(ESTATES)) == {estate.pk}
    assert api.patch(f"{ESTATES}{estate.pk}/", {"pass_days": 7}, format="json").status_code == 200
    assert (
        api.patch(f"{ESTATES}{other_estate.pk}/", {"pass_days": 7}, format="json").status_code
        == 404
    )
    moved = api.patch(
        f"{ESTATES}{estate.pk}/", {"area": trio.tree.a["community2"].pk}, format="json"
    )
    assert moved.status_code == 400 and "area" in moved.json()
    made = api.post(ESTATES, _new_estate(trio.tree.a["community"]), format="json")
    assert made.status_code == 400 and "area" in made.json()
    estate.refresh_from_db()
    other_estate.refresh_from_db()
    assert (estate.pass_days, estate.area) == (7, trio.tree.a["community"])
    assert other_estate.pass_days == 30 and Estate.objects.count() == 2


# Gates ------------------------------------------------------------------------------------


def test_staff_add_a_gate_and_close_it(trio, estate):
    api = client_for(trio.staff_a)
    answer = api.post(GATES, {"estate": estate.pk, "name": "南门"}, format="json")
    assert answer.status_code == 201, answer.json()
    gate_id = answer.json()["id"]
    closed = api.patch(f"{GATES}{gate_id}/", {"active": False}, format="json")
    assert closed.status_code == 200 and closed.json()["active"] is False
    again = api.post(GATES, {"estate": estate.pk, "name": "南门"}, format="json")
    assert again.status_code == 400  # the estate has a gate of that name
    assert Gate.objects.filter(estate=estate).count() == 1


def test_a_gate_stays_with_its_estate(trio, estate, gate, other_estate):
    answer = client_for(trio.staff_a).patch(
        f"{GATES}{gate.pk}/", {"estate": other_estate.pk}, format="json"
    )
    assert answer.status_code == 400 and "estate" in answer.json()
    gate.refresh_from_db()
    assert gate.estate == estate


def test_the_viewer_b_and_the_guard_change_no_gate(trio, estate, gate, guard):
    new = {"estate": estate.pk, "name": "南门"}
    assert client_for(trio.viewer_a).post(GATES, new, format="json").status_code == 403
    assert client_for(trio.staff_b).post(GATES, new, format="json").status_code == 400
    assert client_for(guard).post(GATES, new, format="json").status_code == 400
    patch = {"name": "后门"}
    assert client_for(trio.viewer_a).patch(f"{GATES}{gate.pk}/", patch).status_code == 403
    assert client_for(trio.staff_b).patch(f"{GATES}{gate.pk}/", patch).status_code == 404
    api = client_for(guard)
    assert _ids(api.get(GATES)) == {gate.pk}  # their own gate, read
    assert api.patch(f"{GATES}{gate.pk}/", patch, format="json").status_code == 403
    assert list(Gate.objects.values_list("name", flat=True)) == ["北门"]


# Passes -----------------------------------------------------------------------------------


def test_passes_are_masked(trio, estate_pass):
    body = client_for(trio.staff_a).get(PASSES).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["name_masked"] == "王**" and row["employer"] == "顺丰速运博罗营业部"
    assert "王小明" not in str(body) and "13800138000" not in str(body)
    assert "secret" not in row and "phone" not in row and "consent_text" not in row


def test_staff_suspend_with_a_reason_and_reinstate(trio, estate_pass):
    api = client_for(trio.staff_a)
    url = f"{PASSES}{estate_pass.pk}/"
    for refused in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 201}):
        answer = api.post(f"{url}suspend/", refused, format="json")
        assert answer.status_code == 400 and "reason" in answer.json(), refused
    assert EstatePass.objects.get().status == EstatePass.Status.ACTIVE
    refused = api.post(f"{url}reinstate/")  # not suspended
    assert refused.status_code == 400 and refused.json()["detail"]
    assert EstatePass.objects.get().status == EstatePass.Status.ACTIVE
    body = api.post(f"{url}suspend/", {"reason": "借给他人使用"}, format="json").json()
    assert (body["status"], body["suspended_reason"]) == ("suspended", "借给他人使用")
    again = api.post(f"{url}suspend/", {"reason": "再来一次"}, format="json")
    assert again.status_code == 400
    assert EstatePass.objects.get().suspended_reason == "借给他人使用"
    body = api.post(f"{url}reinstate/").json()
    assert body["status"] == "active" and body["suspended_reason"] == ""


def test_the_viewer_b_and_the_guard_suspend_nothing(trio, estate_pass, guard):
    url = f"{PASSES}{estate_pass.pk}/suspend/"
    reason = {"reason": "借给他人使用"}
    assert client_for(trio.viewer_a).get(PASSES).json()["count"] == 1
    assert client_for(trio.viewer_a).post(url, reason, format="json").status_code == 403
    assert client_for(trio.staff_b).post(url, reason, format="json").status_code == 404
    assert client_for(guard).get(PASSES).json()["count"] == 0
    assert client_for(guard).post(url, reason, format="json").status_code == 404
    assert EstatePass.objects.get().status == EstatePass.Status.ACTIVE


def test_a_manager_reads_and_suspends_only_their_estates_passes(
    trio, estate, other_estate, estate_pass, manager
):
    elsewhere = authorised(other_estate, phone="13900139000", name="李四")
    api = client_for(manager)
    assert _ids(api.get(PASSES)) == {estate_pass.pk}
    assert api.get(f"{PASSES}{elsewhere.pk}/").status_code == 404
    assert (
        api.post(f"{PASSES}{elsewhere.pk}/suspend/", {"reason": "x"}, format="json").status_code
        == 404
    )
    answer = api.post(f"{PASSES}{estate_pass.pk}/suspend/", {"reason": "多次带他人进入"})
    assert answer.status_code == 200 and answer.json()["status"] == "suspended"
    elsewhere.refresh_from_db()
    assert elsewhere.status == EstatePass.Status.ACTIVE


def test_the_objections_waiting_are_filtered(trio, estate, estate_pass):
    quiet = authorised(estate, phone="13900139000", name="李四")
    services.pass_suspend(actor=trio.staff_a, estate_pass=estate_pass, reason="借给他人使用")
    services.pass_contest(phone=estate_pass.phone, estate_pass=estate_pass, text="我没有")
    api = client_for(trio.staff_a)
    assert _ids(api.get(PASSES, {"contested": "true"})) == {estate_pass.pk}
    assert _ids(api.get(PASSES, {"contested": "false"})) == {quiet.pk}
    assert _ids(api.get(PASSES, {"status": "suspended"})) == {estate_pass.pk}


# Entries ----------------------------------------------------------------------------------


@pytest.fixture
def entries(trio, estate, gate, other_estate, estate_pass, guard):
    """A let-in and a refused check at 北门 (yesterday and today), one at another estate."""
    yesterday = NOON - dt.timedelta(days=1)
    services.pass_check(
        actor=guard, gate=gate, code=services.pass_code(estate_pass, yesterday), now=yesterday
    )
    services.pass_check(actor=guard, gate=gate, code="999999-123456", now=NOON)
    elsewhere = authorised(other_estate, phone="13900139000")
    services.pass_check(
        actor=trio.staff_a,
        gate=other_estate.gates.get(),
        code=services.pass_code(elsewhere, NOON),
        now=NOON,
    )
    return EntryLog.objects.all()


def test_entries_per_trio_masked_and_filtered(trio, estate, gate, entries):
    api = client_for(trio.staff_a)
    body = api.get(ENTRIES).json()
    assert body["count"] == 3
    assert "王小明" not in str(body) and "13800138000" not in str(body)
    let_in = api.get(ENTRIES, {"gate": gate.pk, "outcome": "in"}).json()["results"]
    assert [(row["name_masked"], row["gate_name"]) for row in let_in] == [("王**", "北门")]
    assert _ids(api.get(ENTRIES, {"estate": estate.pk})) == set(
        entries.filter(estate=estate).values_list("pk", flat=True)
    )
    assert api.get(ENTRIES, {"since": "2026-12-02", "until": "2026-12-02"}).json()["count"] == 2
    assert api.get(ENTRIES, {"until": "2026-12-01"}).json()["count"] == 1
    assert client_for(trio.viewer_a).get(ENTRIES).json()["count"] == 3
    assert client_for(trio.staff_b).get(ENTRIES).json()["count"] == 0
    entry = entries.first()
    assert client_for(trio.staff_b).get(f"{ENTRIES}{entry.pk}/").status_code == 404
    assert client_for(trio.staff_a).post(ENTRIES, {}).status_code == 405


def test_naming_an_estate_out_of_reach_is_naming_none(trio, estate, entries):
    theirs = EstateFactory(area=trio.tree.b["community"])
    api = client_for(trio.staff_a)
    answers = [api.get(ENTRIES, {"estate": pk}) for pk in (theirs.pk, theirs.pk + 1000)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json().keys() == answers[1].json().keys()


def test_partners_read_only_their_entries(trio, estate, gate, entries, manager, guard):
    ours = set(entries.filter(estate=estate).values_list("pk", flat=True))
    assert _ids(client_for(manager).get(ENTRIES)) == ours
    assert _ids(client_for(guard).get(ENTRIES)) == set(
        entries.filter(gate=gate).values_list("pk", flat=True)
    )


# Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ESTATES, GATES, PASSES, ENTRIES])
def test_the_list_query_count_is_flat(trio, url, guard, estate, django_assert_max_num_queries):
    api = client_for(trio.staff_a)

    def add(count):
        for _ in range(count):
            made = EstateFactory(area=trio.tree.a["community"])
            made_gate = GateFactory(estate=made)
            made_pass = authorised(made, phone=f"139{made.pk:08d}")
            services.pass_check(
                actor=trio.staff_a,
                gate=made_gate,
                code=services.pass_code(made_pass, NOON),
                now=NOON,
            )

    add(2)
    with django_assert_max_num_queries(8) as few:
        assert api.get(url).json()["count"] >= 2
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(url).json()["count"] >= 12


def test_staff_answer_an_objection_and_the_pass_stays_suspended(trio, estate_pass):
    services.pass_suspend(actor=trio.staff_a, estate_pass=estate_pass, reason="借给他人使用")
    services.pass_contest(phone=estate_pass.phone, estate_pass=estate_pass, text="我没有借给别人")
    url = f"{PASSES}{estate_pass.pk}/answer/"
    for user in (trio.viewer_a, trio.staff_b):
        assert client_for(user).post(url, {"answer": "维持"}, format="json").status_code in (
            403,
            404,
        )
    api = client_for(trio.staff_a)
    for refused in ({}, {"answer": " "}, {"answer": "x" * 301}):
        answer = api.post(url, refused, format="json")
        assert answer.status_code == 400 and "answer" in answer.json(), refused
    assert api.get(f"{PASSES}{estate_pass.pk}/").json()["objection_waiting"] is True
    body = api.post(url, {"answer": "门岗监控显示多次借给他人"}, format="json").json()
    assert body["status"] == "suspended" and body["objection_waiting"] is False
    assert api.post(url, {"answer": "再次"}, format="json").status_code == 400
