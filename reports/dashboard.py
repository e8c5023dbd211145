"""Page assembly for the dashboards and the 大屏 (issue 13 §2): which figures a page shows,
in which section, as which chart, read in a fixed handful of queries.

Every figure comes through reports.selectors (`values` for the buckets, `facts_for` and
`ratios_for` for who may read what, `children_of` for the drill-down, `pending_changes`
for the freshness line); this module only arranges them. It reads the buckets in three
calls whatever the page shows:

- the area itself, for the chosen span, the previous one, the same one last year and each
  period of the trend, with every breakdown (the KPI cards, the breakdown charts, the
  trends — one read instead of one per chart);
- its children (child areas, or a community's stations), for the span, with breakdowns
  (the ranked table, the choropleth, the hour-by-area heat map);
- the area's stations, for the span, visits only (the map and the busiest stations).

Some facts are the same total broken down another way (stations by status and by brand,
registrations by occupation, status and source, visits and visits by hour): those are
shown once as a figure and otherwise as charts of their breakdowns, never as duplicate
totals (DUPLICATE_TOTALS).
"""

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Func
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from areas import access
from areas.access import Purpose
from areas.models import Area
from core.facts import NO_BREAKDOWN_VALUE, Fact, Ratio
from stations.models import Station
from stations.selectors import brand_names, open_now_by_station

from . import selectors
from .coverage import Coverage, Figures, Mode
from .facts import all_facts, all_ratios
from .forms import KIND_CHOICES, span_params
from .models import CoverageSnapshot
from .periods import Period, PeriodKind, periods_between
from .selectors import Figure, Span

# How many periods of the chosen kind a trend chart shows, ending with the chosen one.
TREND_LENGTH = {
    PeriodKind.DAY: 30,
    PeriodKind.WEEK: 12,
    PeriodKind.MONTH: 12,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 5,
}
# A custom range's trend is by day up to this many days, else by month.
RANGE_TREND_DAYS = 62
BUSIEST_STATIONS = 10
STATIONS_IN_TABLE = 100
# The facts whose breakdowns a trend chart shows (registrations over time by occupation).
TREND_BREAKDOWNS = ("members.registrations",)
SUGGESTIONS_SHOWN = 10
GAPS_SHOWN = 30

# Facts whose total is another fact's total, broken down differently: charts only.
DUPLICATE_TOTALS = {
    "stations.stations_by_brand": "stations.stations",
    "stations.visits_by_hour": "stations.visits",
    "stations.services_used": "stations.visits",
    "members.registrations_by_status": "members.registrations",
    "members.registrations_by_source": "members.registrations",
    "wishes.published_by_category": "wishes.published",
    "feedback.received_by_category": "feedback.received",
    "feedback.received_by_source": "feedback.received",
}

# The sections of the page and the figures each shows as cards, in order. A fact of an
# app added later (wishes, feedback…) that no section names lands in "other figures".
SECTIONS = [
    (
        "network",
        [
            "stations.stations",
            "stations.stations_meeting_the_standard",
            "stations.meeting_the_standard_share",
            "stations.visits",
            "stations.named_visits",
            "stations.anonymous_visits",
            "stations.workers_checked_in",
            "stations.check_ins",
            "stations.far_away_check_ins",
            "stations.far_away_share",
        ],
    ),
    (
        "workers",
        [
            "members.registrations",
            "members.approvals",
            "members.hours_to_approval",
            "members.hours_per_approval",
            "members.waiting_for_review",
            "members.days_waiting",
            "members.average_days_waiting",
            "members.invitations_sent",
            "members.invitations_opened",
            "members.registrations_by_invitation",
            "members.approvals_by_invitation",
            "members.contact_pairs",
            "members.contact_pairs_contacted_this_month",
            "members.contacted_this_month_share",
        ],
    ),
    (
        "party",
        [
            "party.members",
            "party.members_covered",
            "party.coverage",
            "party.collaborations",
            "party.collaboration_feedback",
            "party.revealed",
            "party.reported",
            "party.lost_contact",
        ],
    ),
    (
        "activities",
        [
            "activities.held",
            "activities.sign_ups",
            "activities.attendances",
            "activities.no_shows",
            "activities.volunteer_services",
            "activities.volunteer_hours",
            "activities.role_holders",
        ],
    ),
    (
        "points",
        [
            "points.awarded",
            "points.redeemed",
            "points.reversed",
            "points.given_back",
            "points.outstanding",
            "points.rewards_handed_over",
            "points.redemptions_expired",
        ],
    ),
    (
        "wishes",
        [
            "wishes.collected",
            "wishes.published",
            "wishes.on_the_wall",
            "wishes.claims_made",
            "wishes.claims_open",
            "wishes.claims_released",
            "wishes.fulfilled",
            "wishes.value_fulfilled",
            "wishes.days_per_fulfilment",
            "wishes.waiting_for_review",
        ],
    ),
    (
        "feedback",
        [
            "feedback.received",
            "feedback.accepted",
            "feedback.closed",
            "feedback.on_time_rate",
            "feedback.hours_to_first_response",
            "feedback.hours_to_resolution",
            "feedback.reopen_rate",
            "feedback.satisfaction",
            "feedback.open",
            "feedback.open_overdue",
            "feedback.probe_reports",
            "feedback.reports_per_probe",
        ],
    ),
    (
        "estates",
        [
            "estates.estates",
            "estates.passes_authorised",
            "estates.passes_working",
            "estates.entries",
            "estates.let_in",
            "estates.seconds_at_gate",
        ],
    ),
]
# The charts of each section, in order (those with data to show are drawn).
SECTION_CHARTS = {
    "network": [
        "visits_trend",
        "busiest_stations",
        "visits_by_hour",
        "hours_by_child",
        "services_used",
        "stations_by_status",
        "stations_by_brand",
    ],
    "workers": [
        "funnel",
        "registrations_by_occupation",
        "backlog_trend",
        "registrations_by_status",
        "registrations_by_source",
    ],
    "party": ["party_coverage_by_child", "party_members_by_registration"],
    "activities": [
        "activities_trend",
        "activities_by_kind",
        "volunteer_hours_by_kind",
        "role_holders_by_role",
    ],
    "points": ["points_trend", "points_by_source"],
    "wishes": ["wishes_trend", "wishes_by_category", "wishes_by_source", "claims_by_donor_kind"],
    "feedback": [
        "feedback_trend",
        "feedback_by_category",
        "feedback_by_kind",
        "feedback_by_source",
        "feedback_routing",
        "feedback_open_by_status",
    ],
    "estates": ["estates_trend", "estates_by_outcome"],
}
# The overview's headline figures (those the user may read).
HEADLINES = [
    "stations.visits",
    "stations.workers_checked_in",
    "members.registrations",
    "members.waiting_for_review",
    "party.coverage",
    "activities.held",
    "activities.volunteer_hours",
    "points.awarded",
]
# Figures kept with one decimal (hours); the rest are whole numbers.
DECIMAL_FIGURES = {
    "feedback.hours_to_first_response",
    "feedback.hours_to_resolution",
    "feedback.reports_per_probe",
    "wishes.value_fulfilled",
    "wishes.days_per_fulfilment",
    "activities.volunteer_hours",
    "members.hours_to_approval",
    "members.hours_per_approval",
    "members.average_days_waiting",
}
# Facts counted as they are now (a state): "at the end of the period", not "during it".
FUNNEL = [
    "members.invitations_sent",
    "members.invitations_opened",
    "members.registrations_by_invitation",
    "members.approvals_by_invitation",
]
STATUS_COLOURS = {
    Station.Status.OPEN: "#1a9850",
    Station.Status.TEMPORARILY_CLOSED: "#f28e2b",
    Station.Status.CLOSED: "#8c8c8c",
}


