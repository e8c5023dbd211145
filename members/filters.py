"""FilterSets shared by the API, the admin and the pages."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from areas.filters import AreaCodeFilter

from . import selectors
from .models import Occupation, Worker


class WorkerFilter(filters.FilterSet):
    area = AreaCodeFilter()
    status = filters.ChoiceFilter(choices=Worker.Status.choices)
    occupation = filters.ChoiceFilter(choices=Occupation.choices)
    source = filters.ChoiceFilter(choices=Worker.Source.choices)
    enterprise = filters.NumberFilter(field_name="enterprise_id")
    tag = filters.CharFilter(field_name="tags", lookup_expr="contains", method="filter_tag")
    q = filters.CharFilter(
        method="filter_search",
        label=_("Full name, phone or ID number (part of a name where you may unmask)"),
    )

    class Meta:
        model = Worker
        fields = ["area", "status", "occupation", "source", "enterprise", "tag", "q"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip()])

    def filter_search(self, queryset, name, value):
        return selectors.worker_search(queryset, value, user=self.request.user)
