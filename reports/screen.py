"""The 大屏 (issue 13 §2): one area's figures for a command-centre screen — today live, this
month, this year — as plain JSON the screen's script draws and fetches again every minute.
Read through reports.selectors in a fixed handful of queries, like the dashboard page.

Never party figures: a screen in a command centre is seen by whoever is in the room, and a
display token carries no party-affairs flag (dashboard.screen_facts)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from areas.models import Area

from . import selectors
from .dashboard import (
    FUNNEL,
    STATUS_COLOURS,
    SpanList,
    boundary_geojson,
    breakdown_of,
    children_word,
    coverage_summary,
    freshness_text,
    level_label,
    map_centre,
    number_text,
    scoped_stations,
    screen_facts,
    short_label,
    station_facts,
    station_visits,
    value_of,
)
from .periods import Period, PeriodKind
from .selectors import Span

SCREEN_TREND_DAYS = 30
SCREEN_TOP = 8


def build_screen(area: Area) -> dict:
    facts, ratios = screen_facts()
    by_key = {f.key: f for f in facts}
    today = timezone.localdate()
    spans = SpanList()
    day = spans.add(Span.of(Period.containing(PeriodKind.DAY, today)))
    month = spans.add(Span.of(Period.containing(PeriodKind.MONTH, today)))
    year = spans.add(Span.of(Period.containing(PeriodKind.YEAR, today)))
    days = [
        Period.containing(PeriodKind.DAY, today - dt.timedelta(days=back))
        for back in range(SCREEN_TREND_DAYS - 1, -1, -1)
    ]
    day_index = [spans.add(Span.of(p)) for p in days]
    found = selectors.values(facts, [area], spans.spans, breakdown=True)

    def total(key: str, index: int) -> float:
        return value_of(found, key, area, index)

    children = selectors.children_of(area)
    ranked_facts = [by_key[k] for k in ("stations.visits",) if k in by_key]
    child_found = selectors.values(ranked_facts, children, [spans.spans[month]]) if children else {}
    # Every station (a screen is the area's, whoever opened it), as plain values.
    every_station = scoped_stations(None, area)
    stations = station_facts(every_station, with_point=True)
    visits = station_visits(every_station, area, spans.spans[day], ranked_facts) if stations else {}
    coverage = coverage_summary(area)
    computed = [
        at
        for (key, _n, index, bd), (_v, at) in found.items()
        if index == day and not bd and at is not None
    ]

    def ratio_value(key: str, index: int):
        ratio = next((r for r in ratios if r.key == key), None)
        if ratio is None:
            return None
        return ratio.of(total(ratio.numerator, index), total(ratio.denominator, index))

    stations_open = sum(1 for s in stations if s["is_open_now"])
    ebike = coverage["ebike"]["communities"].workers_percent if coverage else None
    walking = coverage["walking"]["communities"].workers_percent if coverage else None
    kpis = [
        {"label": _("Visits today"), "value": number_text(total("stations.visits", day))},
        {
            "label": _("Workers who checked in today"),
            "value": number_text(total("stations.workers_checked_in", day)),
        },
        {
            "label": _("Stations open now"),
            "value": f"{stations_open} / {len(stations)}",
        },
        {
            "label": _("Registrations this month"),
            "value": number_text(total("members.registrations", month)),
        },
        {
            "label": _("Waiting for review"),
            "value": number_text(total("members.waiting_for_review", day)),
        },
        {
            "label": _("Activities this month"),
            "value": number_text(total("activities.held", month)),
        },
        {
            "label": _("Volunteer hours this year"),
            "value": number_text(total("activities.volunteer_hours", year), decimals=1),
        },
        {
            "label": _("Stations meeting 六有"),
            "value": number_text(
                ratio_value("stations.meeting_the_standard_share", day), percent=True
            ),
        },
    ]
    hours = breakdown_of(found, "stations.visits_by_hour", area, day)
    busiest = sorted((s for s in stations if visits.get(s["pk"])), key=lambda s: -visits[s["pk"]])[
        :SCREEN_TOP
    ]
    child_rows = sorted(
        (
            {"name": c.name, "value": value_of(child_found, "stations.visits", c, 0)}
            for c in children
        ),
        key=lambda r: -r["value"],
    )[:SCREEN_TOP]
    return {
        "area": area.name,
        "level": level_label(area.level),
        "today": date_format(today, "Y-m-d"),
        "computed_at": freshness_text(max(computed) if computed else None),
        "pending": selectors.pending_changes(area),
        "kpis": kpis,
        "hours": {
            "categories": [_("%(hour)d:00") % {"hour": h} for h in range(24)],
            "data": [hours.get(str(h), 0.0) for h in range(24)],
            "now": timezone.localtime().hour,
        },
        "trend": {
            "categories": [short_label(p) for p in days],
            "data": [total("stations.visits", i) for i in day_index],
        },
        "funnel": {
            "title": _("From invitation to approval, this year"),
            "categories": [str(by_key[k].label) for k in FUNNEL if k in by_key],
            "data": [total(k, year) for k in FUNNEL if k in by_key],
        },
        "coverage": (
            {
                "walking": walking,
                "ebike": ebike,
                "gaps": coverage["gaps_total"],
                "suggestions": len(coverage["suggestions"]),
                "computed_at": freshness_text(coverage["computed_at"]),
            }
            if coverage
            else None
        ),
        "busiest": [{"name": s["name"], "value": visits[s["pk"]]} for s in busiest],
        "children": child_rows,
        "children_title": _("Visits this month by %(level)s")
        % {"level": children_word(area, children)},
        "map": {
            "tiles": settings.MAP_TILES,
            "centre": map_centre(area, [(s["map_lat"], s["map_lng"]) for s in stations]),
            "outline": boundary_geojson(area.boundary),
            "children": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": boundary_geojson(c.boundary),
                        "properties": {"name": c.name},
                    }
                    for c in children
                    if isinstance(c, Area) and c.boundary is not None
                ],
            },
            "stations": [
                {
                    "name": s["name"],
                    "lat": s["map_lat"],
                    "lng": s["map_lng"],
                    "colour": STATUS_COLOURS.get(s["status"], "#8c8c8c"),
                    "open_now": bool(s["is_open_now"]),
                    "compliant": s["compliant"],
                    "visits": visits.get(s["pk"], 0.0),
                }
                for s in stations
            ],
            "suggestions": [
                {
                    "rank": s.rank,
                    "name": s.name,
                    "lat": s.lat,
                    "lng": s.lon,
                    "workers": s.workers_added,
                }
                for s in (coverage["suggestions"] if coverage else [])
            ],
        },
    }
