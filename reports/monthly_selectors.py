"""Reads of the monthly reports (issue 13 §3), scoped by areas.access: one area's reports
over recent months, the reports of an area's children for a month (what a city looks at to
see who has submitted), and who may fetch which stored workbook.

Which copy of a workbook a reader gets follows the columns they may read
(reports.monthly.with_party_columns): the copy with the party columns only for
party-affairs staff of the area."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from areas import access
from areas.models import Area

from . import monthly
from .models import MonthlyReport
from .periods import Period, PeriodKind

RECENT_MONTHS = 12


def reports_in_reach(user):
    return access.scope(MonthlyReport.objects.all(), user).select_related(
        "area", "submitted_by", "requested_by"
    )


def report_of(user, area: Area, month: Period) -> MonthlyReport | None:
    """The area's report for the month, if one was ever asked for (None otherwise)."""
    return reports_in_reach(user).filter(area=area, month=month.start).first()


def recent_months(today: dt.date, count: int = RECENT_MONTHS) -> list[Period]:
    """This month and the ones before it, newest first."""
    months, month = [], Period.containing(PeriodKind.MONTH, today)
    for _index in range(count):
        months.append(month)
        month = month.previous()
    return months


def area_reports(user, area: Area, months: list[Period]) -> list[tuple[Period, MonthlyReport]]:
    """Each month with the area's report for it (None where none was made). One query."""
    found = {
        report.month: report
        for report in reports_in_reach(user).filter(area=area, month__in=[m.start for m in months])
    }
    return [(month, found.get(month.start)) for month in months]


@dataclass
class ChildReport:
    area: Area
    report: MonthlyReport | None


def children_reports(user, area: Area, month: Period) -> list[ChildReport]:
    """The area's child areas, each with its report for the month (None where none was
    made), in code order. A community's children are stations, which have no report of
    their own: none."""
    children = [child for child in Area.objects.filter(parent=area).order_by("code")]
    found = {
        report.area_id: report
        for report in reports_in_reach(user).filter(area__in=children, month=month.start)
    }
    return [ChildReport(child, found.get(child.pk)) for child in children]


def copy_of(report: MonthlyReport, *, submitted: bool, user) -> str | None:
    """The stored workbook `user` gets of the report's current or submitted copy."""
    party = monthly.with_party_columns(user, report.area)
    if submitted:
        field = report.submitted_party_file if party else report.submitted_file
    else:
        field = report.party_file if party else report.file
    return field.name or None


def may_view_file(request, name: str) -> bool:
    """core.private_files asks this for /files/reports.monthly/<name>: a stored workbook is
    fetched by staff who reach its area, and a copy with party columns only by those who
    read party figures there."""
    user = request.user
    if not (user.is_authenticated and user.is_staff):
        return False
    report = (
        reports_in_reach(user)
        .filter(
            Q(file=name)
            | Q(party_file=name)
            | Q(submitted_file=name)
            | Q(submitted_party_file=name)
        )
        .first()
    )
    if report is None:
        return False
    if name in (report.party_file.name, report.submitted_party_file.name):
        return monthly.with_party_columns(user, report.area)
    return True
