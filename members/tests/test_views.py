"""The worker's phone pages: code login, registration (报到), their own record."""

import logging
import re

import pytest

from members.models import LoginCode, Worker
from members.phone_login import SESSION_PHONE
from members.services import PRIVACY_NOTICE_VERSION

from .factories import EnterpriseFactory, WorkerFactory, phone_logged_in, valid_id_number

pytestmark = pytest.mark.django_db
PHONE = "13700001111"


def logged_in(client, phone=PHONE):
    return phone_logged_in(client, phone)


def registration(area_code=None, **overrides):
    data = {
        "name": "王小二",
        "occupation": "food_delivery",
        "platform": "美团",
        "consent": "on",
        "notice_version": PRIVACY_NOTICE_VERSION,
    }
    data.update(overrides)
    return data


# Login ------------------------------------------------------------------------------------


def test_login_by_code_then_back_to_where_the_worker_was(client, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    page = client.post(
        "/m/login/", {"action": "send", "phone": "137 0000 1111", "next": "/m/register/"}
    )
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()
    code = re.search(r"login code (\d{6})", caplog.text).group(1)
    done = client.post(
        "/m/login/", {"action": "verify", "phone": PHONE, "code": code, "next": "/m/register/"}
    )
    assert done.status_code == 302 and done["Location"] == "/m/register/"
    assert client.session[SESSION_PHONE] == PHONE


def test_wrong_code_shows_an_error_and_does_not_log_in(client):
    client.post("/m/login/", {"action": "send", "phone": PHONE})
    page = client.post("/m/login/", {"action": "verify", "phone": PHONE, "code": "999999"})
    # 1 in a million the random code was 999999; then this is a login, not an error.
    if page.status_code == 200:
        assert "4" in page.content.decode()  # tries left
        assert SESSION_PHONE not in client.session
    assert LoginCode.objects.get().failed_attempts in (0, 1)


def test_bad_phone_is_shown_in_chinese_and_nothing_is_sent(client):
    page = client.post("/m/login/", {"action": "send", "phone": "12345"})
    assert "11位" in page.content.decode() or "11 位" in page.content.decode()
    assert not LoginCode.objects.exists()


def test_too_soon_is_refused_on_the_page(client):
    client.post("/m/login/", {"action": "send", "phone": PHONE})
    page = client.post("/m/login/", {"action": "send", "phone": PHONE})
    assert "一分钟" in page.content.decode()
    assert LoginCode.objects.count() == 1


def test_next_cannot_lead_off_site(client, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    client.post("/m/login/", {"action": "send", "phone": PHONE})
    code = re.search(r"login code (\d{6})", caplog.text).group(1)
    done = client.post(
        "/m/login/",
        {"action": "verify", "phone": PHONE, "code": code, "next": "https://evil.example/"},
    )
    assert done["Location"] == "/m/me/"


def test_worker_logout_keeps_the_staff_login_in_the_same_browser(client, trio):
    client.force_login(trio.staff_a)
    logged_in(client)
    client.post("/m/logout/")
    assert SESSION_PHONE not in client.session
    assert client.get("/admin/").status_code == 200


def test_logout_needs_post(client):
    logged_in(client)
    assert client.get("/m/logout/").status_code == 405
    assert client.session[SESSION_PHONE] == PHONE


# Register ---------------------------------------------------------------------------------


def test_register_needs_a_login(client, tree):
    response = client.get("/m/register/?area=1")
    assert response.status_code == 302
    assert response["Location"].startswith("/m/login/?next=%2Fm%2Fregister%2F%3Farea%3D1")


def test_without_a_community_the_worker_chooses_one_first(client, tree):
    response = logged_in(client).get("/m/register/")
    assert response.status_code == 302 and response["Location"].startswith("/m/communities/")


def test_register_creates_a_pending_self_registration(client, tree):
    area = tree.a["community"]
    enterprise = EnterpriseFactory(area=tree.a["district"])
    response = logged_in(client).post(
        f"/m/register/?area={area.code}", registration(enterprise=enterprise.pk)
    )
    assert response.status_code == 302 and response["Location"] == "/m/me/"
    worker = Worker.objects.get(phone=PHONE)
    assert (worker.area, worker.status, worker.source) == (area, "pending", "self")
    assert worker.enterprise == enterprise
    assert worker.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert worker.sensitive_consent_at is None


def test_register_without_consent_is_refused_and_nothing_saved(client, tree):
    data = registration()
    del data["consent"]
    page = logged_in(client).post(f"/m/register/?area={tree.a['community'].code}", data)
    assert page.status_code == 200
    assert "隐私" in page.content.decode()
    assert not Worker.objects.exists()


def test_an_old_notice_version_is_refused(client, tree):
    page = logged_in(client).post(
        f"/m/register/?area={tree.a['community'].code}", registration(notice_version="2020-01")
    )
    assert page.status_code == 200 and not Worker.objects.exists()


def test_political_status_needs_the_separate_consent(client, tree):
    url = f"/m/register/?area={tree.a['community'].code}"
    page = logged_in(client).post(url, registration(political_status="cpc"))
    assert page.status_code == 200 and not Worker.objects.exists()
    logged_in(client).post(url, registration(political_status="cpc", sensitive_consent="on"))
    worker = Worker.objects.get()
    assert worker.political_status == "cpc" and worker.sensitive_consent_at is not None


def test_bad_id_number_is_shown_by_the_field(client, tree):
    bad = valid_id_number(1)[:-1] + ("0" if valid_id_number(1)[-1] != "0" else "1")
    page = logged_in(client).post(
        f"/m/register/?area={tree.a['community'].code}", registration(id_number=bad)
    )
    assert page.status_code == 200 and "校验" in page.content.decode()
    assert not Worker.objects.exists()


def test_a_district_is_not_a_community(client, tree):
    response = logged_in(client).get(f"/m/register/?area={tree.a['district'].code}")
    assert response.status_code == 302  # asked to choose a community instead


def test_registering_again_resumes_the_same_record(client, tree):
    url = f"/m/register/?area={tree.a['community'].code}"
    logged_in(client).post(url, registration())
    logged_in(client).post(url, registration(name="王小三", birth_year="1990"))
    worker = Worker.objects.get()
    assert (worker.name, worker.birth_year) == ("王小三", 1990)


def test_returned_registration_is_sent_again_for_review(client, tree):
    worker = WorkerFactory(
        phone=PHONE, area=tree.a["community"], status="rejected", status_reason="姓名有误"
    )
    page = logged_in(client).get("/m/register/")
    assert "姓名有误" in page.content.decode()
    logged_in(client).post("/m/register/", registration(name="王小二"))
    worker.refresh_from_db()
    assert worker.status == "pending" and worker.name == "王小二"


# Me ---------------------------------------------------------------------------------------


def test_me_without_a_record_leads_to_register(client, tree):
    assert logged_in(client).get("/m/me/")["Location"] == "/m/register/"


def test_me_shows_the_status_and_the_reason(client, tree):
    WorkerFactory(
        phone=PHONE, area=tree.a["community"], status="rejected", status_reason="请补充单位"
    )
    html = logged_in(client).get("/m/me/").content.decode()
    assert "请补充单位" in html and "已退回" in html


def test_me_shows_only_the_logged_in_workers_record(client, tree):
    WorkerFactory(phone=PHONE, area=tree.a["community"], name="王小二")
    WorkerFactory(phone="13700002222", area=tree.a["community"], name="赵六")
    html = logged_in(client).get("/m/me/").content.decode()
    assert "王小二" in html and "赵六" not in html


def test_correcting_own_details(client, tree):
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], status="approved")
    response = logged_in(client).post(
        "/m/me/", {"name": "王大二", "occupation": "courier", "birth_year": "1988"}
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.name, worker.birth_year, worker.status) == ("王大二", 1988, "approved")


