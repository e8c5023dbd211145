"""FilterSets shared by the API, the admin and the pages."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from areas.filters import AreaCodeFilter

from . import selectors
from .models import Brand, CheckIn, Station


class StationFilter(filters.FilterSet):
    area = AreaCodeFilter()
    brand = filters.ModelChoiceFilter(
        queryset=Brand.objects.all(), to_field_name="code", label=_("Brand code")
    )
    facility = filters.CharFilter(
        method="filter_facility", label=_("Facility codes, comma-separated (all required)")
    )
    open_now = filters.BooleanFilter(method="filter_open_now", label=_("Open now"))
    status = filters.ChoiceFilter(choices=Station.Status.choices)
    compliant = filters.BooleanFilter()
    q = filters.CharFilter(method="filter_search", label=_("Name, address or pinyin initials"))

    class Meta:
        model = Station
        fields = ["area", "brand", "facility", "open_now", "status", "compliant", "q"]

    def filter_facility(self, queryset, name, value):
        codes = [c.strip() for c in value.split(",") if c.strip()]
        return selectors.with_facilities(queryset, codes)

    def filter_open_now(self, queryset, name, value):
        q = selectors.open_now_q()
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(name_initials__startswith=value.lower())
        )


class CheckInFilter(filters.FilterSet):
    # Plain ids (not model choices): an id outside the user's reach simply matches nothing.
    station = filters.NumberFilter(field_name="station_id", label=_("Station id"))
    worker = filters.NumberFilter(field_name="worker_id", label=_("Worker id"))
    area = AreaCodeFilter(field_name="station__area")
    since = filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From (date)"))
    until = filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Until (date)"))
    named = filters.BooleanFilter(
        field_name="worker", lookup_expr="isnull", exclude=True, label=_("Named workers only")
    )

    class Meta:
        model = CheckIn
        fields = ["station", "worker", "source", "far_away", "area", "since", "until", "named"]
