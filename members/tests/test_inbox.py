"""The inbox (消息, issue 14 §4): what sends a message, once; when it also goes by SMS
(the kind, the district and the worker agree) and when it does not; the phone pages; the
district's switch in the admin for the area trio; the worker's data and its erasure."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core import sms
from core.exceptions import ApplicationError
from core.models import OutboxJob
from members import services
from members.inbox import REGISTRATION_REVIEWED
from members.models import DistrictMessaging, Message, MessageDelivery, MessagePreference, Worker
from members.services.inbox import DeliveryFailed

from .factories import WorkerFactory, phone_logged_in

pytestmark = pytest.mark.django_db
ADMIN = "/admin/members/districtmessaging/"


@pytest.fixture
def pending_a(trio):
    return WorkerFactory(
        area=trio.tree.a["community"], phone="13812340001", status=Worker.Status.PENDING
    )


@pytest.fixture
def sms_on_in_a(trio):
    return DistrictMessaging.objects.create(area=trio.tree.a["district"], sms_enabled=True)


def _send(worker, key="event:1", kind=REGISTRATION_REVIEWED):
    return services.message_send(worker=worker, kind=kind, title="标题", body="正文", event_key=key)


def test_approving_a_registration_tells_the_worker_once(trio, pending_a):
    services.worker_approve(actor=trio.staff_a, worker=pending_a)
    message = Message.objects.get(worker=pending_a)
    assert message.kind == REGISTRATION_REVIEWED and "北大街" not in message.title
    assert message.title == "你的报到已通过" and pending_a.area.name in message.body
    assert message.link == "/m/me/" and message.read_at is None
    # The same event told again (a retried task) is the same message.
    again = services.message_send(
        worker=pending_a,
        kind=message.kind,
        title="x",
        event_key=message.event_key,
    )
    assert again == message and Message.objects.count() == 1


def test_returning_a_registration_tells_the_worker_why(trio, pending_a):
    services.worker_reject(actor=trio.staff_a, worker=pending_a, reason="身份证号不完整。")
    message = Message.objects.get(worker=pending_a)
    assert "身份证号不完整" in message.body and message.link == "/m/register/"


def test_a_refused_review_sends_nothing(trio, pending_a):
    with pytest.raises(ApplicationError):
        services.worker_reject(actor=trio.staff_a, worker=pending_a, reason="  ")
    with pytest.raises(Http404):
        services.worker_approve(actor=trio.staff_b, worker=pending_a)  # another district's
    assert not Message.objects.exists()


def test_only_the_inbox_until_the_district_and_the_worker_both_turn_sms_on(trio, worker_a):
    _send(worker_a, "e:1")
    assert not MessageDelivery.objects.exists()  # the district sends no SMS
    setting = DistrictMessaging.objects.create(area=trio.tree.a["district"], sms_enabled=True)
    _send(worker_a, "e:2")
    assert not MessageDelivery.objects.exists()  # the worker has not asked
    services.message_preference_set(
        worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=True
    )
    message = _send(worker_a, "e:3")
    delivery = MessageDelivery.objects.get()
    assert (delivery.message, delivery.channel, delivery.status) == (message, "sms", "waiting")
    assert OutboxJob.objects.filter(task="members.tasks.deliver_message").count() == 1
    setting.sms_enabled = False
    setting.save()
    _send(worker_a, "e:4")
    assert MessageDelivery.objects.count() == 1


def test_a_delivery_is_sent_once_by_the_configured_backend(trio, worker_a, sms_on_in_a, caplog):
    caplog.set_level(logging.INFO, logger="core.sms")
    services.message_preference_set(
        worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=True
    )
    delivery = _send(worker_a).deliveries.get()
    assert services.message_deliver(delivery.pk) == "sent"
    assert services.message_deliver(delivery.pk) == "sent"  # run again: nothing more
    sent = [r.getMessage() for r in caplog.records if r.name == "core.sms"]
    assert sent == ["SMS to 138****1234: new message: 标题"]


def test_a_channel_turned_off_before_sending_is_not_used(trio, worker_a, sms_on_in_a):
    services.message_preference_set(
        worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=True
    )
    delivery = _send(worker_a).deliveries.get()
    services.message_preference_set(
        worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=False
    )
    assert services.message_deliver(delivery.pk) == "dropped"


class RefusingBackend(sms.ConsoleBackend):
    def send_notice(self, *, phone, title):
        raise sms.SmsError("gateway says no")


def test_a_refusing_gateway_is_tried_again_then_given_up(trio, worker_a, sms_on_in_a, settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingBackend"
    services.message_preference_set(
        worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=True
    )
    delivery = _send(worker_a).deliveries.get()
    for _attempt in range(services.DELIVERY_ATTEMPTS - 1):
        with pytest.raises(DeliveryFailed):
            services.message_deliver(delivery.pk)
    assert services.message_deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.attempts == services.DELIVERY_ATTEMPTS
    assert "gateway says no" in delivery.last_error


def test_choices_the_district_does_not_offer_are_refused(trio, worker_a):
    with pytest.raises(ApplicationError):
        services.message_preference_set(
            worker=worker_a, kind=REGISTRATION_REVIEWED, channel="sms", enabled=True
        )
    DistrictMessaging.objects.create(
        area=trio.tree.a["district"], sms_enabled=True, wechat_enabled=True
    )
    for kind, channel in [
        ("no.such_kind", "sms"),
        (REGISTRATION_REVIEWED, "wechat"),
        (REGISTRATION_REVIEWED, "fax"),
    ]:
        with pytest.raises(ApplicationError) as refused:
            services.message_preference_set(
                worker=worker_a, kind=kind, channel=channel, enabled=True
            )
        assert refused.value.fields, refused.value
    assert not MessagePreference.objects.exists()


def test_an_erased_account_gets_nothing_and_a_merged_one_sends_to_the_kept_record(trio, worker_a):
    duplicate = WorkerFactory(area=trio.tree.a["community"], phone="13812340002")
    _send(duplicate, "before-merge")
    services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker_a)
    assert Message.objects.get().worker == worker_a  # moved with the merge
    duplicate.refresh_from_db()
    assert _send(duplicate, "after-merge").worker == worker_a
    services.worker_erase(actor=trio.staff_a, worker=worker_a)
    worker_a.refresh_from_db()
    assert not Message.objects.exists()  # erased with the account
    assert _send(worker_a, "after-erasure") is None


def test_the_inbox_page_lists_newest_first_and_marks_them_read(client, trio, worker_a):
    _send(worker_a, "e:1")
    newest = services.message_send(
        worker=worker_a, kind=REGISTRATION_REVIEWED, title="第二条", event_key="e:2"
    )
    phone_logged_in(client, worker_a.phone)
    me = client.get("/m/me/").content.decode()
    assert "/m/me/messages/" in me and "2 条新消息" in me
    html = client.get("/m/me/messages/").content.decode()
    assert html.index("第二条") < html.index("标题") and html.count("inbox-message unread") == 2
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert "新消息" not in client.get("/m/me/").content.decode()
    assert "你所在的区没有开通短信提醒" in html


def test_the_inbox_is_for_the_logged_in_worker_only(client, trio, worker_a, worker_b):
    _send(worker_a, "e:1")
    assert client.get("/m/me/messages/").status_code == 302  # to the login
    phone_logged_in(client, worker_b.phone)
    assert "标题" not in client.get("/m/me/messages/").content.decode()


def test_a_phone_without_a_record_has_an_inbox_that_joins_its_record_later(client, trio):
    """Someone who signs in on the phone without registering (a donor of micro-wishes) reads
    what was sent to their phone; if that phone registers later, the same messages are
    in the worker's inbox, once."""
    phone = "13900007777"
    sent = services.message_send(
        phone=phone, kind=REGISTRATION_REVIEWED, title="认领提醒", event_key="d:1"
    )
    again = services.message_send(
        phone=phone, kind=REGISTRATION_REVIEWED, title="认领提醒", event_key="d:1"
    )
    assert sent == again and (sent.worker, sent.phone) == (None, phone)
    assert not MessageDelivery.objects.exists()  # the inbox only: nobody chose a channel
    assert (
        services.message_send(phone="12345", kind=REGISTRATION_REVIEWED, title="x", event_key="d:2")
        is None
    )
    phone_logged_in(client, "13900008888")
    assert "认领提醒" not in client.get("/m/me/messages/").content.decode()
    phone_logged_in(client, phone)
    html = client.get("/m/me/messages/").content.decode()
    assert "认领提醒" in html and "inbox-message unread" in html
    sent.refresh_from_db()
    assert sent.read_at is not None
    worker = WorkerFactory(area=trio.tree.a["community"], phone=phone)
    services.message_send(phone=phone, kind=REGISTRATION_REVIEWED, title="第二条", event_key="d:3")
    assert Message.objects.get(event_key="d:3").worker == worker  # the phone is a worker now
    html = client.get("/m/me/messages/").content.decode()
    assert "认领提醒" in html and "第二条" in html


