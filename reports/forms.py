"""The dashboards' period picker: a calendar period (day, ISO week, month, quarter, year,
written as its code: 2026-11-30, 2026-W49, 2026-11, 2026-Q4, 2026) or a custom range of
days. A GET form: the address says what is shown, so a page can be bookmarked, printed and
sent to a colleague as it is."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.exceptions import ApplicationError

from .periods import FIRST_YEAR, Period, PeriodKind
from .selectors import Span

RANGE = "range"
# A custom range is read from day buckets (and its distinct counts from the raw rows), so
# it is kept to what a person compares by hand: a year at most.
MAX_RANGE_DAYS = 366

KIND_CHOICES = [
    (PeriodKind.DAY.value, pgettext_lazy("period", "Day")),
    (PeriodKind.WEEK.value, pgettext_lazy("period", "Week")),
    (PeriodKind.MONTH.value, pgettext_lazy("period", "Month")),
    (PeriodKind.QUARTER.value, pgettext_lazy("period", "Quarter")),
    (PeriodKind.YEAR.value, pgettext_lazy("period", "Year")),
    (RANGE, gettext_lazy("Custom range")),
]


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Period"), choices=KIND_CHOICES, required=False)
    period = forms.CharField(
        label=gettext_lazy("Which"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("e.g. 2026-11-30, 2026-W49, 2026-11, 2026-Q4 or 2026"),
    )
    since = forms.DateField(label=gettext_lazy("From"), required=False)
    until = forms.DateField(label=gettext_lazy("To (inclusive)"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("kind") or PeriodKind.MONTH.value
        data["kind"] = kind
        if kind == RANGE:
            since, until = data.get("since"), data.get("until")
            if since is None or until is None:
                raise forms.ValidationError(_("Give both the first and the last day of the range."))
            if until < since:
                raise forms.ValidationError(_("The last day comes before the first."))
            if since.year < FIRST_YEAR or since > today:
                raise forms.ValidationError(_("The range must start between 1950 and today."))
            if (until - since).days + 1 > MAX_RANGE_DAYS:
                raise forms.ValidationError(
                    _("A custom range is at most %(days)d days: choose a year instead.")
                    % {"days": MAX_RANGE_DAYS}
                )
            data["span"] = Span(since, until + dt.timedelta(days=1))
            return data
        code = (data.get("period") or "").strip()
        try:
            period = (
                Period.parse(kind, code, field="period") if code else Period.containing(kind, today)
            )
        except ApplicationError as refusal:
            raise forms.ValidationError(refusal.message) from None
        if period.start > today:
            raise forms.ValidationError(_("That period has not started yet."))
        data["span"] = Span.of(period)
        return data


def default_span() -> Span:
    """This month, to date: what a department looks at first."""
    return Span.of(Period.containing(PeriodKind.MONTH, timezone.localdate()))


def span_from(params) -> tuple[Span, PeriodForm]:
    """The span the request asks for, and the bound form (with its errors, when the input
    was refused: the page then shows this month and says why)."""
    form = PeriodForm(params)
    if form.is_valid():
        return form.cleaned_data["span"], form
    return default_span(), form


def span_params(span: Span) -> dict[str, str]:
    """The query parameters that name `span` (links keep the period when drilling down)."""
    if span.period is not None:
        return {"kind": span.period.kind.value, "period": span.period.code}
    last = span.until - dt.timedelta(days=1)
    return {"kind": RANGE, "since": span.since.isoformat(), "until": last.isoformat()}