def section_titles() -> dict[str, str]:
    return {
        "network": _("Station network"),
        "workers": _("Workers and 双报到"),
        "party": _("Party work"),
        "activities": _("Activities and volunteering"),
        "points": _("Points and rewards"),
        "wishes": _("Micro-wishes (微心愿)"),
        "feedback": _("Suggestions and reports (双征集, 随手拍)"),
        "estates": _("Estate quick pass (小区快速通行)"),
        "other": _("Other figures"),
    }


# ---------------------------------------------------------------------------------------
# Spans: one list per read, each span once (values() keys its answer by the span's index,
# and a span named twice would answer under one index only).


class SpanList:
    def __init__(self):
        self.spans: list[Span] = []
        self._index: dict[Span, int] = {}

    def add(self, span: Span) -> int:
        if span not in self._index:
            self._index[span] = len(self.spans)
            self.spans.append(span)
        return self._index[span]


def trend_periods(span: Span) -> list[Period]:
    """The periods a trend chart shows: the chosen one and those before it, or for a
    custom range its days (or months, for a long range)."""
    if span.period is not None:
        periods = [span.period]
        for _step in range(TREND_LENGTH[span.period.kind] - 1):
            periods.insert(0, periods[0].previous())
        return periods
    kind = (
        PeriodKind.DAY if (span.until - span.since).days <= RANGE_TREND_DAYS else PeriodKind.MONTH
    )
    return periods_between(kind, span.since, span.until)


def short_label(period: Period) -> str:
    """A chart axis's name for a period (the year left out where it is obvious)."""
    start = period.start
    if period.kind == PeriodKind.DAY:
        return f"{start.month}/{start.day}"
    if period.kind == PeriodKind.WEEK:
        return _("W%(week)d") % {"week": start.isocalendar().week}
    if period.kind == PeriodKind.MONTH:
        return _("%(year)d/%(month)d") % {"year": start.year % 100, "month": start.month}
    return period.label


# ---------------------------------------------------------------------------------------
# Numbers as the page writes them


def number_text(value: float | None, *, percent: bool = False, decimals: int = 0) -> str:
    if value is None:
        return "—"
    if percent:
        return f"{value:.1f}%"
    if decimals:
        return f"{value:,.{decimals}f}"
    return f"{round(value):,}"


def change_text(change: float | None) -> str:
    if change is None:
        return "—"
    sign = "▲" if change > 0 else ("▼" if change < 0 else "±")
    return f"{sign}{abs(change):.1f}%"


def change_class(change: float | None) -> str:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


@dataclass
class Card:
    """One figure as a card: the value, and how it compares."""

    key: str
    label: str
    value: str
    previous: str
    previous_change: str
    previous_class: str
    last_year: str
    last_year_change: str
    last_year_class: str
    is_state: bool


def card_of(figure: Figure, *, is_state: bool, partial: bool = False) -> Card:
    """`partial`: the period is not over, so a count so far is not set against whole
    periods as a percentage (the 1st of the month would read −97 %); the whole periods'
    figures are shown as they are. A state (counted at the end) compares as it stands."""
    decimals = 1 if figure.key in DECIMAL_FIGURES else 0
    fmt = {"percent": figure.percent, "decimals": decimals}

    def text(value) -> str:
        # None of a plain figure: a distinct count over a custom range still being counted.
        if value is None and not figure.is_ratio:
            return _("Counting…")
        return number_text(value, **fmt)

    compare = is_state or not partial
    previous_change = figure.change if compare else None
    last_year_change = figure.change_on_last_year if compare else None
    return Card(
        key=figure.key,
        label=figure.label,
        value=text(figure.value),
        previous=text(figure.previous),
        previous_change=change_text(previous_change) if compare else "",
        previous_class=change_class(previous_change),
        last_year=text(figure.last_year),
        last_year_change=change_text(last_year_change) if compare else "",
        last_year_class=change_class(last_year_change),
        is_state=is_state,
    )


# ---------------------------------------------------------------------------------------
# Breakdown values by name

# Small catalogues a fact breaks down by (a row per kind of thing, named by its str()).
CATALOGUE_BREAKDOWNS = {"wishes.WishCategory", "feedback.FeedbackCategory"}


def breakdown_names(fact: Fact, brands: dict[str, str]) -> dict[str, str]:
    """What each stored breakdown value of `fact` is called on the page."""
    names = {NO_BREAKDOWN_VALUE: _("None recorded")}
    if not isinstance(fact.breakdown, str):  # the local hour of day
        names.update({str(hour): _("%(hour)d:00") % {"hour": hour} for hour in range(24)})
        return names
    model_field = fact.model_class._meta.get_field(fact.breakdown)
    if fact.breakdown_each:
        model_field = model_field.base_field
    if isinstance(model_field, models.ForeignKey) and model_field.related_model is not None:
        if model_field.related_model._meta.label == "stations.Brand":
            names.update(brands)
        elif model_field.related_model._meta.label in CATALOGUE_BREAKDOWNS:
            catalogue = model_field.related_model.objects.all()
            names.update({str(row.pk): str(row) for row in catalogue})
        return names
    if isinstance(model_field, models.BooleanField):
        names.update({"true": _("Yes"), "false": _("No")})
    names.update({str(value): str(label) for value, label in model_field.choices or []})
    return names


