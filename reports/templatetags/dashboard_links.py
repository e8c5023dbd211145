"""The admin index's way to the dashboard: staff who may see one (reports.selectors) get a
link to their area's dashboard and 大屏."""

from django import template
from django.http import Http404
from django.urls import reverse

from reports import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_link(context) -> dict | None:
    user = context["request"].user
    if not (user.is_authenticated and user.is_staff and selectors.may_see_dashboard(user)):
        return None
    try:
        area = selectors.dashboard_area(user)
    except Http404:  # no area to show after all: the index shows without the link
        return None
    return {
        "area": area.name,
        "url": reverse("dashboard-area", args=[area.code]),
        "screen_url": reverse("dashboard-screen", args=[area.code]),
    }