def test_the_worker_turns_sms_on_and_off_where_the_district_sends_it(
    client, trio, worker_a, sms_on_in_a
):
    phone_logged_in(client, worker_a.phone)
    field = f"{REGISTRATION_REVIEWED}:sms"
    page = client.get("/m/me/messages/settings/").content.decode()
    assert f'name="{field}"' in page and "短信" in page
    client.post("/m/me/messages/settings/", {field: "on", "points.redemption:wechat": "on"})
    assert MessagePreference.objects.get(worker=worker_a, kind=REGISTRATION_REVIEWED).enabled
    assert not MessagePreference.objects.filter(channel="wechat").exists()
    client.post("/m/me/messages/settings/", {})
    assert not MessagePreference.objects.get(worker=worker_a, kind=REGISTRATION_REVIEWED).enabled


def test_without_the_district_the_settings_page_offers_nothing(client, trio, worker_a):
    phone_logged_in(client, worker_a.phone)
    page = client.get("/m/me/messages/settings/").content.decode()
    assert "<form" not in page and "你所在的区没有开通短信提醒" in page
    client.post("/m/me/messages/settings/", {f"{REGISTRATION_REVIEWED}:sms": "on"})
    assert not MessagePreference.objects.exists()


def test_my_data_shows_the_messages(client, trio, worker_a):
    _send(worker_a)
    phone_logged_in(client, worker_a.phone)
    html = client.get("/m/me/data/").content.decode()
    assert "你的消息" in html and "正文" in html


