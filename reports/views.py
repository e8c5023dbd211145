"""The dashboards (issue 13 §2): the page for staff at every level of the tree, its
spreadsheet, and the 大屏 — the platform's own templates (templates/dashboard/), not admin
pages, so a change of the admin's theme does not touch them.

Who sees what is decided by reports.selectors: `may_see_dashboard` (staff with an area
grant that reads; a keeper or an auditor gets a plain 403 page), `dashboard_area` (an area
out of reach is a 404, as if it did not exist), `facts_for` (party figures need the
party-affairs flag). The 大屏 also opens with a display token (reports/display_tokens.py),
which reaches its own area's screen and nothing else.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.xlsx import government_xlsx

from . import dashboard, selectors
from .display_tokens import display_token_for
from .forms import span_from, span_params
from .screen import build_screen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The 大屏 fetches its figures again this often (the rollups run about every minute).
SCREEN_REFRESH_SECONDS = 60


def _staff_refusal(request):
    """None when the signed-in person may see dashboards; otherwise the response: sign in
    first, or the plain page saying the dashboard is not for this account."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.is_active and user.is_staff and selectors.may_see_dashboard(user)):
        return render(request, "dashboard/not_for_you.html", status=403)
    return None


@require_GET
@never_cache
def dashboard_page(request, code: str | None = None):
    refusal = _staff_refusal(request)
    if refusal is not None:
        return refusal
    area = selectors.dashboard_area(request.user, code)
    span, form = span_from(request.GET)
    page = dashboard.build_page(request.user, area, span, rank_by=request.GET.get("rank", ""))
    return render(
        request,
        "dashboard/page.html",
        {
            "page": page,
            "form": form,
            "query": urlencode(page.params),
            "prev_query": urlencode(page.prev_params) if page.prev_params else "",
            "next_query": urlencode(page.next_params) if page.next_params else "",
            "freshness": dashboard.freshness_text(page.computed_at),
            "coverage_freshness": dashboard.freshness_text(
                page.coverage["computed_at"] if page.coverage else None
            ),
            "level": dashboard.level_label(area.level),
            "charts": page.charts,
            "chart_data": {
                "charts": page.chart_specs(),
                "map": page.map_data,
                "text": {"empty": _("Nothing in this period.")},
            },
        },
    )


@require_GET
@never_cache
def dashboard_stations(request, code: str):
    """The dashboard map's station layer for the page's period (its script fetches it, so
    a city's 2,000 stations do not weigh on the page itself): the same access as the page."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Sign in again.")}, status=401)
    refusal = _staff_refusal(request)
    if refusal is not None:
        return JsonResponse({"detail": _("The dashboard is not for this account")}, status=403)
    area = selectors.dashboard_area(request.user, code)
    span, _form = span_from(request.GET)
    stations = dashboard.scoped_stations(request.user, area)
    facts, _ratios = dashboard.readable_facts(request.user, area)
    layer = dashboard.station_layer(
        dashboard.station_facts(stations, with_point=True),
        dashboard.station_visits(stations, area, span, facts),
        span_params(span),
    )
    return JsonResponse(layer, json_dumps_params={"ensure_ascii": False})


@require_GET
@never_cache
def dashboard_export(request, code: str):
    """The ranked table of the children as a spreadsheet in the government layout."""
    refusal = _staff_refusal(request)
    if refusal is not None:
        return refusal
    area = selectors.dashboard_area(request.user, code)
    span, _form = span_from(request.GET)
    page = dashboard.build_page(request.user, area, span, rank_by=request.GET.get("rank", ""))
    columns, rows = dashboard.export_rows(page)
    title = _("%(area)s, %(period)s: %(level)s compared") % {
        "area": area.name,
        "period": span.label,
        "level": page.children_title or _("areas"),
    }
    body = government_xlsx(
        title=title,
        unit=area.full_name,
        columns=columns,
        rows=rows,
        widths=[24],
        sheet_name=span.label,
    )
    response = HttpResponse(body, content_type=XLSX)
    name = "-".join(["dashboard", area.code, *span_params(span).values()][:5])
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# ---------------------------------------------------------------------------------------
# The 大屏


def _screen_access(request, code: str):
    """(area, token or None, refusal response or None) for the 大屏 and its data."""
    if "token" in request.GET:
        row = display_token_for(request.GET.get("token", ""), area_code=code)
        if row is None:
            return None, None, _screen_refused(request)
        return row.area, request.GET["token"], None
    refusal = _staff_refusal(request)
    if refusal is not None:
        return None, None, refusal
    return selectors.dashboard_area(request.user, code), None, None


def _screen_refused(request):
    response = render(request, "dashboard/screen_refused.html", status=403)
    response["Referrer-Policy"] = "no-referrer"
    return response


def _private(response):
    # The address may hold a token: never sent on to the map's tile server, never cached.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
def screen_page(request, code: str):
    area, token, refusal = _screen_access(request, code)
    if refusal is not None:
        return refusal
    data = build_screen(area)
    data_url = request.path + "data/"
    if token:
        data_url += "?" + urlencode({"token": token})
    return _private(
        render(
            request,
            "dashboard/screen.html",
            {
                "area": area,
                "data": data,
                "screen_config": {
                    "dataUrl": data_url,
                    "refreshSeconds": SCREEN_REFRESH_SECONDS,
                    "timeZone": settings.TIME_ZONE,
                    "text": {
                        "computed": _("Figures computed at %(at)s"),
                        "pending": _("%(count)s changes waiting to be counted"),
                        "stale": _("Could not refresh: showing the figures of %(at)s"),
                        "ended": _("This screen's link is no longer valid."),
                        "coverage": _(
                            "By e-bike %(ebike)s, on foot %(walking)s of workers · "
                            "%(gaps)s places out of reach · computed %(at)s"
                        ),
                        "no_coverage": _("Not computed yet."),
                        "walking": _("On foot"),
                        "ebike": _("By e-bike"),
                        "nothing": _("Nothing yet today."),
                    },
                },
                "level": dashboard.level_label(area.level),
                "generated_at": timezone.localtime(),
            },
        )
    )


@require_GET
@never_cache
def screen_data(request, code: str):
    area, _token, refusal = _screen_access(request, code)
    if refusal is not None:
        if refusal.status_code == 302:  # a staff session that ended: the screen reloads
            return JsonResponse({"detail": _("Sign in again.")}, status=401)
        return JsonResponse({"detail": _("This screen's link is no longer valid.")}, status=403)
    return _private(JsonResponse(build_screen(area), json_dumps_params={"ensure_ascii": False}))
