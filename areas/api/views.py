from django_filters import rest_framework as filters

from areas.models import Area

from .base import ScopedReadOnlyViewSet
from .serializers import AreaSerializer


class AreaFilter(filters.FilterSet):
    under = filters.CharFilter(method="filter_under", label="Under the area with this code")

    class Meta:
        model = Area
        fields = ["level", "parent"]

    def filter_under(self, queryset, name, value):
        area = Area.objects.filter(code=value).first()
        return queryset.filter(code__startswith=area.prefix) if area else queryset.none()


class AreaViewSet(ScopedReadOnlyViewSet):
    """The areas the signed-in staff member reaches."""

    base_queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
