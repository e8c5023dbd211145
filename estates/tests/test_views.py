"""The estate pass on the phone: a gate's poster → fill in (prefilled from the worker's
registration) → agree → the pass; the next visits a scan and one tap; the guard's page;
what the pages refuse."""

import logging
import re

import pytest
from django.urls import reverse

from areas.models import StaffGrant
from estates import services
from estates.models import EntryLog, EstatePass
from members.models import Occupation, Worker
from members.phone_login import SESSION_PHONE
from members.tests.factories import EnterpriseFactory, WorkerFactory, phone_logged_in

from .factories import EstateFactory, GateFactory, authorised, partner

pytestmark = pytest.mark.django_db
PHONE = "13812345612"


@pytest.fixture
def gate(trio):
    return GateFactory(estate=EstateFactory(area=trio.tree.a["community"]), name="北门")


@pytest.fixture
def gate_url(gate):
    return reverse("mobile-estate-gate", args=[services.gate_token(gate)])


@pytest.fixture
def worker(trio):
    return WorkerFactory(
        area=trio.tree.a["community"],
        status=Worker.Status.APPROVED,
        phone=PHONE,
        name="李师傅",
        occupation=Occupation.FOOD_DELIVERY,
        platform="美团",
        enterprise=EnterpriseFactory(name="美团博罗站", area=trio.tree.a["district"]),
    )


def _details(**overrides):
    return {
        "name": "王小明",
        "employer": "顺丰速运博罗营业部",
        "platform": "",
        "occupation": Occupation.COURIER,
        **overrides,
    }


