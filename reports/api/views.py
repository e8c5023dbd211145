"""The stats API (issue 13 §4): the dashboard's figures for programs — an area's figures for
a period with their comparisons, time series, the child comparison, a figure broken down,
the 一刻钟服务圈 snapshot, and the list of figures a user may read. GET only.

Every read goes through reports.selectors, as the dashboard pages' do, so both show the
same numbers and apply the same rules:
- the area named in the path is reached through the choke point (selectors.dashboard_area):
  an area out of reach is a 404 exactly like one that does not exist, and so is every area
  for someone whose grants read no area (a station keeper, an auditor), as CoverageView in
  party/ answers those without the party flag;
- the figures readable there are selectors.facts_for/ratios_for (party figures need the
  party-affairs flag); one that is not readable is refused in the words of an unknown one;
- the query string is read by the input serializers, each refusal a 400 in the platform's
  error shape (core.exceptions) naming the parameter.
"""

import re

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.models import Area
from core.exceptions import ApplicationError, refuse
from core.facts import Ratio
from reports import selectors
from reports.models import CoverageSnapshot

from . import breakdowns
from .serializers import (
    AreaQuerySerializer,
    BreakdownOutSerializer,
    ChildrenOutSerializer,
    ChildrenQuerySerializer,
    CoverageOutSerializer,
    FactsOutSerializer,
    FiguresOutSerializer,
    FiguresQuerySerializer,
    PeriodQuerySerializer,
    SeriesOutSerializer,
    SeriesQuerySerializer,
    figure_name,
    span_payload,
    unknown_figures,
)

# A division code, or its leading digits (621002 is read as 621002000000), as elsewhere in
# the API (party's ?area=, the stations' POI export).
AREA_CODE = re.compile(r"^[0-9]{1,12}$", re.ASCII)

XIFENG = "621002000000"
CODE_PARAMETER = OpenApiParameter(
    "code",
    str,
    OpenApiParameter.PATH,
    description=(
        "The area's 12-digit division code (its leading digits are enough: 621002 is "
        "621002000000). Out of your reach: 404, as if it did not exist."
    ),
    examples=[OpenApiExample("Xifeng district", value=XIFENG)],
)
AREA_EXAMPLE = {"id": 3, "code": XIFENG, "name": "西峰区", "level": "district"}
MONTH_EXAMPLE = {
    "kind": "month",
    "period": "2026-11",
    "since": "2026-11-01",
    "until": "2026-12-01",
    "last_day": "2026-11-30",
    "label": "2026年11月",
}


def area_code(code: str) -> str:
    """The full code of what the caller wrote, or 404 (nothing else names an area)."""
    code = (code or "").strip()
    if not AREA_CODE.match(code):
        raise Http404
    return code.ljust(12, "0")


class StatsView(APIView):
    """What every stats endpoint shares: the area through the choke point, the figures the
    user may read there, and the query string read by an input serializer."""

    def area(self, code: str | None) -> Area:
        return selectors.dashboard_area(self.request.user, area_code(code) if code else None)

    def readable(self, area: Area) -> dict:
        """Figure key → Fact or Ratio, for the facts and ratios the user may read in `area`."""
        user = self.request.user
        return {
            figure.key: figure
            for figure in [*selectors.facts_for(user, area), *selectors.ratios_for(user, area)]
        }

    def query(self, serializer_class, **context) -> dict:
        """The query string as `serializer_class` reads it, or a 400 whose `detail` says every
        refusal in one line and whose fields say each by its parameter."""
        serializer = serializer_class(data=self.request.query_params, context=context)
        if not serializer.is_valid():
            errors = serializer.errors
            messages = [
                str(message)
                for field_messages in errors.values()
                for message in (
                    field_messages if isinstance(field_messages, list) else [field_messages]
                )
            ]
            raise ApplicationError(" ".join(messages), fields=errors)
        return serializer.validated_data


def facts_behind(keys: list[str], readable: dict) -> list:
    """The facts to read for `keys`: each fact, and each ratio's two facts (once each)."""
    wanted: dict[str, object] = {}
    for key in keys:
        figure = readable[key]
        parts = [figure.numerator, figure.denominator] if isinstance(figure, Ratio) else [key]
        for part in parts:
            wanted.setdefault(part, readable[part])
    return list(wanted.values())


