"""The stats API's query strings (input) and answers (output), kept apart.

Input: every parameter is read here and refused in plain words by the parameter's name —
a kind, a period code, dates, a range the wrong way round or too long, a figure the user
may not read (answered exactly as one that does not exist), too many figures. Nothing a
caller writes reaches the selectors unchecked, so no query string is a 500.

Periods: `kind` and `period` name one calendar period (kind=month&period=2026-11); the
code alone says its kind (period=2026-W49 is a week); neither: the current one. A custom
range is `since` (first day) and `until` (the first day *after* it), as the selectors count
it (reports.selectors.Span).
"""

import datetime as dt

from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.exceptions import ApplicationError, unstorable_input_message
from core.facts import Fact, Measure, Ratio
from reports.periods import FIRST_YEAR, KINDS, LAST_YEAR, Period, PeriodKind
from reports.selectors import Span

# A custom range longer than a year reads too many day buckets (and counts distinct
# workers from the raw rows): a longer view is a year, or a series.
MAX_RANGE_DAYS = 366
# A chart of more points than this is not read by anyone, and costs the database.
MAX_SERIES_PERIODS = 400
MAX_SERIES_FIGURES = 12
MAX_TABLE_FIGURES = 60
# A series without since/until: this many periods up to the current one.
DEFAULT_SERIES_PERIODS = {
    PeriodKind.DAY: 30,
    PeriodKind.WEEK: 12,
    PeriodKind.MONTH: 12,
    PeriodKind.QUARTER: 8,
    PeriodKind.YEAR: 5,
}
NAME_A_FIGURE = gettext_lazy("Name at least one figure, e.g. facts=stations.visits.")
EXAMPLE_CODES = "2026-11-30, 2026-W49, 2026-11, 2026-Q4, 2026"

DATE_MESSAGES = {
    "invalid": gettext_lazy("Write the date like 2026-11-30."),
    "datetime": gettext_lazy("Write the date like 2026-11-30."),
}


def field_refusal(name: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [message]})