def named(fact: Fact, value: str, names: dict[str, str]) -> str:
    return names.get(value) or (
        _("Brand %(id)s") % {"id": value} if fact.key.endswith("_by_brand") else value
    )


# ---------------------------------------------------------------------------------------
# Charts: a small spec the page's script turns into an ECharts option and the template
# into the table under it (the same numbers, for people and screen readers).


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar, hbar, stacked, line, pie, funnel, heatmap
    categories: list[str]
    series: list[dict]  # {"name": str, "data": [number, ...]}
    links: list[str] = field(default_factory=list)  # a drill-down per category
    rows: list[str] = field(default_factory=list)  # heat map: one row per name
    unit: str = ""
    note: str = ""

    @property
    def wide(self) -> bool:
        """A long category axis is tabled across (categories as columns)."""
        return len(self.categories) > 12 or self.kind == "heatmap"

    @property
    def empty(self) -> bool:
        return not any(v for s in self.series for v in s["data"] if v)

    def spec(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "categories": self.categories,
            "series": self.series,
            "links": self.links,
            "rows": self.rows,
            "unit": self.unit,
        }

    def table(self) -> dict:
        """Header and rows for the table under the chart: each row a name (with its
        drill-down link, where there is one) and its numbers."""
        unit = self.unit
        if self.kind == "heatmap":
            header = self.categories
            body = [
                (name, [_cell(v, unit) for v in values])
                for name, values in zip(self.rows, self.series[0]["data"], strict=False)
            ]
            links = self.links
        elif self.wide:
            header = self.categories
            body = [(s["name"], [_cell(v, unit) for v in s["data"]]) for s in self.series]
            links = []
        else:
            header = [s["name"] for s in self.series]
            body = [
                (category, [_cell(s["data"][i], unit) for s in self.series])
                for i, category in enumerate(self.categories)
            ]
            links = self.links
        return {
            "header": header,
            "rows": [
                {"name": name, "cells": cells, "link": links[i] if i < len(links) else ""}
                for i, (name, cells) in enumerate(body)
            ],
        }


def _cell(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}{unit}"
    return f"{round(value):,}{unit}"


# ---------------------------------------------------------------------------------------
# The page


@dataclass
class Crumb:
    name: str
    url: str


def dashboard_url(area: Area, params: dict | None = None) -> str:
    return area_url(area.code, params)


def area_url(code: str, params: dict | None = None) -> str:
    url = reverse("dashboard-area", args=[code])
    return f"{url}?{urlencode(params)}" if params else url


def breadcrumb(user, area: Area, params: dict) -> list[Crumb]:
    """The areas above this one that the user reaches, top first, then the area itself.
    One query: ancestors' codes follow from the division code."""
    codes = [
        area.code[:length].ljust(12, "0")
        for length in Area.PREFIX_LENGTH.values()
        if length < len(area.prefix)
    ]
    above = Area.objects.filter(code__in=codes).only("code", "name", "level").order_by("code")
    crumbs = [
        Crumb(a.name, dashboard_url(a, params))
        for a in above
        if access.can_in(user, a, Purpose.READ)
    ]
    crumbs.append(Crumb(area.name, ""))
    return crumbs


def level_label(level: str) -> str:
    return str(Area.Level(level).label)


def readable_facts(user, area: Area) -> tuple[list[Fact], list[Ratio]]:
    return selectors.facts_for(user, area), selectors.ratios_for(user, area)


def screen_facts() -> tuple[list[Fact], list[Ratio]]:
    """The 大屏's figures: never party figures (a screen in a command centre is seen by
    whoever is in the room, token or not)."""
    facts = [f for f in all_facts() if f.purpose == Purpose.READ]
    keys = {f.key for f in facts}
    ratios = [r for r in all_ratios() if r.numerator in keys and r.denominator in keys]
    return facts, ratios


def figures_from(found, facts, ratios, node, current: int, previous: int, last_year: int):
    """{key: Figure} for the node from one values() read — the same figures (and ratios)
    selectors.figures() gives, without reading the buckets again."""
    key = selectors.node_key(node)
    result = {}
    for fact in facts:
        value, at = found.get((fact.key, key, current, ""), (0.0, None))
        result[fact.key] = Figure(
            key=fact.key,
            label=str(fact.label),
            value=value,
            previous=found.get((fact.key, key, previous, ""), (0.0, None))[0],
            last_year=found.get((fact.key, key, last_year, ""), (0.0, None))[0],
            computed_at=at,
        )
    for ratio in ratios:
        top, bottom = result.get(ratio.numerator), result.get(ratio.denominator)
        if top is None or bottom is None:
            continue
        result[ratio.key] = Figure(
            key=ratio.key,
            label=str(ratio.label),
            value=ratio.of(top.value, bottom.value),
            previous=ratio.of(top.previous, bottom.previous),
            last_year=ratio.of(top.last_year, bottom.last_year),
            computed_at=min(filter(None, [top.computed_at, bottom.computed_at]), default=None),
            percent=ratio.percent,
            is_ratio=True,
        )
    return result


def breakdown_of(found, fact_key: str, node, index: int) -> dict[str, float]:
    key = selectors.node_key(node)
    return {
        bd: value
        for (f, n, i, bd), (value, _at) in found.items()
        if f == fact_key and n == key and i == index and bd
    }


def value_of(found, fact_key: str, node, index: int, breakdown: str = "") -> float:
    return found.get((fact_key, selectors.node_key(node), index, breakdown), (0.0, None))[0]


@dataclass
class Column:
    key: str
    label: str
    percent: bool = False
    decimals: int = 0


@dataclass
class ChildRow:
    name: str
    url: str
    values: dict[str, float | None]
    cells: list[str] = field(default_factory=list)
    rank: int = 0


@dataclass
class Page:
    area: Area
    span: Span
    params: dict
    crumbs: list[Crumb]
    computed_at: dt.datetime | None
    pending: int
    is_current: bool  # the span holds today: figures so far
    headlines: list[Card]
    sections: list[dict]
    charts: dict[str, Chart]
    columns: list[Column]
    children: list[ChildRow]
    children_title: str
    rank_by: str
    counting: int  # figures over a custom range the job is still counting (reports.ranges)
    stations_total: int
    open_now: int
    station_rows: list[dict]
    coverage: dict | None
    map_data: dict
    party: bool
    prev_params: dict | None
    next_params: dict | None
    kind_links: list[dict]

    def chart_specs(self) -> list[dict]:
        return [c.spec() for c in self.charts.values()]


