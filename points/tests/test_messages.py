"""What points tells a worker in their inbox (members.inbox): a gift ready to pick up,
and a day before it goes back — once each, however often the beat runs."""

import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import ApplicationError
from members.models import Message
from points import services

pytestmark = pytest.mark.django_db


def test_a_redemption_tells_the_worker_where_and_by_when(worker, thirty_points, reward, station_a):
    redemption, _created = services.redeem(worker=worker, reward=reward, station=station_a)
    message = Message.objects.get(worker=worker)
    assert message.kind == services.REDEMPTION_MESSAGES
    assert message.title == f"可以领取了：{reward.name}"
    assert redemption.pickup_code in message.body and station_a.name in message.body
    assert message.link == f"/m/redemptions/{redemption.pk}/"


def test_a_refused_redemption_tells_nothing(worker, reward, station_a):
    with pytest.raises(ApplicationError):
        services.redeem(worker=worker, reward=reward, station=station_a)  # no points
    assert not Message.objects.exists()


def test_a_gift_about_to_go_back_is_reminded_once(worker, thirty_points, reward, station_a):
    redemption, _created = services.redeem(worker=worker, reward=reward, station=station_a)
    assert services.redemptions_remind() == 0  # a week left: nothing yet
    soon = timezone.now() + dt.timedelta(hours=20)
    type(redemption).objects.filter(pk=redemption.pk).update(expires_at=soon)
    assert services.redemptions_remind() == 1
    services.redemptions_remind()  # the next hour's run
    reminders = Message.objects.filter(event_key__endswith=":expiring")
    assert reminders.count() == 1 and reward.name in reminders.get().title
    services.redemption_cancel(redemption=redemption, worker=worker)
    Message.objects.filter(event_key__endswith=":expiring").delete()
    assert services.redemptions_remind() == 0  # a cancelled one is not reminded
