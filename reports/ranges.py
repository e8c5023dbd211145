"""Distinct counts over custom ranges (issue 13 §2 and its benchmark (d)): "workers who
checked in from 2 to 30 November" cannot be added up from day buckets — a worker who came
on two days is one person — and counting it from the raw rows takes seconds for a city.
So no page counts it while someone waits:

- a read (`read`, called by reports.selectors.values for every page and endpoint) takes
  the figures a job has counted and kept (models.RangeFigure); one that is missing is
  returned as pending (None) and asked for, one that is stale (a day of its range was
  recomputed after it) is returned as it is and asked for again;
- the job (`tasks.count_range_figures`, here `count`) counts what was asked from the raw
  rows, each figure with the moment it started counting, and keeps it;
- a request for the same figures is sent once until the job has counted them (or
  REQUEST_SECONDS have passed, if it never does), so a page reloaded while the job counts
  does not queue it again;
- kept figures nobody has asked to recount for KEEP_DAYS are forgotten (`forget_old`,
  nightly): a range is cheap to count again the next time someone asks for it.

Calendar periods (this week, this month…) never come here: the rollups keep them.
"""

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from areas.models import Area
from core.facts import Fact
from stations.models import Station

from .facts import all_facts, part_of
from .models import BucketRow, RangeFigure, district_code_of
from .periods import PeriodKind

logger = logging.getLogger(__name__)

REQUEST_SECONDS = 120
KEEP_DAYS = 30
# Requests queued and not yet counted, at most (a city's take seconds of the database each):
# beyond it a figure stays pending and its page asks again as it refreshes, so a burst of
# ranges — a fuzzer, a script over the stats API — cannot bury the worker.
QUEUE_LIMIT = 20
QUEUED_KEY = "reports:range-figures:queued"


@dataclass(frozen=True)
class Read:
    fact: str
    node: object  # an Area or a Station
    index: int  # the span's index in the caller's list
    value: float | None  # None: not counted yet (asked for)
    computed_at: dt.datetime | None


def read(facts: list[Fact], nodes: list, ranges: list) -> list[Read]:
    """Each distinct `fact` for each node and each (index, span) of `ranges`: as kept, or
    pending. Asks the job for what is missing or stale. Two queries at most (the figures,
    with whether a day of their range changed since; the request's dedup key)."""
    if not facts or not nodes or not ranges:
        return []
    area_ids = [n.pk for n in nodes if isinstance(n, Area)]
    station_ids = [n.pk for n in nodes if isinstance(n, Station)]
    spans = Q(pk__in=[])
    for _index, span in ranges:
        spans |= Q(since=span.since, until=span.until)
    # A day of the range recomputed by the beat after the figure was counted: stale.
    newer_day = BucketRow.objects.filter(
        part=OuterRef("part"),
        period_kind=PeriodKind.DAY,
        period_start__gte=OuterRef("since"),
        period_start__lt=OuterRef("until"),
        computed_at__gt=OuterRef("computed_at"),
    )
    kept = {
        (row["fact"], row["area_id"], row["station_id"], row["since"], row["until"]): row
        for row in RangeFigure.objects.filter(
            spans,
            Q(area_id__in=area_ids) | Q(station_id__in=station_ids),
            fact__in=[f.key for f in facts],
        )
        .annotate(
            area_changed=Exists(newer_day.filter(area=OuterRef("area"))),
            station_changed=Exists(newer_day.filter(station=OuterRef("station"))),
        )
        .values(
            "fact",
            "area_id",
            "station_id",
            "since",
            "until",
            "value",
            "computed_at",
            "area_changed",
            "station_changed",
        )
    }
    reads, wanted = [], False
    for fact in facts:
        for node in nodes:
            area_id, station_id = (None, node.pk) if isinstance(node, Station) else (node.pk, None)
            for index, span in ranges:
                row = kept.get((fact.key, area_id, station_id, span.since, span.until))
                if row is None:
                    reads.append(Read(fact.key, node, index, None, None))
                    wanted = True
                    continue
                reads.append(Read(fact.key, node, index, float(row["value"]), row["computed_at"]))
                wanted = wanted or row["area_changed"] or row["station_changed"]
    if wanted:
        ask_for(
            [f.key for f in facts],
            area_ids,
            station_ids,
            [(span.since, span.until) for _index, span in ranges],
        )
    return reads