def child_url(child, params: dict) -> str:
    if isinstance(child, Station):
        return dashboard_url(child.area, params)
    return dashboard_url(child, params)


def with_map_point(stations):
    """The stations with their point as two numbers, map_lat and map_lng: the map needs
    those, not a geometry object per station (a city's 2,000 cost 70 ms of GEOS calls)."""

    def ordinate(name: str) -> Func:
        return Func(
            "location",
            template=f"{name}(%(expressions)s::geometry)",
            output_field=models.FloatField(),
        )

    return stations.annotate(map_lng=ordinate("ST_X"), map_lat=ordinate("ST_Y"))


def scoped_stations(user, area: Area):
    """The area's stations the user reaches (a display token's screen: every one)."""
    stations = Station.objects.filter(area__code__startswith=area.prefix)
    return access.scope(stations, user) if user is not None else stations


# What the pages and the map say about each station, read as plain values: a city's 2,000
# stations as model objects (with their brand and community) cost 160 ms a page.
STATION_FIELDS = (
    "pk",
    "name",
    "status",
    "compliant",
    "area_id",
    "area__name",
    "area__code",
    "brand_id",
    "brand__name",
)


def station_facts(stations, *, with_point: bool = False, open_now=None) -> list[dict]:
    """Each station of `stations` as a dict of STATION_FIELDS and `is_open_now`, decided by
    the stations app's one rule for the whole set at once (open_now_by_station, unless the
    caller has it) — and its point when the map draws it."""
    fields = STATION_FIELDS
    rows = stations
    if with_point:
        rows = with_map_point(rows)
        fields += ("map_lat", "map_lng")
    found = list(rows.order_by("area__code", "name").values(*fields))
    if open_now is None:
        open_now = open_now_by_station(stations) if found else {}
    for station in found:
        station["is_open_now"] = open_now.get(station["pk"], False)
    return found


def station_visits(stations, area: Area, span: Span, facts: list[Fact]) -> dict[int, float]:
    """{station id: visits over the span} of `area`'s `stations`, one query (visits not
    among `facts`, the ones the reader may see: nothing)."""
    visits = next((f for f in facts if f.key == "stations.visits"), None)
    return selectors.station_values(stations, area, visits, span) if visits is not None else {}


def station_layer(stations: list[dict], visits: dict[int, float], params: dict) -> dict:
    """The map's station layer: each station as a few short fields, and each community's
    name and address once (a city: 2,000 stations in a hundred communities)."""
    communities: dict[int, dict] = {}
    for station in stations:
        if station["area_id"] not in communities:
            communities[station["area_id"]] = {
                "name": station["area__name"],
                "url": area_url(station["area__code"], params),
            }
    return {
        "stations": [
            {
                "name": station["name"],
                "area": station["area_id"],
                "lat": station["map_lat"],
                "lng": station["map_lng"],
                "status": station["status"],
                "compliant": station["compliant"],
                "open_now": bool(station["is_open_now"]),
                "visits": visits.get(station["pk"], 0.0),
            }
            for station in stations
        ],
        "areas": communities,
        "statuses": {
            value: {"label": str(label), "colour": STATUS_COLOURS.get(value, "#8c8c8c")}
            for value, label in Station.Status.choices
        },
    }


def coverage_for(area: Area) -> tuple[Coverage | None, dt.datetime | None, bool]:
    """The area's 一刻钟服务圈 as the nightly job last computed it: its own snapshot, or its
    district's (or city's) narrowed to the places inside it. (coverage, computed_at,
    narrowed)."""
    codes = {
        area.code,
        area.code[:6].ljust(12, "0"),
        area.code[:4].ljust(12, "0"),
    }
    snapshots = sorted(
        CoverageSnapshot.objects.filter(area__code__in=codes).select_related("area"),
        key=lambda s: -len(s.area.prefix),
    )
    snapshot = next((s for s in snapshots if area.code.startswith(s.area.prefix)), None)
    if snapshot is None:
        return None, None, False
    coverage = Coverage.from_dict(snapshot.result)
    return coverage, snapshot.computed_at, snapshot.area_id != area.pk


def coverage_summary(area: Area, user_can_see_names: bool = True) -> dict | None:
    coverage, computed_at, narrowed = coverage_for(area)
    if coverage is None:
        return None
    prefix = area.prefix

    def inside(places):
        return [p for p in places if p.area_code.startswith(prefix)] if narrowed else places

    outlets = inside(coverage.outlet_places)
    communities = inside(coverage.community_places)
    figures = {
        mode: {
            "outlets": Figures.of(outlets, mode),
            "communities": Figures.of(communities, mode),
        }
        for mode in (Mode.WALKING, Mode.EBIKE)
    }
    suggestions = []
    if coverage.planning is not None:
        suggestions = [
            s
            for s in coverage.planning.suggestions
            if not narrowed or s.area_code.startswith(prefix)
        ][:SUGGESTIONS_SHOWN]
    gaps = [p for p in outlets + communities if p.placed and not p.covered(Mode.EBIKE)]
    gaps.sort(key=lambda p: -p.workers)
    walking_gaps = [p for p in outlets + communities if p.placed and not p.covered(Mode.WALKING)]
    unplaced = [p for p in outlets + communities if not p.placed]
    return {
        "computed_at": computed_at,
        "narrowed": narrowed,
        "source_area": coverage.area_name,
        "radius_m": coverage.radius_m,
        "reach": coverage.reach,
        "open_stations": coverage.open_stations,
        "open_stations_without_hours": coverage.open_stations_without_hours,
        "walking": figures[Mode.WALKING],
        "ebike": figures[Mode.EBIKE],
        "gaps": gaps[:GAPS_SHOWN],
        "gaps_total": len(gaps),
        "walking_gaps_total": len(walking_gaps),
        "unplaced": len(unplaced),
        "unplaced_workers": sum(p.workers for p in unplaced),
        "suggestions": suggestions,
        "planning": coverage.planning,
        # For the map: every placed place, how it is covered.
        "places": [
            {
                "name": p.name,
                "kind": p.kind,
                "lat": p.lat,
                "lng": p.lon,
                "workers": p.workers,
                "walking": p.walking,
                "ebike": p.ebike,
                "nearest": p.nearest_station_name,
                "nearest_m": p.nearest_station_m,
            }
            for p in outlets + communities
            if p.placed
        ],
    }


