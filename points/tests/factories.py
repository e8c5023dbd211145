import datetime as dt

import factory
from django.utils import timezone

from points import services as points_services
from points.models import PointsRule, Reward


class PointsRuleFactory(factory.django.DjangoModelFactory):
    """An attendance rule for training by default; other events name no activity type."""

    class Meta:
        model = PointsRule

    event = PointsRule.Event.ATTENDANCE
    activity_kind = factory.LazyAttribute(
        lambda o: "training" if o.event == PointsRule.Event.ATTENDANCE else ""
    )
    points = 5


class RewardFactory(factory.django.DjangoModelFactory):
    """A reward offered from yesterday for a month; pass pickup_stations=[...] to say where
    it is picked up."""

    class Meta:
        model = Reward
        skip_postgeneration_save = True

    name = "保温杯"
    points_price = 10
    stock = 3
    sponsor = "邮政工会"
    sponsor_kind = Reward.SponsorKind.TRADE_UNION
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))

    @factory.post_generation
    def pickup_stations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.pickup_stations.add(*extracted)


# The phone of the worker the page, admin and API tests share (conftest.py).
PHONE = "13700001111"


def give(worker, points=10, event=1, reason="参加消防安全培训"):
    return points_services.points_award(
        worker=worker, points=points, source="attendance", source_id=event, reason=reason
    )
