"""The admin's header names the staff member as colleagues know them (issue 14 §5): their
name (family name first, as Chinese names are written) and their position — the role and
area of their grant — not the login name (COMMUNITY_BEIDAJIE)."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def staff_name(user) -> str:
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


@register.simple_tag
def staff_position(user) -> str:
    grants = list(user.grants.select_related("area").order_by("area__code", "role")[:2])
    if not grants:
        return _("Platform administrator") if user.is_superuser else ""
    first = grants[0]
    position = f"{first.area.name} · {first.get_role_display()}"
    return position + (_(" and more") if len(grants) > 1 else "")