def boundary_geojson(geometry, tolerance: float = 0.0002):
    """A boundary for the map, simplified to what a screen can show (~20 m)."""
    import json

    if geometry is None:
        return None
    simple = geometry.simplify(tolerance, preserve_topology=True)
    return json.loads((simple if not simple.empty else geometry).geojson)


@dataclass
class Reads:
    """What the page read from the buckets (three calls to selectors.values), and what it
    needs to find its way around them."""

    user: object
    area: Area
    span: Span
    params: dict
    facts: list[Fact]
    ratios: list[Ratio]
    found: dict  # the area: span, previous, last year, trend; with breakdowns
    current: int
    previous: int
    last_year: int
    trend: list[Period]
    trend_index: list[int]
    children: list
    child_found: dict  # the children: span, with breakdowns
    stations: list[dict]  # station_facts of the busiest (the table's), not every station
    station_visits: dict[int, float]  # their visits over the span
    stations_total: int
    stations_open: int

    @property
    def by_key(self) -> dict[str, Fact]:
        return {f.key: f for f in self.facts}

    @property
    def ratio_keys(self) -> dict[str, Ratio]:
        return {r.key: r for r in self.ratios}

    @cached_property
    def brands(self) -> dict[str, str]:
        return brand_names()

    @property
    def children_word(self) -> str:
        return children_word(self.area, self.children)

    def child_links(self) -> list[str]:
        return [child_url(c, self.params) for c in self.children]

    def visits_at(self, station: dict) -> float:
        return self.station_visits.get(station["pk"], 0.0)


def read_page(user, area: Area, span: Span) -> Reads:
    facts, ratios = readable_facts(user, area)
    spans = SpanList()
    current = spans.add(span)
    previous = spans.add(span.previous())
    last_year = spans.add(span.same_time_last_year())
    trend = trend_periods(span)
    trend_index = [spans.add(Span.of(p)) for p in trend]
    # Breakdowns of the span itself (the charts by hour, service, status, brand), and over
    # the trend only those a trend chart breaks down.
    found = selectors.values(
        facts,
        [area],
        spans.spans,
        breakdown=True,
        breakdowns_in=[current],
        breakdowns_of=TREND_BREAKDOWNS,
    )

    children = selectors.children_of(area)
    child_found = selectors.values(facts, children, [span], breakdown=True) if children else {}

    scoped = scoped_stations(user, area)
    open_now = open_now_by_station(scoped)
    stations, visits = busiest_station_facts(scoped, area, span, facts, open_now)
    return Reads(
        user=user,
        area=area,
        span=span,
        params=span_params(span),
        facts=facts,
        ratios=ratios,
        found=found,
        current=current,
        previous=previous,
        last_year=last_year,
        trend=trend,
        trend_index=trend_index,
        children=children,
        child_found=child_found,
        stations=stations,
        station_visits=visits,
        stations_total=len(open_now),
        stations_open=sum(open_now.values()),
    )


def busiest_station_facts(stations, area: Area, span: Span, facts: list[Fact], open_now: dict):
    """The page's stations: the STATIONS_IN_TABLE with the most visits over the span, then
    others by name to fill the table (station_facts), and their visits — never a read of
    every station (the map fetches those: views.dashboard_stations)."""
    visits_fact = next((f for f in facts if f.key == "stations.visits"), None)
    busiest = (
        selectors.busiest_stations(stations, area, visits_fact, span, STATIONS_IN_TABLE)
        if visits_fact is not None
        else []
    )
    visits = dict(busiest)
    shown = stations.filter(pk__in=list(visits))
    if len(visits) < STATIONS_IN_TABLE:
        others = stations.exclude(pk__in=list(visits)).order_by("name").values("pk")
        shown = stations.filter(
            models.Q(pk__in=list(visits))
            | models.Q(pk__in=others[: STATIONS_IN_TABLE - len(visits)])
        )
    return station_facts(shown, open_now=open_now), visits


def breakdown_chart(reads: Reads, chart_id, fact_key, title, kind="bar", order=None):
    """The area's figure for the span by each value of its breakdown."""
    fact = reads.by_key.get(fact_key)
    if fact is None:
        return None
    values = breakdown_of(reads.found, fact_key, reads.area, reads.current)
    # Named only when there is something to name (a catalogue's names cost a query).
    names = breakdown_names(fact, reads.brands) if values or order is not None else {}
    keys = order if order is not None else sorted(values, key=lambda k: -values[k])
    return Chart(
        chart_id,
        title,
        kind,
        [named(fact, k, names) for k in keys],
        [{"name": str(fact.label), "data": [values.get(k, 0.0) for k in keys]}],
    )


def trend_chart(reads: Reads, chart_id, title, fact_keys, kind="line"):
    """The area's figures for each period of the trend."""
    keys = [k for k in fact_keys if k in reads.by_key]
    if not keys:
        return None
    return Chart(
        chart_id,
        title,
        kind,
        [short_label(p) for p in reads.trend],
        [
            {
                "name": str(reads.by_key[k].label),
                "data": [value_of(reads.found, k, reads.area, i) for i in reads.trend_index],
            }
            for k in keys
        ],
    )


