"""Feedback's figures for rollups and dashboards (core.facts; reports/ discovers them):
cases received (by kind, category and source), routing steps (by rule), accepted, closed;
the on-time rate — on-time closed ÷ (closed + open and overdue), so a case left overdue
counts against it instead of waiting out of sight; the median hours to a first answer and
to resolution; the reopen rate; satisfaction; the open backlog; and the 移动探头 figure,
reports by part-time grid workers and supervisors per reporting role holder.

The rates are over the cases received in the period (each case counted once, by the day
it came in), so a month's rate does not move when an old case closes."""

from django.db.models import Case as SqlCase
from django.db.models import ExpressionWrapper, F, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, HoursBetween, Measure, Ratio

OPEN = Q(status__in=["submitted", "accepted", "referred", "in_progress"])
CLOSED = Q(status="closed")
# The worker's verdicts on the answers: each "not fixed" (the reopenings) and the final
# "fixed" (satisfied). A case closed on its own, unanswered, gives none.
VERDICTS = ExpressionWrapper(
    F("reopen_count")
    + SqlCase(When(satisfied=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
    output_field=IntegerField(),  # a small positive integer plus an integer: say which
)

FACTS = [
    Fact(
        key="feedback.received",
        label=_("Cases received (suggestions, demands, hazards)"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        breakdown="kind",
    ),
    Fact(
        key="feedback.received_by_category",
        label=_("Cases received, by category"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        breakdown="category",
    ),
    Fact(
        key="feedback.received_by_source",
        label=_("Cases received, by how they came in"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        breakdown="source",
    ),
    Fact(
        key="feedback.routing_steps",
        label=_("Routing steps, by the rule that made them"),
        model="feedback.CaseHop",
        area_path="case__area",
        date_field="at",
        breakdown="rule",
    ),
    Fact(
        key="feedback.accepted",
        label=_("Cases accepted (研判)"),
        model="feedback.Case",
        area_path="area",
        date_field="accepted_at",
        where=Q(accepted_at__isnull=False),
    ),
    Fact(
        key="feedback.closed",
        label=_("Cases closed"),
        model="feedback.Case",
        area_path="area",
        date_field="closed_at",
        where=CLOSED & Q(closed_at__isnull=False),
    ),
    Fact(
        key="feedback.closed_on_time",
        label=_("Cases received and closed on time"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=CLOSED & Q(late=False),
    ),
    Fact(
        key="feedback.closed_or_overdue",
        label=_("Cases received and closed, or still open and overdue"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=CLOSED | (OPEN & Q(late=True)),
    ),
    Fact(
        key="feedback.hours_to_first_response",
        label=_("Median hours to a first answer"),
        model="feedback.Case",
        area_path="area",
        measure=Measure.MEDIAN,
        over=HoursBetween("created_at", "first_response_at"),
        date_field="first_response_at",
        where=Q(first_response_at__isnull=False),
    ),
    Fact(
        key="feedback.hours_to_resolution",
        label=_("Median hours from the case to its answer"),
        model="feedback.Case",
        area_path="area",
        measure=Measure.MEDIAN,
        over=HoursBetween("created_at", "resolved_at"),
        date_field="resolved_at",
        where=Q(resolved_at__isnull=False),
    ),
    Fact(
        key="feedback.answered",
        label=_("Cases received and answered"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=~Q(answer=""),
    ),
    Fact(
        key="feedback.reopened",
        label=_("Cases received and reopened as not fixed"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=Q(reopen_count__gt=0),
    ),
    Fact(
        key="feedback.verdicts",
        label=_("Workers' answers: fixed or not fixed"),
        model="feedback.Case",
        area_path="area",
        measure=Measure.SUM,
        over=VERDICTS,
        date_field="created_at",
        where=Q(reopen_count__gt=0) | Q(satisfied=True),
    ),
    Fact(
        key="feedback.satisfied",
        label=_("Workers satisfied with the answer"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=Q(satisfied=True),
    ),
    Fact(
        key="feedback.open",
        label=_("Cases open now"),
        model="feedback.Case",
        area_path="area",
        where=OPEN,
        breakdown="status",
    ),
    Fact(
        key="feedback.open_overdue",
        label=_("Cases open and overdue now"),
        model="feedback.Case",
        area_path="area",
        where=OPEN & Q(late=True),
    ),
    Fact(
        key="feedback.probe_reports",
        label=_("Reports by grid workers and supervisors (移动探头)"),
        model="feedback.Case",
        area_path="area",
        date_field="created_at",
        where=~Q(reporter_role=""),
        breakdown="reporter_role",
    ),
    Fact(
        key="feedback.probe_reporters",
        label=_("Grid workers and supervisors who reported"),
        model="feedback.Case",
        area_path="area",
        measure=Measure.DISTINCT,
        over="reporter",
        date_field="created_at",
        where=~Q(reporter_role=""),
    ),
]

RATIOS = [
    Ratio(
        key="feedback.on_time_rate",
        label=_("On time: closed on time ÷ (closed + open and overdue)"),
        numerator="feedback.closed_on_time",
        denominator="feedback.closed_or_overdue",
    ),
    Ratio(
        key="feedback.reopen_rate",
        label=_("Reopened as not fixed, of the cases answered"),
        numerator="feedback.reopened",
        denominator="feedback.answered",
    ),
    Ratio(
        key="feedback.satisfaction",
        label=_("Satisfied, of the workers' answers"),
        numerator="feedback.satisfied",
        denominator="feedback.verdicts",
    ),
    Ratio(
        key="feedback.reports_per_probe",
        label=_("Reports per grid worker or supervisor who reported"),
        numerator="feedback.probe_reports",
        denominator="feedback.probe_reporters",
        percent=False,
    ),
]
