"""A worker's new phone number (issue 14 §2): proved on the phone by a code sent to the
new number, or set by staff of their community when the old phone is lost; refused when
another record holds it; recorded (masked) and told in the inbox."""

import pytest
from django.http import Http404

from core.exceptions import ApplicationError
from members import selectors, services
from members.models import Message, PhoneChange, Worker

from .factories import WorkerFactory, phone_logged_in

pytestmark = pytest.mark.django_db
NEW = "13912349999"


def test_the_worker_proves_the_new_number_and_goes_on_under_it(client, worker_a, sent_codes):
    phone_logged_in(client, worker_a.phone)
    page = client.post("/m/me/phone/", {"action": "send", "phone": NEW})
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    client.post("/m/me/phone/", {"action": "verify", "phone": NEW, "code": "000000"})
    worker_a.refresh_from_db()
    assert worker_a.phone == "13812341234"  # a wrong code changes nothing
    response = client.post(
        "/m/me/phone/", {"action": "verify", "phone": NEW, "code": sent_codes()[-1]}
    )
    assert response.url == "/m/me/"
    worker_a.refresh_from_db()
    assert worker_a.phone == NEW and selectors.worker_for_phone("13812341234") is None
    assert "139****9999" in client.get("/m/me/").content.decode()  # the session goes on
    change = PhoneChange.objects.get()
    assert (change.old_phone_masked, change.new_phone_masked, change.actor) == (
        "138****1234",
        "139****9999",
        None,
    )
    message = Message.objects.get(worker=worker_a)
    assert "139****9999" in message.body and "138****1234" in message.body


@pytest.mark.parametrize(
    ("typed", "says"),
    [("12345", "11位"), ("13812341234", "已经是"), ("13912345678", "另一条登记")],
)
def test_refused_numbers_get_no_code(client, worker_a, worker_b, sent_codes, typed, says):
    phone_logged_in(client, worker_a.phone)
    page = client.post("/m/me/phone/", {"action": "send", "phone": typed}).content.decode()
    assert says in page and 'name="code"' not in page
    assert sent_codes() == []
    assert Worker.objects.get(pk=worker_a.pk).phone == "13812341234"


def test_staff_of_the_community_change_a_lost_number_with_a_reason(trio, worker_a):
    with pytest.raises(ApplicationError):
        services.worker_phone_change(worker=worker_a, new_phone=NEW, actor=trio.staff_a)
    with pytest.raises(Http404):
        services.worker_phone_change(
            worker=worker_a, new_phone=NEW, actor=trio.staff_b, reason="核对了身份证"
        )
    services.worker_phone_change(
        worker=worker_a, new_phone=NEW, actor=trio.staff_a, reason="本人持身份证到社区办理"
    )
    change = PhoneChange.objects.get()
    assert change.actor == trio.staff_a and change.reason == "本人持身份证到社区办理"
    assert Worker.objects.get(pk=worker_a.pk).phone == NEW


def test_a_number_typed_on_the_unmasked_record_in_the_admin_is_recorded_too(trio, worker_a):
    details = services.WorkerDetails(phone=NEW)
    services.worker_update(actor=trio.staff_a, worker=worker_a, details=details, given=["phone"])
    assert PhoneChange.objects.get().actor == trio.staff_a
    assert Message.objects.filter(worker=worker_a, kind="members.account_changed").exists()


def test_a_merge_keeps_the_history_of_numbers(trio, worker_a):
    duplicate = WorkerFactory(area=trio.tree.a["community"], phone="13812340003")
    services.worker_phone_change(worker=duplicate, new_phone="13812340004")
    services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker_a)
    assert PhoneChange.objects.get().worker == worker_a