def test_a_registered_worker_moving_community_asks_it_to_accept_them(client, tree):
    """An approved registration moves by transfer (members/tests/test_transfers.py): the
    worker stays registered where they are until the new community accepts."""
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], status="approved")
    other = tree.a["community2"]
    logged_in(client).post(
        f"/m/me/?area={other.code}", {"name": worker.name, "occupation": "courier"}
    )
    worker.refresh_from_db()
    assert (worker.area, worker.status) == (tree.a["community"], "approved")
    assert worker.transfers.get().to_area == other


def test_a_registration_waiting_for_review_moves_to_the_new_communitys_review(client, tree):
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], status="pending")
    other = tree.a["community2"]
    logged_in(client).post(
        f"/m/me/?area={other.code}", {"name": worker.name, "occupation": "courier"}
    )
    worker.refresh_from_db()
    assert (worker.area, worker.status) == (other, "pending")


def test_bad_correction_changes_nothing(client, tree):
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], name="王小二")
    page = logged_in(client).post(
        "/m/me/", {"name": "王小二", "occupation": "courier", "birth_year": "1850"}
    )
    assert page.status_code == 200
    worker.refresh_from_db()
    assert worker.birth_year is None


def test_merged_phone_shows_the_kept_record(client, tree):
    kept = WorkerFactory(area=tree.a["community"], name="王小二")
    WorkerFactory(
        phone=PHONE, area=tree.a["community"], status="merged", merged_into=kept, name="王二"
    )
    html = logged_in(client).get("/m/me/").content.decode()
    assert kept.masked_phone in html


# Choosing a community ---------------------------------------------------------------------


def test_community_search_by_name(client, tree):
    html = client.get("/m/communities/?q=甲社区").content.decode()
    assert tree.a["community"].code in html and tree.b["community"].code in html
    assert tree.a["district"].code not in html.replace(tree.a["community"].code, "")


def test_community_drill_down(client, tree):
    html = client.get(f"/m/communities/?parent={tree.a['street'].code}").content.decode()
    assert f"area={tree.a['community'].code}" in html
    assert f"area={tree.a['community2'].code}" in html
    top = client.get("/m/communities/").content.decode()
    assert f"parent={tree.province.code}" in top


def test_the_id_number_is_never_sent_back_in_full_and_empty_keeps_it(client, tree):
    id_number = valid_id_number(7)
    worker = WorkerFactory(phone=PHONE, area=tree.a["community"], id_number=id_number)
    html = logged_in(client).get("/m/me/").content.decode()
    assert id_number not in html and worker.masked_id_number in html
    assert id_number not in logged_in(client).get("/m/register/").content.decode()
    logged_in(client).post("/m/me/", {"name": "王大二", "occupation": "courier", "id_number": ""})
    worker.refresh_from_db()
    assert worker.id_number == id_number and worker.name == "王大二"