def network_charts(reads: Reads) -> list:
    by_key = reads.by_key
    charts = [
        trend_chart(
            reads,
            "visits_trend",
            _("Visits over time"),
            ["stations.named_visits", "stations.anonymous_visits"],
            kind="stacked",
        ),
        breakdown_chart(
            reads,
            "visits_by_hour",
            "stations.visits_by_hour",
            _("Visits by hour of day"),
            order=[str(h) for h in range(24)],
        ),
        breakdown_chart(
            reads, "services_used", "stations.services_used", _("Services used"), "hbar"
        ),
        breakdown_chart(
            reads,
            "stations_by_status",
            "stations.stations",
            _("Stations by status"),
            "pie",
            order=[s.value for s in Station.Status],
        ),
        breakdown_chart(
            reads, "stations_by_brand", "stations.stations_by_brand", _("Stations by brand"), "pie"
        ),
    ]
    visits = by_key.get("stations.visits")
    if visits is not None and reads.stations:
        busiest = sorted(
            (s for s in reads.stations if reads.visits_at(s)),
            key=lambda s: (-reads.visits_at(s), s["name"]),
        )[:BUSIEST_STATIONS]
        charts.append(
            Chart(
                "busiest_stations",
                _("Busiest stations"),
                "hbar",
                [s["name"] for s in busiest],
                [{"name": str(visits.label), "data": [reads.visits_at(s) for s in busiest]}],
                links=[area_url(s["area__code"], reads.params) for s in busiest],
            )
        )
    by_hour = by_key.get("stations.visits_by_hour")
    if by_hour is not None and reads.children:
        # The busiest hours of each child: a heat map, children × hour of day.
        matrix = [
            [value_of(reads.child_found, by_hour.key, c, 0, str(h)) for h in range(24)]
            for c in reads.children
        ]
        charts.append(
            Chart(
                "hours_by_child",
                _("Busiest hours by %(level)s") % {"level": reads.children_word},
                "heatmap",
                [_("%(hour)d:00") % {"hour": h} for h in range(24)],
                [{"name": str(by_hour.label), "data": matrix}],
                rows=[c.name for c in reads.children],
                links=reads.child_links(),
            )
        )
    return charts


def worker_charts(reads: Reads, figures: dict[str, Figure]) -> list:
    by_key = reads.by_key
    charts = []
    funnel = [k for k in FUNNEL if k in by_key]
    if funnel:
        charts.append(
            Chart(
                "funnel",
                _("From invitation to approval"),
                "funnel",
                [str(by_key[k].label) for k in funnel],
                [{"name": _("Workers"), "data": [figures[k].value for k in funnel]}],
            )
        )
    registrations = by_key.get("members.registrations")
    if registrations is not None:
        names = breakdown_names(registrations, reads.brands)
        occupations = sorted(
            {
                bd
                for (key, _node, index, bd) in reads.found
                if key == registrations.key and bd and index in reads.trend_index
            }
        )
        charts.append(
            Chart(
                "registrations_by_occupation",
                _("Registrations over time by occupation"),
                "stacked",
                [short_label(p) for p in reads.trend],
                [
                    {
                        "name": named(registrations, occupation, names),
                        "data": [
                            value_of(reads.found, registrations.key, reads.area, i, occupation)
                            for i in reads.trend_index
                        ],
                    }
                    for occupation in occupations
                ],
            )
        )
    charts += [
        trend_chart(
            reads,
            "backlog_trend",
            _("Registrations waiting for review (at the end of each period)"),
            ["members.waiting_for_review"],
            kind="bar",
        ),
        breakdown_chart(
            reads,
            "registrations_by_status",
            "members.registrations_by_status",
            _("Registrations of the period by where they stand now"),
            "pie",
        ),
        breakdown_chart(
            reads,
            "registrations_by_source",
            "members.registrations_by_source",
            _("Registrations by how they came"),
            "pie",
        ),
    ]
    return charts


def party_charts(reads: Reads) -> list:
    """Only for those with the party-affairs flag: without it facts_for gave no party fact
    and this draws nothing."""
    charts = [
        breakdown_chart(
            reads,
            "party_members_by_registration",
            "party.members",
            _("Party members by where their membership is held"),
            "pie",
        )
    ]
    coverage = reads.ratio_keys.get("party.coverage")
    if coverage is not None and reads.children:
        charts.append(
            Chart(
                "party_coverage_by_child",
                _("Three-management coverage by %(level)s") % {"level": reads.children_word},
                "hbar",
                [c.name for c in reads.children],
                [
                    {
                        "name": str(coverage.label),
                        "data": [
                            coverage.of(
                                value_of(reads.child_found, coverage.numerator, c, 0),
                                value_of(reads.child_found, coverage.denominator, c, 0),
                            )
                            for c in reads.children
                        ],
                    }
                ],
                links=reads.child_links(),
                unit="%",
            )
        )
    return charts


def activity_charts(reads: Reads) -> list:
    return [
        trend_chart(
            reads,
            "activities_trend",
            _("Activities, sign-ups and attendances over time"),
            ["activities.held", "activities.sign_ups", "activities.attendances"],
            kind="bar",
        ),
        breakdown_chart(
            reads, "activities_by_kind", "activities.held", _("Activities held by type"), "hbar"
        ),
        breakdown_chart(
            reads,
            "volunteer_hours_by_kind",
            "activities.volunteer_hours",
            _("Verified volunteer hours by type"),
            "hbar",
        ),
        breakdown_chart(
            reads,
            "role_holders_by_role",
            "activities.role_holders",
            _("Workers holding each role"),
            "hbar",
        ),
    ]


def points_charts(reads: Reads) -> list:
    return [
        trend_chart(
            reads,
            "points_trend",
            _("Points awarded and redeemed over time"),
            ["points.awarded", "points.redeemed"],
            kind="bar",
        ),
        breakdown_chart(
            reads, "points_by_source", "points.awarded", _("Points awarded by source"), "pie"
        ),
    ]


def wish_charts(reads: Reads) -> list:
    return [
        trend_chart(
            reads,
            "wishes_trend",
            _("Micro-wishes collected, published and come true over time"),
            ["wishes.collected", "wishes.published", "wishes.fulfilled"],
            kind="bar",
        ),
        breakdown_chart(
            reads,
            "wishes_by_category",
            "wishes.published_by_category",
            _("Micro-wishes published by category"),
            "hbar",
        ),
        breakdown_chart(
            reads,
            "wishes_by_source",
            "wishes.collected",
            _("Micro-wishes by how they were collected"),
            "pie",
        ),
        breakdown_chart(
            reads,
            "claims_by_donor_kind",
            "wishes.claims_made",
            _("Claims by kind of donor"),
            "pie",
        ),
    ]


def feedback_charts(reads: Reads) -> list:
    return [
        trend_chart(
            reads,
            "feedback_trend",
            _("Cases received, accepted and closed over time"),
            ["feedback.received", "feedback.accepted", "feedback.closed"],
            kind="bar",
        ),
        breakdown_chart(
            reads,
            "feedback_by_category",
            "feedback.received_by_category",
            _("Cases by category"),
            "hbar",
        ),
        breakdown_chart(reads, "feedback_by_kind", "feedback.received", _("Cases by kind"), "pie"),
        breakdown_chart(
            reads,
            "feedback_by_source",
            "feedback.received_by_source",
            _("Cases by how they came in"),
            "pie",
        ),
        breakdown_chart(
            reads,
            "feedback_routing",
            "feedback.routing_steps",
            _("Routing steps by the rule that made them"),
            "hbar",
        ),
        breakdown_chart(
            reads, "feedback_open_by_status", "feedback.open", _("Open cases by state"), "pie"
        ),
    ]