def test_a_phone_not_logged_in_verifies_its_number_on_the_same_page(client, gate, gate_url, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    page = client.get(gate_url).content.decode()
    assert 'name="phone"' in page and 'name="code"' in page
    client.post(gate_url, {"action": "send_code", "phone": PHONE})
    code = re.findall(r"login code (\d{6})", caplog.text)[-1]
    wrong = "000000" if code != "000000" else "111111"
    answer = client.post(gate_url, _details(phone=PHONE, code=wrong))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    answer = client.post(gate_url, _details(phone=PHONE, code=code))
    assert answer["Location"] == reverse("mobile-estate-consent", args=[services.gate_token(gate)])
    assert client.session[SESSION_PHONE] == PHONE


def test_refused_answers_do_not_spend_the_code(client, gate_url, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    client.post(gate_url, {"action": "send_code", "phone": PHONE})
    code = re.findall(r"login code (\d{6})", caplog.text)[-1]
    answer = client.post(gate_url, _details(phone=PHONE, code=code, employer=""))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    answer = client.post(gate_url, _details(phone=PHONE, code=code))
    assert answer.status_code == 302


def test_the_first_visit_fills_in_agrees_and_shows_the_pass(client, gate, gate_url):
    phone_logged_in(client, PHONE)
    assert client.get(gate_url).status_code == 200
    answer = client.post(gate_url, _details())
    consent_url = reverse("mobile-estate-consent", args=[services.gate_token(gate)])
    assert answer.status_code == 302 and answer["Location"] == consent_url
    page = client.get(consent_url).content.decode()
    assert "中海物业" in page and "王**" in page and "13812345612" not in page
    answer = client.post(consent_url, {"consent_version": services.CONSENT_VERSION})
    made = EstatePass.objects.get()
    assert answer["Location"].startswith(reverse("mobile-estate-pass", args=[made.pk]))
    page = client.get(answer["Location"]).content.decode()
    assert services.pass_code(made) in page and "<svg" in page


def test_the_fill_in_is_prefilled_from_the_registration(client, worker, gate_url):
    phone_logged_in(client, PHONE)
    page = client.get(gate_url).content.decode()
    assert 'value="李师傅"' in page and 'value="美团博罗站"' in page and 'value="美团"' in page


def test_a_returning_worker_is_one_tap_from_the_pass(client, gate, gate_url):
    made = authorised(gate.estate, phone=PHONE)
    phone_logged_in(client, PHONE)
    page = client.get(gate_url).content.decode()
    pass_url = reverse("mobile-estate-pass", args=[made.pk])
    assert f'href="{pass_url}?gate={gate.pk}"' in page
    assert client.get(pass_url).status_code == 200


@pytest.mark.parametrize(
    "overrides", [{"name": ""}, {"employer": ""}, {"occupation": "pilot"}, {"name": "王" * 60}]
)
def test_what_the_fill_in_refuses_keeps_nothing(client, gate_url, overrides):
    phone_logged_in(client, PHONE)
    answer = client.post(gate_url, _details(**overrides))
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not EstatePass.objects.exists()


def test_agreeing_to_old_terms_or_without_filling_in_makes_no_pass(client, gate, gate_url):
    phone_logged_in(client, PHONE)
    consent_url = reverse("mobile-estate-consent", args=[services.gate_token(gate)])
    assert client.post(consent_url, {"consent_version": services.CONSENT_VERSION})["Location"] == (
        gate_url
    )
    client.post(gate_url, _details())
    answer = client.post(consent_url, {"consent_version": "2020-01"})
    assert answer.status_code == 200 and "error" in answer.content.decode()
    assert not EstatePass.objects.exists()


def test_an_unknown_or_rotated_gate_code_is_a_plain_404(client, gate, gate_url):
    phone_logged_in(client, PHONE)
    assert client.get("/m/gate/not-a-code/").status_code == 404
    services.gate_rotate_poster_key(actor=partner_of(gate), gate=gate)
    assert client.get(gate_url).status_code == 404


def partner_of(gate):
    return partner(
        StaffGrant.Role.PROPERTY_MANAGER, gate.estate.area, [gate.estate], "manager_views"
    )


def test_someone_elses_pass_is_not_found(client, gate):
    made = authorised(gate.estate, phone="13900139000")
    phone_logged_in(client, PHONE)
    assert client.get(reverse("mobile-estate-pass", args=[made.pk])).status_code == 404
    assert client.get(reverse("mobile-estate-pass-code", args=[made.pk])).status_code == 404
    assert client.post(reverse("mobile-estate-pass-delete", args=[made.pk])).status_code == 404
    assert EstatePass.objects.filter(pk=made.pk).exists()


def test_the_next_code_comes_as_json(client, gate):
    made = authorised(gate.estate, phone=PHONE)
    phone_logged_in(client, PHONE)
    answer = client.get(reverse("mobile-estate-pass-code", args=[made.pk])).json()
    assert re.fullmatch(rf"{made.pk}-\d{{6}}", answer["code"]) and 0 < answer["seconds_left"] <= 30


def test_a_suspended_pass_shows_why_and_takes_an_objection(client, trio, gate):
    made = authorised(gate.estate, phone=PHONE)
    services.pass_suspend(actor=trio.staff_a, estate_pass=made, reason="借给他人使用")
    phone_logged_in(client, PHONE)
    page = client.get(reverse("mobile-estate-pass", args=[made.pk])).content.decode()
    assert "借给他人使用" in page and "<svg" not in page
    assert client.get(reverse("mobile-estate-pass-code", args=[made.pk])).status_code == 410
    client.post(reverse("mobile-estate-pass-object", args=[made.pk]), {"text": ""})
    made.refresh_from_db()
    assert made.contested_at is None
    client.post(reverse("mobile-estate-pass-object", args=[made.pk]), {"text": "我没有借给别人"})
    made.refresh_from_db()
    assert made.contest_text == "我没有借给别人"


def test_the_worker_deletes_their_pass(client, gate):
    made = authorised(gate.estate, phone=PHONE)
    phone_logged_in(client, PHONE)
    assert "中海物业" in client.get(reverse("mobile-estate-passes")).content.decode()
    client.post(reverse("mobile-estate-pass-delete", args=[made.pk]))
    assert not EstatePass.objects.exists()


def test_the_guard_checks_a_code_and_reads_the_answer(client, trio, gate):
    made = authorised(gate.estate, phone=PHONE)
    guard = partner(StaffGrant.Role.GATE_GUARD, gate.estate.area, [gate], "guard_views")
    client.force_login(guard)
    code = services.pass_code(made)
    page = client.get(reverse("mobile-guard") + f"?code={code}").content.decode()
    assert f'value="{code}"' in page and "data-auto-submit" in page
    answer = client.post(reverse("mobile-guard"), {"gate": gate.pk, "code": code})
    page = answer.content.decode()
    assert "verdict ok" in page and "王**" in page and "顺丰速运博罗营业部" in page
    page = client.post(reverse("mobile-guard"), {"gate": gate.pk, "code": code}).content.decode()
    assert "verdict no" in page  # the same code twice
    assert EntryLog.objects.count() == 2


def test_the_guard_page_refuses_other_gates_and_strangers(client, trio, gate):
    other = GateFactory(estate=EstateFactory(area=trio.tree.b["community"]), name="东门")
    guard = partner(StaffGrant.Role.GATE_GUARD, gate.estate.area, [gate], "guard_views2")
    client.force_login(guard)
    answer = client.post(reverse("mobile-guard"), {"gate": other.pk, "code": "1-123456"})
    assert answer.status_code == 200 and "error" in answer.content.decode()
    answer = client.post(reverse("mobile-guard"), {"gate": gate.pk, "code": "not a code"})
    assert "error" in answer.content.decode()
    assert not EntryLog.objects.exists()
    client.force_login(trio.viewer_a)  # reads the area, checks no gate
    assert client.get(reverse("mobile-guard")).status_code == 404
    client.force_login(trio.staff_b)  # the community staff of B check at B's gate, not A's
    answer = client.post(reverse("mobile-guard"), {"gate": gate.pk, "code": "1-123456"})
    assert "error" in answer.content.decode() and not EntryLog.objects.exists()
    client.logout()
    assert client.get(reverse("mobile-guard"))["Location"].startswith(reverse("admin:login"))


def test_the_wait_at_the_gate_counts_from_the_pass_opened_not_its_refresh(client, gate):
    made = authorised(gate.estate, phone=PHONE)
    phone_logged_in(client, PHONE)
    client.get(reverse("mobile-estate-pass", args=[made.pk]))
    made.refresh_from_db()
    opened = made.last_shown_at
    client.get(reverse("mobile-estate-pass-code", args=[made.pk]))
    made.refresh_from_db()
    assert opened is not None and made.last_shown_at == opened


def test_odd_input_gets_a_plain_answer_never_a_server_error(client, trio, gate):
    """NUL bytes, digits of other scripts, numbers larger than the database holds."""
    phone_logged_in(client, PHONE)
    url = reverse("mobile-estate-gate", args=[services.gate_token(gate)])
    for body in (
        {"name": "a\x00b", "employer": "x", "occupation": "courier"},
        {"name": "王", "employer": "x\x00", "occupation": "\x00"},
    ):
        assert client.post(url, body).status_code in (200, 302, 400)
    assert client.get("/m/gate/%00abc/").status_code in (400, 404)
    assert client.get("/m/passes/99999999999999999999999/").status_code in (400, 404)
    assert client.get("/m/passes/99999999999999999999999/code.json").status_code in (400, 404)
    client.force_login(partner(StaffGrant.Role.GATE_GUARD, gate.estate.area, [gate], "g1"))
    for code in ("\x00", "1" * 12 + "-123456", "999999999999-123456", "٣-١٢٣٤٥٦"):
        assert (
            client.post(reverse("mobile-guard"), {"gate": gate.pk, "code": code}).status_code == 200
        )
    assert (
        client.post(
            reverse("mobile-guard"), {"gate": "99999999999999999999", "code": "1-123456"}
        ).status_code
        == 200
    )
    assert client.get(reverse("mobile-guard") + "?code=%00").status_code == 200