def _checked_year(day: dt.date | None, name: str) -> None:
    if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise field_refusal(
            name,
            _("Choose a date from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def period_from(kind: str | None, code: str | None) -> Period:
    """The period `code` names (of `kind`, or of whichever kind its form says), else the
    current period of `kind` (this month without one)."""
    if not code:
        return Period.containing(kind or PeriodKind.MONTH, timezone.localdate())
    try:
        if kind:
            return Period.parse(kind, code)
        for candidate in KINDS:
            try:
                return Period.parse(candidate, code)
            except ApplicationError:
                continue
    except ApplicationError as refused:
        raise serializers.ValidationError(refused.fields) from None
    raise field_refusal(
        "period",
        _("%(code)s is not a period: write it like one of %(examples)s.")
        % {"code": code[:20], "examples": EXAMPLE_CODES},
    )


def count_periods(kind: PeriodKind, since: dt.date, until: dt.date) -> int:
    """How many periods of `kind` have a day in since ≤ day < until (without listing them:
    a range of centuries is refused before anything is built for it)."""
    first = Period.containing(kind, since).start
    last = Period.containing(kind, until - dt.timedelta(days=1)).start
    if kind == PeriodKind.DAY:
        return (last - first).days + 1
    if kind == PeriodKind.WEEK:
        return (last - first).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    if kind == PeriodKind.MONTH:
        return months + 1
    if kind == PeriodKind.QUARTER:
        return months // 3 + 1
    return last.year - first.year + 1


class TextParameter(serializers.CharField):
    """A text parameter whose NUL character is refused in the platform's words (DRF's own
    Chinese for it says "empty string")."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [ProhibitNullCharactersValidator(message=lazy(unstorable_input_message, str)())]


class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[kind.value for kind in KINDS],
            error_messages={
                "invalid_choice": gettext_lazy("Choose a day, week, month, quarter or year.")
            },
            **kwargs,
        )


class FigureKeysField(TextParameter):
    """Figure keys, comma-separated: facts and ratios the user may read in the area (the
    view puts them in the context as `readable`). One the user may not read is refused in
    the same words as one that does not exist."""

    def __init__(self, *, most: int, **kwargs):
        self.most = most
        super().__init__(**kwargs)
        self.error_messages["required"] = self.error_messages["blank"] = NAME_A_FIGURE

    def run_validators(self, value):
        super().run_validators(",".join(value))  # the text's validators (NUL), not the list's

    def to_internal_value(self, data) -> list[str]:
        text = super().to_internal_value(data)
        keys = list(dict.fromkeys(key.strip() for key in text.split(",") if key.strip()))
        if not keys:
            raise serializers.ValidationError(str(NAME_A_FIGURE))
        if len(keys) > self.most:
            raise serializers.ValidationError(
                _("At most %(most)d figures at a time; you named %(count)d.")
                % {"most": self.most, "count": len(keys)}
            )
        refusal = unknown_figures(keys, self.context["readable"])
        if refusal:
            raise serializers.ValidationError(refusal)
        return keys


def unknown_figures(keys, readable: dict) -> str:
    """Why keys that are not among `readable` (unknown, or not for this user: the same
    words) are refused; "" when every key is readable."""
    unknown = [key for key in keys if key not in readable]
    if not unknown:
        return ""
    return _("Unknown figure: %(keys)s. /api/v1/stats/facts/ lists the figures you may read.") % {
        "keys": ", ".join(key[:64] for key in unknown[:5])
    }


class PeriodQuerySerializer(serializers.Serializer):
    kind = KindField(
        required=False,
        help_text="The period's kind. Without `period`: the current period of this kind.",
    )
    period = TextParameter(
        required=False,
        help_text=(
            f"The period's code: {EXAMPLE_CODES}. Without `kind` the code's form says its "
            "kind. Neither: this month."
        ),
    )

    def validate(self, attrs):
        attrs["span"] = Span.of(period_from(attrs.get("kind"), attrs.get("period")))
        return attrs


class FiguresQuerySerializer(PeriodQuerySerializer):
    since = serializers.DateField(
        required=False,
        error_messages=DATE_MESSAGES,
        help_text="A custom range's first day (with `until`, instead of a period).",
    )
    until = serializers.DateField(
        required=False,
        error_messages=DATE_MESSAGES,
        help_text=(
            "A custom range's end: the first day *not* counted (since=2026-11-01&"
            f"until=2026-11-16 is 1–15 November). At most {MAX_RANGE_DAYS} days."
        ),
    )

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since is None and until is None:
            return super().validate(attrs)
        if attrs.get("period"):
            raise field_refusal(
                "period", _("Give a period or a custom range (since and until), not both.")
            )
        for name, day in (("since", since), ("until", until)):
            if day is None:
                raise field_refusal(name, _("A custom range needs both since and until."))
            _checked_year(day, name)
        if since >= until:
            raise field_refusal(
                "until",
                _("until is the first day after the range, so it must come after since."),
            )
        if (until - since).days > MAX_RANGE_DAYS:
            raise field_refusal(
                "until",
                _("A custom range can be at most %(days)d days; for longer, choose a year.")
                % {"days": MAX_RANGE_DAYS},
            )
        attrs["span"] = Span(since, until)
        return attrs


class SeriesQuerySerializer(serializers.Serializer):
    facts = FigureKeysField(
        most=MAX_SERIES_FIGURES,
        help_text=(
            f"The figures to draw, comma-separated keys of facts or ratios (at most "
            f"{MAX_SERIES_FIGURES}): see /api/v1/stats/facts/."
        ),
    )
    kind = KindField(required=False, default=PeriodKind.DAY.value, help_text="One point per …")
    since = serializers.DateField(
        required=False,
        error_messages=DATE_MESSAGES,
        help_text="The first day drawn (its period is drawn whole).",
    )
    until = serializers.DateField(
        required=False,
        error_messages=DATE_MESSAGES,
        help_text=(
            "The first day *not* drawn. Without since/until: the last "
            + ", ".join(f"{n} {kind}s" for kind, n in DEFAULT_SERIES_PERIODS.items())
            + f", up to the current one. At most {MAX_SERIES_PERIODS} periods."
        ),
    )

    def validate(self, attrs):
        kind = PeriodKind(attrs["kind"])
        since, until = attrs.get("since"), attrs.get("until")
        _checked_year(since, "since")
        _checked_year(until, "until")
        if until is None:
            current = Period.containing(kind, timezone.localdate())
            until = current.end if since is None or since < current.end else None
            if until is None:
                raise field_refusal("since", _("since is after the current period."))
        if since is None:
            first = Period.containing(kind, until - dt.timedelta(days=1))
            for _step in range(DEFAULT_SERIES_PERIODS[kind] - 1):
                first = first.previous()
            since = first.start
        if since >= until:
            raise field_refusal(
                "until",
                _("until is the first day after the range, so it must come after since."),
            )
        count = count_periods(kind, since, until)
        if count > MAX_SERIES_PERIODS:
            raise field_refusal(
                "until",
                _(
                    "That range has %(count)d periods; a series has at most %(most)d. "
                    "Shorten the range or choose a longer kind of period (week, month…)."
                )
                % {"count": count, "most": MAX_SERIES_PERIODS},
            )
        attrs.update(kind=kind, since=since, until=until)
        return attrs


class ChildrenQuerySerializer(PeriodQuerySerializer):
    facts = FigureKeysField(
        most=MAX_TABLE_FIGURES,
        required=False,
        help_text=(
            "The columns, comma-separated keys of facts or ratios (at most "
            f"{MAX_TABLE_FIGURES}); without it, every figure you may read."
        ),
    )


class AreaQuerySerializer(serializers.Serializer):
    area = TextParameter(
        required=False,
        help_text=(
            "The area whose readable figures to list (its code); without it, the widest "
            "area your grants name."
        ),
    )


# ---------------------------------------------------------------------------------------
# Answers


class AreaOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class SpanOutSerializer(serializers.Serializer):
    kind = serializers.CharField(
        allow_null=True, help_text="The period's kind; null for a custom range."
    )
    period = serializers.CharField(allow_null=True, help_text="The period's code, e.g. 2026-11.")
    since = serializers.DateField(help_text="The first day counted.")
    until = serializers.DateField(help_text="The first day not counted.")
    last_day = serializers.DateField(help_text="The last day counted.")
    label = serializers.CharField(help_text="As a page names it: 2026年11月.")


def span_payload(span: Span) -> dict:
    return {
        "kind": span.period.kind.value if span.period else None,
        "period": span.period.code if span.period else None,
        "since": span.since,
        "until": span.until,
        "last_day": span.until - dt.timedelta(days=1),
        "label": span.label,
    }


class FigureOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(
        allow_null=True,
        help_text="null: a ratio of nothing, or a figure still being counted (see `counting`).",
    )
    previous = serializers.FloatField(allow_null=True, help_text="The previous period's.")
    last_year = serializers.FloatField(allow_null=True, help_text="The same period last year.")
    change = serializers.FloatField(
        allow_null=True, help_text="% against the previous period; null when that was 0."
    )
    change_on_last_year = serializers.FloatField(
        allow_null=True, help_text="% against the same period last year; null when that was 0."
    )
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="When the job computed it; null: nothing counted yet."
    )
    is_ratio = serializers.BooleanField()
    percent = serializers.BooleanField(help_text="A ratio shown as a percentage.")


class FiguresOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    span = SpanOutSerializer()
    previous = SpanOutSerializer(help_text="What `previous` compares with.")
    last_year = SpanOutSerializer(help_text="What `last_year` compares with.")
    figures = FigureOutSerializer(many=True)
    computed_at = serializers.DateTimeField(
        allow_null=True, help_text="The latest figure's computation."
    )
    pending = serializers.IntegerField(
        help_text="Changes written under the area that the job has not rolled up yet."
    )
    counting = serializers.IntegerField(
        help_text="Figures with a null value because a job is still counting them: distinct "
        "counts (people counted once) over a custom range, counted from the raw rows in the "
        "background the first time they are asked for. Ask again in a few seconds."
    )


class FigureNameSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    is_ratio = serializers.BooleanField()
    percent = serializers.BooleanField()


def figure_name(figure: Fact | Ratio) -> dict:
    is_ratio = isinstance(figure, Ratio)
    return {
        "key": figure.key,
        "label": str(figure.label),
        "is_ratio": is_ratio,
        "percent": is_ratio and figure.percent,
    }


class PeriodOutSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="Its code.")
    label = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(help_text="The first day after it.")


class SeriesLineSerializer(FigureNameSerializer):
    values = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="One per period, in the order of `periods`.",
    )


class SeriesOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    kind = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(help_text="The first day after the last period.")
    periods = PeriodOutSerializer(many=True)
    series = SeriesLineSerializer(many=True)


class ChildRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["area", "station"], help_text="A child area, or a community's station."
    )
    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True, help_text="An area's code; null for a station.")
    name = serializers.CharField()
    level = serializers.CharField(allow_null=True, help_text="An area's level; null for a station.")
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text="Figure key → value."
    )


class ChildrenOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    span = SpanOutSerializer()
    figures = FigureNameSerializer(many=True, help_text="The columns, in order.")
    rows = ChildRowSerializer(many=True)


class BreakdownItemSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The value as stored ("-": not given).')
    label = serializers.CharField()
    value = serializers.FloatField()


class BreakdownOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    span = SpanOutSerializer()
    figure = FigureNameSerializer()
    broken_down_by = serializers.CharField()
    items = BreakdownItemSerializer(many=True)


class FactOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    measure = serializers.ChoiceField(choices=[m.value for m in Measure])
    additive = serializers.BooleanField(
        help_text="Sums over areas and days (a distinct count and a median do not)."
    )
    breakdown = serializers.CharField(help_text='What it is broken down by; "" when it is not.')
    is_state = serializers.BooleanField(
        help_text="Counted as things stand (a daily snapshot), not over a period's rows."
    )
    purpose = serializers.CharField(help_text='Who may read it: "read", or "party" (党务).')


class RatioOutSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    percent = serializers.BooleanField()
    purpose = serializers.CharField()


class FactsOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    facts = FactOutSerializer(many=True)
    ratios = RatioOutSerializer(many=True)


# The 一刻钟服务圈 snapshot (reports.coverage.Coverage.to_dict()), field for field.


class CoverageReachSerializer(serializers.Serializer):
    walking_kmh = serializers.FloatField()
    ebike_kmh = serializers.FloatField()
    detour_factor = serializers.FloatField()
    minutes = serializers.IntegerField()


class CoverageFiguresSerializer(serializers.Serializer):
    places = serializers.IntegerField()
    places_covered = serializers.IntegerField()
    places_percent = serializers.FloatField(allow_null=True)
    workers = serializers.IntegerField()
    workers_covered = serializers.IntegerField()
    workers_percent = serializers.FloatField(allow_null=True)
    unplaced = serializers.IntegerField()
    unplaced_workers = serializers.IntegerField()


class CoveragePlaceSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="outlet or community")
    id = serializers.IntegerField()
    name = serializers.CharField()
    area_code = serializers.CharField()
    workers = serializers.IntegerField()
    lon = serializers.FloatField(allow_null=True, help_text="WGS-84; null when unplaced.")
    lat = serializers.FloatField(allow_null=True)
    placed_by = serializers.CharField(help_text='centre, boundary, stations, or "" (unplaced).')
    walking = serializers.BooleanField()
    ebike = serializers.BooleanField()
    nearest_station_id = serializers.IntegerField(allow_null=True)
    nearest_station_name = serializers.CharField(allow_blank=True)
    nearest_station_m = serializers.IntegerField(allow_null=True)


class CoverageSuggestionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    area_code = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    workers_added = serializers.IntegerField()
    outlets_added = serializers.IntegerField()
    communities_added = serializers.IntegerField()
    workers_covered_after = serializers.IntegerField()
    workers_percent_after = serializers.FloatField(allow_null=True)


class CoveragePlanningSerializer(serializers.Serializer):
    mode = serializers.CharField()
    radius_m = serializers.IntegerField()
    workers = serializers.IntegerField()
    workers_covered = serializers.IntegerField()
    workers_percent = serializers.FloatField(allow_null=True)
    suggestions = CoverageSuggestionSerializer(many=True)
    workers_covered_after = serializers.IntegerField()
    workers_percent_after = serializers.FloatField(allow_null=True)


class CoverageResultSerializer(serializers.Serializer):
    area_code = serializers.CharField()
    area_name = serializers.CharField()
    area_level = serializers.CharField()
    computed_at = serializers.CharField(help_text="ISO 8601.")
    took_ms = serializers.IntegerField()
    reach = CoverageReachSerializer()
    radius_m = serializers.DictField(
        child=serializers.IntegerField(), help_text="walking/ebike → straight-line metres."
    )
    stations_from_outside = serializers.BooleanField()
    open_stations = serializers.IntegerField()
    open_stations_without_hours = serializers.IntegerField()
    outlets = serializers.DictField(child=CoverageFiguresSerializer(), help_text="By mode.")
    communities = serializers.DictField(child=CoverageFiguresSerializer(), help_text="By mode.")
    outlet_places = CoveragePlaceSerializer(many=True)
    community_places = CoveragePlaceSerializer(many=True)
    planning = CoveragePlanningSerializer(allow_null=True)


class CoverageOutSerializer(serializers.Serializer):
    area = AreaOutSerializer()
    computed_at = serializers.DateTimeField()
    coverage = CoverageResultSerializer()
