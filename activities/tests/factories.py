import datetime as dt

import factory
from django.utils import timezone

from activities.models import Activity, ActivityKind


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    kind = ActivityKind.TRAINING
    title = factory.Sequence(lambda n: f"消防安全培训{n}")
    address = "北大街社区党群服务中心"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    status = Activity.Status.PUBLISHED


def now_on(community, **kw):
    """An activity under way in `community`: it started five minutes ago, ends in an hour."""
    now = timezone.now()
    return ActivityFactory(
        area=community,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        **kw,
    )
