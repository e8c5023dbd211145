"""Points API: the ledger and accounts (read), staff adjustments, the area's rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from areas import access
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedRecordViewSet
from members.models import Worker

from .. import selectors, services
from ..models import PointsRule
from .serializers import (
    AdjustmentSerializer,
    PointsAccountSerializer,
    PointsEntrySerializer,
    PointsRuleSerializer,
)


class PointsAccountViewSet(ScopedReadOnlyViewSet):
    base_queryset = staticmethod(selectors.account_list)
    serializer_class = PointsAccountSerializer
    filterset_fields = ["worker"]


class PointsEntryViewSet(ScopedRecordViewSet):
    """The ledger, newest first. Entries are never changed or deleted; creating one here is
    a staff adjustment (a reason the worker reads; negative points take away)."""

    base_queryset = staticmethod(selectors.entry_list)
    serializer_class = PointsEntrySerializer
    filterset_fields = ["account", "kind", "source"]

    @extend_schema(request=AdjustmentSerializer, responses=PointsEntrySerializer)
    def create(self, request, *args, **kwargs):
        body = AdjustmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        worker = access.get_for_user(Worker.objects.all(), request.user, pk=data["worker"].pk)
        posted = services.points_adjust(
            actor=request.user,
            worker=worker,
            points=data["points"],
            reason=data["reason"],
            request_key=data["request_key"],
        )
        return Response(
            PointsEntrySerializer(posted.entry).data,
            status=status.HTTP_201_CREATED if posted.created else status.HTTP_200_OK,
        )


class PointsRuleViewSet(ScopedModelViewSet):
    """Points per event, set by district (or city) staff; no deletes (set 0 instead)."""

    base_queryset = staticmethod(selectors.rule_list)
    serializer_class = PointsRuleSerializer
    filterset_fields = ["area", "event", "activity_kind"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        serializer.instance = services.points_rule_save(
            actor=self.request.user, rule=PointsRule(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        rule = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rule, name, value)
        serializer.instance = services.points_rule_save(actor=self.request.user, rule=rule)