def value_of(figure, values: dict):
    """A figure's value from its facts' `values` (key → value): a ratio is computed."""
    if isinstance(figure, Ratio):
        return figure.of(values.get(figure.numerator, 0.0), values.get(figure.denominator, 0.0))
    return values.get(figure.key, 0.0)


def area_payload(area: Area) -> dict:
    return {"id": area.pk, "code": area.code, "name": area.name, "level": area.level}


class FiguresView(StatsView):
    @extend_schema(
        operation_id="stats_area_figures",
        summary="An area's figures for a period",
        description=(
            "Every figure you may read in the area for one period (or a custom range), with "
            "the previous period's, the same period last year's, the change in % against "
            "each, and when each was computed; ratios (shares, coverage %) among them. "
            "`pending` counts the changes the job has not rolled up yet. A distinct count "
            "over a custom range is counted from the raw rows at the time of asking."
        ),
        parameters=[CODE_PARAMETER, FiguresQuerySerializer],
        responses=FiguresOutSerializer,
        examples=[
            OpenApiExample(
                "November in Xifeng",
                response_only=True,
                value={
                    "area": AREA_EXAMPLE,
                    "span": MONTH_EXAMPLE,
                    "previous": {
                        **MONTH_EXAMPLE,
                        "period": "2026-10",
                        "since": "2026-10-01",
                        "until": "2026-11-01",
                        "last_day": "2026-10-31",
                        "label": "2026年10月",
                    },
                    "last_year": {
                        **MONTH_EXAMPLE,
                        "period": "2025-11",
                        "since": "2025-11-01",
                        "until": "2025-12-01",
                        "last_day": "2025-11-30",
                        "label": "2025年11月",
                    },
                    "figures": [
                        {
                            "key": "stations.visits",
                            "label": "到访人次",
                            "value": 1240.0,
                            "previous": 1100.0,
                            "last_year": 800.0,
                            "change": 12.7,
                            "change_on_last_year": 55.0,
                            "computed_at": "2026-11-30T14:03:00+08:00",
                            "is_ratio": False,
                            "percent": False,
                        },
                        {
                            "key": "stations.far_away_share",
                            "label": "距离超过 1 公里的签到占比",
                            "value": 3.2,
                            "previous": 2.9,
                            "last_year": None,
                            "change": 10.3,
                            "change_on_last_year": None,
                            "computed_at": "2026-11-30T14:03:00+08:00",
                            "is_ratio": True,
                            "percent": True,
                        },
                    ],
                    "computed_at": "2026-11-30T14:03:00+08:00",
                    "pending": 12,
                    "counting": 0,
                },
            )
        ],
    )
    def get(self, request, code):
        area = self.area(code)
        span = self.query(FiguresQuerySerializer)["span"]
        figures = selectors.figures(request.user, area, span)
        data = {
            "area": area_payload(area),
            "span": span_payload(span),
            "previous": span_payload(span.previous()),
            "last_year": span_payload(span.same_time_last_year()),
            "figures": figures,
            "computed_at": max(
                (f.computed_at for f in figures if f.computed_at is not None), default=None
            ),
            "pending": selectors.pending_changes(area),
            "counting": sum(1 for f in figures if f.value is None and not f.is_ratio),
        }
        return Response(FiguresOutSerializer(data).data)