def ask_for(fact_keys, area_ids, station_ids, spans) -> bool:
    """Queue the job for these figures, unless the same request is still waiting for it
    (at most REQUEST_SECONDS) or QUEUE_LIMIT requests are. With Redis down the figures
    stay pending and the next read asks again: nothing is lost. Returns whether it was
    queued."""
    from . import tasks  # tasks → services → … → selectors → here

    key = _request_key(fact_keys, area_ids, station_ids, spans)
    try:
        if not cache.add(key, 1, REQUEST_SECONDS):
            return False
        cache.add(QUEUED_KEY, 0, REQUEST_SECONDS)
        if cache.incr(QUEUED_KEY) > QUEUE_LIMIT:
            cache.decr(QUEUED_KEY)
            cache.delete(key)  # not queued: the next read asks again
            return False
        tasks.count_range_figures.delay(
            fact_keys=list(fact_keys),
            area_ids=list(area_ids),
            station_ids=list(station_ids),
            spans=[[_day(since).isoformat(), _day(until).isoformat()] for since, until in spans],
        )
    except Exception:  # the cache or the broker is down: pending until the next read
        logger.warning("range figures could not be queued", exc_info=True)
        return False
    return True


def count(fact_keys, area_ids, station_ids, spans) -> int:
    """Count each distinct fact over each span for each node from the raw rows and keep
    it (replacing what was kept). Unknown facts, additive ones and nodes that no longer
    exist are skipped. Returns the figures kept."""
    from .selectors import Span, _station_value  # a station's figure: one rule, there

    distinct = {f.key: f for f in all_facts() if not f.additive and not f.is_state}
    facts = [distinct[key] for key in fact_keys if key in distinct]
    nodes = [
        *Area.objects.filter(pk__in=area_ids),
        *Station.objects.select_related("area").filter(pk__in=station_ids),
    ]
    kept = 0
    for since, until in spans:
        since, until = _day(since), _day(until)
        span = Span(since, until)
        for fact in facts:
            for node in nodes:
                started = timezone.now()
                if isinstance(node, Station):
                    value = _station_value(fact, node, span)
                    area, station, unit = None, node, district_code_of(node.area)
                else:
                    value = fact.value(area=node, since=since, until=until)
                    area, station, unit = node, None, district_code_of(node)
                RangeFigure.objects.update_or_create(
                    fact=fact.key,
                    area=area,
                    station=station,
                    since=since,
                    until=until,
                    defaults={
                        "part": part_of(fact),
                        "district_code": unit,
                        "value": value or 0,
                        "computed_at": started,
                    },
                )
                kept += 1
    # Counted: the same figures may be asked for again (when a day of theirs changes), and
    # the request no longer waits.
    try:
        cache.delete(_request_key(fact_keys, area_ids, station_ids, spans))
        if cache.get(QUEUED_KEY):
            cache.decr(QUEUED_KEY)
    except Exception:  # the cache is down: the request and the count expire by themselves
        logger.warning("range figures' request could not be cleared", exc_info=True)
    return kept


def _request_key(fact_keys, area_ids, station_ids, spans) -> str:
    """One key per set of figures asked for, however the lists were ordered."""
    request = {
        "fact_keys": sorted(fact_keys),
        "area_ids": sorted(area_ids),
        "station_ids": sorted(station_ids),
        "spans": sorted(
            [_day(since).isoformat(), _day(until).isoformat()] for since, until in spans
        ),
    }
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    return f"reports:range-figures:{digest}"


def forget_old() -> int:
    """Forget figures counted more than KEEP_DAYS ago (asked again, they are recounted)."""
    deleted, _by_model = RangeFigure.objects.filter(
        computed_at__lt=timezone.now() - dt.timedelta(days=KEEP_DAYS)
    ).delete()
    return deleted


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
