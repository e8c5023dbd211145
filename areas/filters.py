"""Filters every app's FilterSets share."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .models import Area


class AreaCodeFilter(filters.CharFilter):
    """`?area=<code>` (6 or 12 digits): rows in that area and everything under it.
    An unknown code matches nothing rather than everything."""

    def __init__(self, field_name: str = "area", **kwargs):
        kwargs.setdefault("label", _("Area code (the area and below)"))
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        area = Area.objects.filter(code=value.strip().ljust(12, "0")).first()
        if area is None:
            return queryset.none()
        return queryset.filter(**{f"{self.field_name}__code__startswith": area.prefix})
