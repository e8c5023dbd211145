"""The monthly report's pages, under /dashboard/<area code>/monthly/ (issue 13 §3).

Staff only: someone signed out is sent to sign in, anyone else who is not staff, and any
staff member asking for an area out of their reach, gets 404 (reports.selectors
.dashboard_area, the choke point areas.access underneath). Everyone who may look at the
area may make the report and download it; submitting needs a role that may make changes
there (a read-only viewer gets 403 with the reason). Party columns are shown, and the
workbook with them is served, only to party-affairs staff of the area.

    /dashboard/<code>/monthly/                           the area's recent months
    /dashboard/<code>/monthly/<yyyy-mm>/                 one month: make, look, submit
    /dashboard/<code>/monthly/<yyyy-mm>/generate/        POST: make it (again)
    /dashboard/<code>/monthly/<yyyy-mm>/submit/          POST: mark the month submitted
    /dashboard/<code>/monthly/<yyyy-mm>/print/           the printable page (current copy)
    /dashboard/<code>/monthly/<yyyy-mm>/download/        the workbook (current copy)
    /dashboard/<code>/monthly/<yyyy-mm>/submitted/print/ … and of the submitted copy
    /dashboard/<code>/monthly/<yyyy-mm>/submitted/download/
    /dashboard/<code>/monthly/<yyyy-mm>/areas/           the child areas' reports: who
                                                         has submitted, who and when
"""

import datetime as dt
import functools
import re

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from areas import access
from areas.access import Purpose
from core.exceptions import ApplicationError
from core.private_files import private_storage

from . import monthly, monthly_selectors, monthly_services, selectors
from .models import MonthlyReport
from .periods import Period, PeriodKind


def _staff_area(request, code: str):
    """The area the address names, for a staff member who reaches it; else 404."""
    if not request.user.is_authenticated:
        return None
    if not request.user.is_staff or not selectors.may_see_dashboard(request.user):
        raise Http404
    return selectors.dashboard_area(request.user, code)


def _month(code: str) -> Period:
    try:
        return Period.parse(PeriodKind.MONTH, code, field="month")
    except ApplicationError:
        raise Http404 from None


def staff_page(view):
    """Signed out: to the sign-in page. Otherwise the view gets the area and month."""

    @functools.wraps(view)
    def wrapper(request, code: str, month: str | None = None, **kwargs):
        area = _staff_area(request, code)
        if area is None:
            return redirect_to_login(request.get_full_path())
        if month is not None:
            kwargs["month"] = _month(month)
        return view(request, area, **kwargs)

    return wrapper


def _lineage(user, area) -> list:
    """The breadcrumb: the areas from the widest the user reaches down to this one."""
    return [a for a in reversed(area.lineage()) if access.can_in(user, a, Purpose.READ)]


def _month_url(area, month: Period) -> str:
    return reverse("dashboard-monthly-report", args=[area.code, month.code])


@require_GET
@staff_page
def monthly_index(request, area):
    """The area's months, newest first, each with its report's state."""
    months = monthly_selectors.recent_months(timezone.localdate())
    return render(
        request,
        "dashboard/monthly/index.html",
        {
            "area": area,
            "lineage": _lineage(request.user, area),
            "months": monthly_selectors.area_reports(request.user, area, months),
            "has_child_areas": area.level != area.Level.COMMUNITY,
        },
    )


def _month_context(request, area, month: Period) -> dict:
    report = monthly_selectors.report_of(request.user, area, month)
    table = report.table if report and report.table else None
    columns = monthly.columns_of(table, monthly.visible_keys(request.user, area)) if table else []
    rows, total = monthly.shown_rows(table, columns) if table else ([], [])
    return {
        "area": area,
        "lineage": _lineage(request.user, area),
        "month": month,
        "report": report,
        "table": table,
        "columns": columns,
        "rows": rows,
        "total": total,
        "figures_computed_at": _parsed(table["figures_computed_at"]) if table else None,
        "may_submit": access.can_in(request.user, area, Purpose.WRITE),
        "month_over": month.end <= timezone.localdate(),
        "month_started": month.start <= timezone.localdate(),
        "has_child_areas": area.level != area.Level.COMMUNITY,
        "previous_month": month.previous(),
        "next_month": month.next() if month.next().start <= timezone.localdate() else None,
    }


