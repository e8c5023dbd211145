"""The admin's header names the staff member as colleagues know them (issue 14 §5): their
name (family name first, as Chinese names are written) and their position — the area of
their grant and the position in their staff profile, or the grant's role — not the login
name (COMMUNITY_BEIDAJIE)."""

from django import template
from django.utils.translation import gettext as _

from areas.models import StaffProfile

register = template.Library()


@register.simple_tag
def staff_name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


@register.simple_tag
def staff_position(user) -> str:
    """The area of their grant and their position: the one in their staff profile, or
    else the role of the grant."""
    grants = list(user.grants.select_related("area").order_by("area__code", "role")[:2])
    profile = StaffProfile.objects.filter(user=user).first()
    if not grants:
        if profile and profile.position:
            return profile.position
        return _("Platform administrator") if user.is_superuser else ""
    first = grants[0]
    title = profile.position if profile and profile.position else first.get_role_display()
    position = f"{first.area.name} · {title}"
    return position + (_(" and more") if len(grants) > 1 else "")