# The district's switch, for the area trio ----------------------------------------------


def test_staff_of_a_turn_sms_on_for_their_district(client, trio):
    client.force_login(trio.staff_a)
    form = client.get(f"{ADMIN}add/").content.decode()
    assert trio.tree.a["district"].name in form and trio.tree.b["district"].name not in form
    client.post(f"{ADMIN}add/", {"area": trio.tree.a["district"].pk, "sms_enabled": "on"})
    assert DistrictMessaging.objects.get().sms_enabled


def test_staff_of_a_cannot_name_district_b_or_a_community(client, trio):
    client.force_login(trio.staff_a)
    for area in (trio.tree.b["district"], trio.tree.a["community"]):
        page = client.post(f"{ADMIN}add/", {"area": area.pk, "sms_enabled": "on"})
        assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert not DistrictMessaging.objects.exists()


def test_the_viewer_of_a_reads_and_staff_of_b_do_not_see_it(client, trio):
    setting = DistrictMessaging.objects.create(area=trio.tree.a["district"], sms_enabled=True)
    client.force_login(trio.viewer_a)
    assert client.get(ADMIN).status_code == 200
    client.post(f"{ADMIN}{setting.pk}/change/", {"area": setting.area_id})
    setting.refresh_from_db()
    assert setting.sms_enabled  # unchanged
    client.force_login(trio.staff_b)
    assert trio.tree.a["district"].name not in client.get(ADMIN).content.decode()
    assert client.get(f"{ADMIN}{setting.pk}/change/").status_code in (302, 404)


def test_the_service_refuses_a_district_out_of_reach_and_a_viewer(trio):
    for actor in (trio.staff_b, trio.viewer_a):
        with pytest.raises((Http404, PermissionDenied)):
            services.district_messaging_save(
                actor=actor, area=trio.tree.a["district"], sms_enabled=True, wechat_enabled=False
            )
    assert not DistrictMessaging.objects.exists()
