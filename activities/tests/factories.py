import datetime as dt

import factory
from django.utils import timezone

from activities import services as activity_services
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


# The phone of the worker the page, admin and API tests share (conftest.py).
PHONE = "13700001111"


def report(worker, hours="2"):
    service, _ = activity_services.service_report(
        worker=worker,
        kind="exam_escort",
        served_on=timezone.localdate(),
        hours=hours,
        description="高考爱心送考",
    )
    return service
