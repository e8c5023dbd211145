"""Where a staff member starts after logging in (issue 14 §5): a district or city
department on its dashboard (its work is the figures of everything below it); everyone
else on the admin's home page, with their work queue first (a keeper: their station).

Only the first visit to /admin/ after a login goes to the dashboard, so the admin's home
page stays one click away ("管理后台" in the dashboard's top bar)."""

from django.contrib import admin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from areas.models import StaffGrant

from . import selectors

START_ON_DASHBOARD = "reports.start_on_dashboard"
DASHBOARD_FIRST_ROLES = (StaffGrant.Role.CITY_DEPARTMENT, StaffGrant.Role.DISTRICT_DEPARTMENT)


def remember_where_to_start(sender, request, user, **kwargs):
    """On a login through the login page (user_logged_in): a department's staff member
    starts on the dashboard. Logins made by code (tests, scripts) start nowhere new."""
    if request is None or request.path != reverse("admin:login"):
        return
    if user.is_staff and user.grants.filter(role__in=DASHBOARD_FIRST_ROLES).exists():
        request.session[START_ON_DASHBOARD] = True


def admin_home(request):
    """/admin/, behind the admin's own checks (two-factor verification included)."""
    if request.session.pop(START_ON_DASHBOARD, False) and selectors.may_see_dashboard(request.user):
        try:
            area = selectors.dashboard_area(request.user)
        except Http404:
            pass  # no area to show: the admin's home page, as for everyone
        else:
            return redirect("dashboard-area", area.code)
    return admin.site.index(request)