def estate_charts(reads: Reads) -> list:
    return [
        trend_chart(
            reads,
            "estates_trend",
            _("Passes checked and entries let in over time"),
            ["estates.entries", "estates.let_in"],
            kind="bar",
        ),
        breakdown_chart(
            reads,
            "estates_by_outcome",
            "estates.entries",
            _("Passes checked by the guard's answer"),
            "pie",
        ),
    ]


def coverage_chart(coverage: dict | None):
    if not coverage:
        return None
    return Chart(
        "coverage_modes",
        _("Within reach in 15 minutes"),
        "bar",
        [_("On foot"), _("By e-bike")],
        [
            {
                "name": _("Workers"),
                "data": [coverage[m]["communities"].workers_percent for m in Mode],
            },
            {"name": _("Outlets"), "data": [coverage[m]["outlets"].places_percent for m in Mode]},
            {
                "name": _("Communities"),
                "data": [coverage[m]["communities"].places_percent for m in Mode],
            },
        ],
        unit="%",
    )


def ranked_children(reads: Reads, rank_by: str) -> tuple[list[Column], list[ChildRow], str]:
    """Every figure (duplicate totals aside) for every child, ranked by `rank_by`."""
    columns = [Column(f.key, str(f.label), decimals=_decimals(f.key)) for f in reads.facts]
    columns += [Column(r.key, str(r.label), percent=r.percent, decimals=1) for r in reads.ratios]
    order = {k: i for i, k in enumerate(k for _id, keys in SECTIONS for k in keys)}
    columns = sorted(
        (c for c in columns if c.key not in DUPLICATE_TOTALS),
        key=lambda c: order.get(c.key, len(order)),
    )
    keys = {c.key for c in columns}
    rank_by = rank_by if rank_by in keys else _default_rank(keys)
    rows = []
    for child in reads.children:
        values = {f.key: value_of(reads.child_found, f.key, child, 0) for f in reads.facts}
        for ratio in reads.ratios:
            values[ratio.key] = ratio.of(values[ratio.numerator], values[ratio.denominator])
        rows.append(ChildRow(name=child.name, url=child_url(child, reads.params), values=values))
    rows.sort(key=lambda r: (r.values.get(rank_by) is None, -(r.values.get(rank_by) or 0)))
    for position, row in enumerate(rows, start=1):
        row.rank = position
        row.cells = [
            number_text(row.values.get(c.key), percent=c.percent, decimals=c.decimals)
            for c in columns
        ]
    return columns, rows, rank_by


def ranked_chart(reads: Reads, columns, rows, rank_by):
    if not rows or not rank_by:
        return None
    label = next(c.label for c in columns if c.key == rank_by)
    return Chart(
        "children_ranked",
        _("%(level)s ranked by %(figure)s") % {"level": reads.children_word, "figure": label},
        "hbar",
        [r.name for r in rows],
        [{"name": label, "data": [r.values.get(rank_by) for r in rows]}],
        links=[r.url for r in rows],
    )


def station_rows(reads: Reads) -> list[dict]:
    """The stations' table: the busiest STATIONS_IN_TABLE, then by name."""
    # Each cell's words made once here, not by template tags in each of the rows.
    labels = {value: str(label) for value, label in Station.Status.choices}
    standard = {True: _("Yes"), None: _("Not inspected"), False: _("No")}
    open_label = {True: _("Open"), False: _("Closed")}
    shown = sorted(reads.stations, key=lambda s: (-reads.visits_at(s), s["name"]))
    return [
        {
            "name": station["name"],
            "community": station["area__name"],
            "url": area_url(station["area__code"], reads.params),
            "status_label": labels.get(station["status"], station["status"]),
            "standard": standard[station["compliant"]],
            "open_label": open_label[bool(station["is_open_now"])],
            "visits": reads.visits_at(station),
            "visits_text": number_text(reads.visits_at(station)),
        }
        for station in shown[:STATIONS_IN_TABLE]
    ]


def stations_layer_url(area: Area, params: dict) -> str:
    url = reverse("dashboard-stations", args=[area.code])
    return f"{url}?{urlencode(params)}" if params else url


def map_data(reads: Reads, columns, rows, rank_by, coverage) -> dict:
    """The map's layers: the child areas shaded by the ranked figure (where they have a
    boundary), the 一刻钟服务圈's places and suggested sites, and where the script fetches
    the stations (a city's 2,000 would be most of the page: views.dashboard_stations)."""
    value_of_row = {r.url: r.values.get(rank_by) for r in rows}
    features = [
        {
            "type": "Feature",
            "geometry": boundary_geojson(child.boundary),
            "properties": {
                "name": child.name,
                "url": child_url(child, reads.params),
                "value": value_of_row.get(child_url(child, reads.params)),
            },
        }
        for child in reads.children
        if isinstance(child, Area) and child.boundary is not None
    ]
    return {
        "tiles": settings.MAP_TILES,
        # Without a centre of its own, the map fits the stations once they have come.
        "centre": map_centre(reads.area, []),
        "outline": boundary_geojson(reads.area.boundary),
        "stations_url": stations_layer_url(reads.area, reads.params),
        "children": {"type": "FeatureCollection", "features": features},
        "choropleth_label": next((c.label for c in columns if c.key == rank_by), ""),
        "coverage": (
            {
                "places": coverage["places"],
                "suggestions": [
                    {
                        "rank": s.rank,
                        "name": s.name,
                        "lat": s.lat,
                        "lng": s.lon,
                        "workers": s.workers_added,
                    }
                    for s in coverage["suggestions"]
                ],
                "radius_m": coverage["radius_m"],
            }
            if coverage
            else None
        ),
        "text": _map_text(),
    }


def period_links(span: Span) -> list[dict]:
    """Day / week / … : the period of each kind that holds the one shown (or today)."""
    today = timezone.localdate()
    anchor = min(span.period.start if span.period else span.since, today)
    return [
        {
            "label": _kind_word(kind),
            "url": "?" + urlencode(span_params(Span.of(Period.containing(kind, anchor)))),
            "current": span.period is not None and span.period.kind == kind,
        }
        for kind in PeriodKind
    ]