class SeriesView(StatsView):
    @extend_schema(
        operation_id="stats_area_series",
        summary="Figures over time",
        description=(
            "One value per period of `kind` from `since` to `until` for each figure named "
            "(facts or ratios), for line and bar charts. At most 400 periods."
        ),
        parameters=[CODE_PARAMETER, SeriesQuerySerializer],
        responses=SeriesOutSerializer,
        examples=[
            OpenApiExample(
                "Visits per month",
                response_only=True,
                value={
                    "area": AREA_EXAMPLE,
                    "kind": "month",
                    "since": "2026-10-01",
                    "until": "2026-12-01",
                    "periods": [
                        {
                            "period": "2026-10",
                            "label": "2026年10月",
                            "since": "2026-10-01",
                            "until": "2026-11-01",
                        },
                        {
                            "period": "2026-11",
                            "label": "2026年11月",
                            "since": "2026-11-01",
                            "until": "2026-12-01",
                        },
                    ],
                    "series": [
                        {
                            "key": "stations.visits",
                            "label": "到访人次",
                            "is_ratio": False,
                            "percent": False,
                            "values": [1100.0, 1240.0],
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request, code):
        area = self.area(code)
        readable = self.readable(area)
        query = self.query(SeriesQuerySerializer, readable=readable)
        keys = query["facts"]
        found = selectors.series(
            facts_behind(keys, readable), area, query["kind"], query["since"], query["until"]
        )
        periods = [period for period, _value in next(iter(found.values()))]
        by_period = [
            {fact_key: points[i][1] for fact_key, points in found.items()}
            for i in range(len(periods))
        ]
        data = {
            "area": area_payload(area),
            "kind": query["kind"].value,
            "since": query["since"],
            "until": query["until"],
            "periods": [
                {"period": p.code, "label": p.label, "since": p.start, "until": p.end}
                for p in periods
            ],
            "series": [
                {
                    **figure_name(readable[key]),
                    "values": [value_of(readable[key], values) for values in by_period],
                }
                for key in keys
            ],
        }
        return Response(SeriesOutSerializer(data).data)


class ChildrenView(StatsView):
    @extend_schema(
        operation_id="stats_area_children",
        summary="The child areas compared",
        description=(
            "One row per child area (a community: per station) with each figure named for "
            "the period: the ranked table, the choropleth, the monthly report's rows. "
            "Without `facts`, every figure you may read."
        ),
        parameters=[CODE_PARAMETER, ChildrenQuerySerializer],
        responses=ChildrenOutSerializer,
        examples=[
            OpenApiExample(
                "Xifeng's streets in November",
                response_only=True,
                value={
                    "area": AREA_EXAMPLE,
                    "span": MONTH_EXAMPLE,
                    "figures": [
                        {
                            "key": "stations.visits",
                            "label": "到访人次",
                            "is_ratio": False,
                            "percent": False,
                        }
                    ],
                    "rows": [
                        {
                            "kind": "area",
                            "id": 7,
                            "code": "621002001000",
                            "name": "北街街道",
                            "level": "street",
                            "values": {"stations.visits": 420.0},
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request, code):
        area = self.area(code)
        readable = self.readable(area)
        query = self.query(ChildrenQuerySerializer, readable=readable)
        keys = query.get("facts") or list(readable)
        span = query["span"]
        rows = selectors.children_table(facts_behind(keys, readable), area, span)
        data = {
            "area": area_payload(area),
            "span": span_payload(span),
            "figures": [figure_name(readable[key]) for key in keys],
            "rows": [
                {
                    **self.node_payload(row["node"]),
                    "values": {key: value_of(readable[key], row["values"]) for key in keys},
                }
                for row in rows
            ],
        }
        return Response(ChildrenOutSerializer(data).data)

    @staticmethod
    def node_payload(node) -> dict:
        if isinstance(node, Area):
            return {**area_payload(node), "kind": "area"}
        return {"kind": "station", "id": node.pk, "code": None, "name": node.name, "level": None}


class BreakdownView(StatsView):
    @extend_schema(
        operation_id="stats_area_breakdown",
        summary="A figure broken down",
        description=(
            "The figure's value by each value of its breakdown (brand, status, occupation, "
            "source, hour of day, service…) for the period, each with its label. A figure "
            "that is not broken down, or a ratio, is refused."
        ),
        parameters=[
            CODE_PARAMETER,
            OpenApiParameter(
                "fact",
                str,
                OpenApiParameter.PATH,
                description="The fact's key (GET /api/v1/stats/facts/ lists them).",
                examples=[OpenApiExample("Stations by status", value="stations.stations")],
            ),
            PeriodQuerySerializer,
        ],
        responses=BreakdownOutSerializer,
        examples=[
            OpenApiExample(
                "Stations by status",
                response_only=True,
                value={
                    "area": AREA_EXAMPLE,
                    "span": MONTH_EXAMPLE,
                    "figure": {
                        "key": "stations.stations",
                        "label": "驿站数",
                        "is_ratio": False,
                        "percent": False,
                    },
                    "broken_down_by": "status",
                    "items": [
                        {"key": "open", "label": "开放", "value": 38.0},
                        {"key": "paused", "label": "暂停开放", "value": 2.0},
                    ],
                },
            )
        ],
    )
    def get(self, request, code, fact):
        area = self.area(code)
        readable = self.readable(area)
        figure = readable.get(fact)
        if figure is None:
            raise refuse("fact", unknown_figures([fact], readable))
        if isinstance(figure, Ratio) or not figure.breakdown:
            raise refuse(
                "fact", _("%(figure)s is not broken down.") % {"figure": str(figure.label)}
            )
        span = self.query(PeriodQuerySerializer)["span"]
        amounts = selectors.broken_down(figure, area, span)
        data = {
            "area": area_payload(area),
            "span": span_payload(span),
            "figure": figure_name(figure),
            "broken_down_by": breakdowns.breakdown_name(figure),
            "items": breakdowns.labelled(figure, amounts),
        }
        return Response(BreakdownOutSerializer(data).data)


class CoverageView(StatsView):
    @extend_schema(
        operation_id="stats_area_coverage",
        summary="The 一刻钟服务圈 coverage and suggested sites",
        description=(
            "The area's 15-minute coverage (outlets and communities within reach of an open "
            "station, walking and by e-bike, by workers), its gaps and the suggested sites "
            "for new stations, as the nightly job last computed them (districts and cities). "
            "404 with a message when it has not been computed for the area."
        ),
        parameters=[CODE_PARAMETER],
        responses=CoverageOutSerializer,
    )
    def get(self, request, code):
        area = self.area(code)
        # One row read by the area: the job wrote it (reports.services.coverage_refresh).
        snapshot = CoverageSnapshot.objects.filter(area=area).first()
        if snapshot is None:
            raise NotFound(
                _(
                    "The 15-minute coverage of %(area)s has not been computed yet: the nightly "
                    "job computes it for districts and cities."
                )
                % {"area": area.name}
            )
        data = {
            "area": area_payload(area),
            "computed_at": snapshot.computed_at,
            "coverage": snapshot.result,
        }
        return Response(CoverageOutSerializer(data).data)


class FactsView(StatsView):
    @extend_schema(
        operation_id="stats_facts",
        summary="The figures you may read",
        description=(
            "The facts and ratios you may read in the area (party figures need the "
            "party-affairs flag): the keys the other stats endpoints take."
        ),
        parameters=[AreaQuerySerializer],
        responses=FactsOutSerializer,
        examples=[
            OpenApiExample(
                "A district's staff member",
                response_only=True,
                value={
                    "area": AREA_EXAMPLE,
                    "facts": [
                        {
                            "key": "stations.visits",
                            "label": "到访人次",
                            "measure": "sum",
                            "additive": True,
                            "breakdown": "source",
                            "is_state": False,
                            "purpose": "read",
                        }
                    ],
                    "ratios": [
                        {
                            "key": "stations.far_away_share",
                            "label": "距离超过 1 公里的签到占比",
                            "numerator": "stations.far_away_check_ins",
                            "denominator": "stations.check_ins",
                            "percent": True,
                            "purpose": "read",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request):
        code = self.query(AreaQuerySerializer).get("area")
        area = self.area(code)
        user = request.user
        data = {
            "area": area_payload(area),
            "facts": [
                {
                    "key": fact.key,
                    "label": str(fact.label),
                    "measure": fact.measure.value,
                    "additive": fact.additive,
                    "breakdown": breakdowns.breakdown_name(fact),
                    "is_state": fact.is_state,
                    "purpose": fact.purpose,
                }
                for fact in selectors.facts_for(user, area)
            ],
            "ratios": [
                {
                    "key": ratio.key,
                    "label": str(ratio.label),
                    "numerator": ratio.numerator,
                    "denominator": ratio.denominator,
                    "percent": ratio.percent,
                    "purpose": ratio.purpose,
                }
                for ratio in selectors.ratios_for(user, area)
            ],
        }
        return Response(FactsOutSerializer(data).data)
