"""The evening before an activity, each worker with a confirmed place is told (members.inbox),
once; a place on the waiting list, a cancelled place or a cancelled activity is not."""

import datetime as dt

import pytest
from django.utils import timezone

from activities import services
from activities.models import Activity, SignUp
from members.models import Message
from members.tests.factories import WorkerFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _tomorrow_at(hour: int) -> dt.datetime:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(hour)))


def test_the_evening_before_each_confirmed_place_is_told_once(tree, worker):
    activity = ActivityFactory(
        area=tree.a["community"], title="急救培训", starts_at=_tomorrow_at(9), capacity=1
    )
    services.signup_join(worker=worker, activity=activity)
    waiting = services.signup_join(
        worker=WorkerFactory(area=tree.a["community"], phone="13700009999"), activity=activity
    )
    assert waiting.status == SignUp.Status.WAITLISTED
    later = ActivityFactory(
        area=tree.a["community"], starts_at=_tomorrow_at(9) + dt.timedelta(days=1)
    )
    services.signup_join(worker=worker, activity=later)

    assert services.signups_remind_tomorrow() == 1
    assert services.signups_remind_tomorrow() == 1  # run again: still one message
    message = Message.objects.get()
    assert (message.worker, message.title) == (worker, "明天：急救培训")
    assert message.link == f"/m/activities/{activity.pk}/" and "09:00" in message.body


def test_a_cancelled_activity_reminds_nobody(tree, worker):
    activity = ActivityFactory(area=tree.a["community"], starts_at=_tomorrow_at(14))
    services.signup_join(worker=worker, activity=activity)
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.CANCELLED)
    assert services.signups_remind_tomorrow() == 0
    assert not Message.objects.exists()