def build_page(user, area: Area, span: Span, *, rank_by: str = "") -> Page:
    """Everything the dashboard page shows for `area` and `span`, as `user` may see it."""
    reads = read_page(user, area, span)
    figures = figures_from(
        reads.found, reads.facts, reads.ratios, area, reads.current, reads.previous, reads.last_year
    )
    party = any(f.purpose == Purpose.PARTY for f in reads.facts)
    columns, rows, rank_by = ranked_children(reads, rank_by)
    coverage = coverage_summary(area)
    charts = [
        *network_charts(reads),
        *worker_charts(reads, figures),
        *(party_charts(reads) if party else []),
        *activity_charts(reads),
        *points_charts(reads),
        *wish_charts(reads),
        *feedback_charts(reads),
        *estate_charts(reads),
        coverage_chart(coverage),
        ranked_chart(reads, columns, rows, rank_by),
    ]
    charts = {c.id: c for c in charts if c is not None}
    today = timezone.localdate()
    partial = span.since <= today < span.until
    by_key, ratio_keys = reads.by_key, reads.ratio_keys
    computed = [f.computed_at for f in figures.values() if f.computed_at]
    following = _next_span(span)
    return Page(
        area=area,
        span=span,
        params=reads.params,
        crumbs=breadcrumb(user, area, reads.params),
        computed_at=max(computed) if computed else None,
        pending=selectors.pending_changes(area),
        is_current=partial,
        headlines=[
            card_of(figures[k], is_state=_is_state(k, by_key, ratio_keys), partial=partial)
            for k in HEADLINES
            if k in figures
        ],
        sections=_sections(figures, by_key, party, charts, partial),
        charts=charts,
        columns=columns,
        children=rows,
        children_title=reads.children_word,
        rank_by=rank_by,
        counting=sum(
            1
            for value, _at in [*reads.found.values(), *reads.child_found.values()]
            if value is None
        ),
        stations_total=reads.stations_total,
        open_now=reads.stations_open,
        station_rows=station_rows(reads),
        coverage=coverage,
        map_data=map_data(reads, columns, rows, rank_by, coverage),
        party=party,
        prev_params=span_params(span.previous()),
        next_params=span_params(following) if following.since <= today else None,
        kind_links=period_links(span),
    )


def _next_span(span: Span) -> Span | None:
    if span.period is not None:
        return Span.of(span.period.next())
    length = span.until - span.since
    return Span(span.until, span.until + length)


def _decimals(key: str) -> int:
    return 1 if key in DECIMAL_FIGURES else 0


def _default_rank(keys) -> str:
    for key in ("stations.visits", "members.registrations"):
        if key in keys:
            return key
    return next(iter(sorted(keys)), "")


def children_word(area: Area, children) -> str:
    if children and isinstance(children[0], Station):
        return _("stations")
    if children:
        return str(Area.Level(children[0].level).label)
    return ""


def _kind_word(kind: PeriodKind) -> str:
    return str(dict(KIND_CHOICES)[kind.value])


def map_centre(area: Area, points: list[tuple[float, float]]) -> list[float]:
    """The area's centre, or else the middle of its stations' (lat, lng) points."""
    if area.centre is not None:
        return [area.centre.y, area.centre.x]
    if points:
        return [
            sum(lat for lat, _lng in points) / len(points),
            sum(lng for _lat, lng in points) / len(points),
        ]
    lat, lng = settings.MAP_DEFAULT_CENTER
    return [lat, lng]


def _map_text() -> dict:
    return {
        "open_now": _("Open now"),
        "closed_now": _("Closed now"),
        "compliant": _("Meets the standard (六有)"),
        "not_compliant": _("Does not meet the standard (六有) yet"),
        "not_inspected": _("Not inspected yet"),
        "visits": _("Visits in the period"),
        "open_dashboard": _("Open this area's dashboard"),
        "gap": _("Out of reach by e-bike"),
        "walking_gap": _("Within reach by e-bike, not on foot"),
        "covered": _("Within reach on foot"),
        "workers": _("workers"),
        "nearest": _("Nearest open station"),
        "suggestion": _("Suggested new station #%(rank)s: would cover %(workers)s more workers"),
        "stations": _("Stations"),
        "areas": _("Areas"),
        "places": _("Outlets and communities (一刻钟服务圈)"),
        "suggestions": _("Suggested new stations"),
    }


def _is_state(key: str, by_key: dict, ratio_keys: dict) -> bool:
    """Counted as it stands at the end of the period (a state fact, or a ratio of two)."""
    if key in ratio_keys:
        ratio = ratio_keys[key]
        return all(k in by_key and by_key[k].is_state for k in (ratio.numerator, ratio.denominator))
    return key in by_key and by_key[key].is_state


def _sections(figures, by_key, party, charts, partial) -> list[dict]:
    titles = section_titles()
    ratio_keys = {r.key: r for r in all_ratios()}
    named_keys = {k for _id, keys in SECTIONS for k in keys}

    def card(key):
        return card_of(figures[key], is_state=_is_state(key, by_key, ratio_keys), partial=partial)

    sections = []
    for section_id, keys in SECTIONS:
        if section_id == "party" and not party:
            continue
        cards = [card(k) for k in keys if k in figures]
        if not cards:
            continue
        sections.append(
            {
                "id": section_id,
                "title": titles[section_id],
                "cards": cards,
                "charts": [charts[c] for c in SECTION_CHARTS.get(section_id, []) if c in charts],
            }
        )
    others = [card(k) for k in figures if k not in named_keys and k not in DUPLICATE_TOTALS]
    if others:
        sections.append({"id": "other", "title": titles["other"], "cards": others, "charts": []})
    return sections


# ---------------------------------------------------------------------------------------
# The ranked table as a spreadsheet


def export_rows(page: Page) -> tuple[list[str], list[list]]:
    columns = [page.children_title or _("Area"), *[c.label for c in page.columns]]
    rows = []
    for row in page.children:
        rows.append(
            [
                row.name,
                *[
                    _rounded(row.values.get(c.key), c.decimals if not c.percent else 1)
                    for c in page.columns
                ],
            ]
        )
    return columns, rows


def _rounded(value, decimals: int):
    if value is None:
        return ""
    return round(value, decimals) if decimals else round(value)


def freshness_text(computed_at: dt.datetime | None) -> str:
    if computed_at is None:
        return _("not computed yet")
    return date_format(timezone.localtime(computed_at), "Y-m-d H:i")
