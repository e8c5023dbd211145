"""The keeper's home on the admin index (issue 14 §5): their station, its state now, today's
visits and the one tap that closes it for today — what a keeper opens the admin for."""

from django import template

from stations.selectors import keeper_home_stations

register = template.Library()


@register.simple_tag(takes_context=True)
def keeper_home(context):
    request = context["request"]
    if not request.user.is_authenticated:
        return []
    return keeper_home_stations(request.user)