@require_GET
@staff_page
def monthly_report(request, area, month: Period):
    """One month's report: its state, the figures of the current copy, and the actions."""
    return render(request, "dashboard/monthly/month.html", _month_context(request, area, month))


@require_POST
@staff_page
def monthly_generate(request, area, month: Period):
    try:
        report = monthly_services.monthly_report_generate(
            actor=request.user, area=area, month=month
        )
    except ApplicationError as error:
        context = _month_context(request, area, month) | {"error": error.message}
        return render(request, "dashboard/monthly/month.html", context, status=400)
    if report.generation == MonthlyReport.Generation.READY:
        messages.success(request, _("The report is made with the figures as they are now."))
    return redirect(_month_url(area, month))


@require_POST
@staff_page
def monthly_submit(request, area, month: Period):
    version = request.POST.get("version", "")
    try:
        monthly_services.monthly_report_submit(
            actor=request.user,
            area=area,
            month=month,
            version=int(version) if version.isascii() and version.isdigit() else -1,
        )
    except ApplicationError as error:
        context = _month_context(request, area, month) | {"error": error.message}
        return render(request, "dashboard/monthly/month.html", context, status=400)
    except PermissionDenied as refused:
        # A read-only role: 403, with the reason in words on the page it came from.
        context = _month_context(request, area, month) | {"error": str(refused)}
        return render(request, "dashboard/monthly/month.html", context, status=403)
    messages.success(request, _("The report is submitted. The submitted copy is kept as it is."))
    return redirect(_month_url(area, month))


def _report_with(request, area, month: Period, *, submitted: bool) -> MonthlyReport:
    report = monthly_selectors.report_of(request.user, area, month)
    if report is None or not (report.submitted_table if submitted else report.table):
        raise Http404
    return report


@require_GET
@staff_page
def monthly_print(request, area, month: Period, submitted: bool = False):
    """The printable page: the same figures as the workbook of the same copy."""
    report = _report_with(request, area, month, submitted=submitted)
    table = report.submitted_table if submitted else report.table
    columns = monthly.columns_of(table, monthly.visible_keys(request.user, area))
    rows, total = monthly.shown_rows(table, columns)
    return render(
        request,
        "dashboard/monthly/print.html",
        {
            "area": area,
            "month": month,
            "report": report,
            "submitted": submitted,
            "table": table,
            "columns": columns,
            "rows": rows,
            "total": total,
            "made_at": _parsed(table["made_at"]),
            "figures_computed_at": _parsed(table["figures_computed_at"]),
        },
    )


def _parsed(iso: str | None):
    return dt.datetime.fromisoformat(iso) if iso else None


# What a download's name may keep of an area's name (the rest becomes "_").
_UNSAFE_IN_FILENAME = re.compile(r"[^\w\-（）()]", re.UNICODE)


@require_GET
@staff_page
def monthly_download(request, area, month: Period, submitted: bool = False):
    """The workbook of the current or submitted copy, with or without the party columns as
    the reader may read them, under a name a person recognises."""
    report = _report_with(request, area, month, submitted=submitted)
    name = monthly_selectors.copy_of(report, submitted=submitted, user=request.user)
    if not name or not private_storage.exists(name):
        raise Http404
    label = _UNSAFE_IN_FILENAME.sub("_", area.name)[:60]
    suffix = "（已报送）" if submitted else ""
    response = FileResponse(
        private_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{label}{monthly.month_label(month)}月报{suffix}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@staff_page
def monthly_children(request, area, month: Period):
    """The child areas' reports for the month: made or not, submitted by whom and when."""
    children = monthly_selectors.children_reports(request.user, area, month)
    return render(
        request,
        "dashboard/monthly/children.html",
        {
            "area": area,
            "lineage": _lineage(request.user, area),
            "month": month,
            "children": children,
            "submitted_count": sum(1 for c in children if c.report and c.report.is_submitted),
            "previous_month": month.previous(),
            "next_month": month.next() if month.next().start <= timezone.localdate() else None,
        },
    )
