"""FilterSets shared by the API, the admin and the pages: estates, gates, passes and
entries. Every choice of a row (an estate, a gate) is offered through the choke point
(areas.references.ScopedFilterBackend replaces these querysets with the user's)."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from areas.filters import AreaCodeFilter
from members.models import Occupation

from .models import EntryLog, Estate, EstatePass, Gate


def objection_waiting(queryset: QuerySet, waiting: bool = True) -> QuerySet:
    """Passes whose suspension the worker objected to, still suspended and the objection
    not answered yet (what the community settles: selectors.contested_passes); with
    False, every other pass. The admin's "objected to" filter, the API's ?contested= and
    the work queue all ask this."""
    q = {
        "status": EstatePass.Status.SUSPENDED,
        "contested_at__isnull": False,
        "contest_answered_at__isnull": True,
    }
    return queryset.filter(**q) if waiting else queryset.exclude(**q)


class EstateFilter(filters.FilterSet):
    area = AreaCodeFilter()
    active = filters.BooleanFilter(label=_("Taking passes"))
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Estate name"))

    class Meta:
        model = Estate
        fields = ["area", "active", "q"]


class GateFilter(filters.FilterSet):
    estate = filters.ModelChoiceFilter(queryset=Estate.objects.all(), label=_("Estate"))
    active = filters.BooleanFilter(label=_("Open"))

    class Meta:
        model = Gate
        fields = ["estate", "active"]


class EstatePassFilter(filters.FilterSet):
    estate = filters.ModelChoiceFilter(queryset=Estate.objects.all(), label=_("Estate"))
    status = filters.ChoiceFilter(choices=EstatePass.Status.choices)
    occupation = filters.ChoiceFilter(choices=Occupation.choices)
    contested = filters.BooleanFilter(
        method="filter_contested", label=_("Suspended, and the worker objected")
    )

    class Meta:
        model = EstatePass
        fields = ["estate", "status", "occupation", "contested"]

    def filter_contested(self, queryset, name, value):
        return objection_waiting(queryset, value)


class EntryFilter(filters.FilterSet):
    estate = filters.ModelChoiceFilter(queryset=Estate.objects.all(), label=_("Estate"))
    gate = filters.ModelChoiceFilter(queryset=Gate.objects.all(), label=_("Gate"))
    outcome = filters.ChoiceFilter(choices=EntryLog.Outcome.choices)
    occupation = filters.ChoiceFilter(choices=Occupation.choices)
    since = filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From (date)"))
    until = filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Until (date)"))

    class Meta:
        model = EntryLog
        fields = ["estate", "gate", "outcome", "occupation", "since", "until"]
