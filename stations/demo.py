"""Demo check-ins (签到) for the demo network: a week of visits by the demo workers at
stations of their district, and the keepers' counts of visitors without names. Loaded by
`load_demo` after the workers; idempotent (nothing is added when check-ins exist)."""

import datetime as dt
import random

from django.utils import timezone

from .models import CheckIn, Station
from .selectors import stations_kept

DEMO_DAYS = 7


def load_demo_check_ins() -> int:
    from members.models import Worker

    if CheckIn.objects.exists():
        return 0
    rng = random.Random("check-ins")
    services = CheckIn.Service.values
    today = timezone.localdate()
    rows = []
    workers = Worker.objects.exclude(status=Worker.Status.MERGED).select_related("area")
    for worker in workers.order_by("pk"):
        district_prefix = worker.area.code[:6]
        stations = list(
            Station.objects.filter(area__code__startswith=district_prefix)
            .exclude(status=Station.Status.CLOSED)
            .order_by("pk")[:3]
        )
        if not stations:
            continue
        for days_ago in range(1, DEMO_DAYS):
            if rng.random() < 0.4:
                continue  # not every day
            day = today - dt.timedelta(days=days_ago)
            at = timezone.make_aware(
                dt.datetime.combine(day, dt.time(11 + rng.randint(0, 3), rng.randint(0, 59)))
            )
            rows.append(
                CheckIn(
                    station=rng.choice(stations),
                    worker=worker,
                    at=at,
                    services=sorted(rng.sample(services, 2), key=services.index),
                    distance_m=rng.choice([0, 0, 100, 200]),
                    source=CheckIn.Source.PHONE,
                )
            )
    for station in stations_kept().order_by("pk"):
        rows.append(
            CheckIn(
                station=station,
                visitors=rng.randint(3, 12),
                at=timezone.now() - dt.timedelta(hours=2),
                services=[CheckIn.Service.WATER, CheckIn.Service.REST],
                source=CheckIn.Source.KEEPER,
            )
        )
    CheckIn.objects.bulk_create(rows)
    return len(rows)
