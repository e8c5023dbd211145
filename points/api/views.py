"""Points API: the ledger and accounts (read), staff adjustments, the area's rules."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from areas import access
from areas.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedRecordViewSet
from members.models import Worker

from .. import selectors, services
from ..models import PointsRule, Reward
from .serializers import (
    AdjustmentSerializer,
    HandOverSerializer,
    PointsAccountSerializer,
    PointsEntrySerializer,
    PointsRuleSerializer,
    RedemptionSerializer,
    RewardSerializer,
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


class RewardViewSet(ScopedModelViewSet):
    """The area's rewards catalogue; no deletes (stop offering one instead)."""

    base_queryset = staticmethod(selectors.reward_list)
    serializer_class = RewardSerializer
    filterset_fields = ["area", "active", "sponsor_kind"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _save(self, serializer, reward):
        stations = serializer.validated_data.pop("pickup_stations", None)
        for name, value in serializer.validated_data.items():
            setattr(reward, name, value)
        serializer.instance = services.reward_save(
            actor=self.request.user, reward=reward, pickup_stations=stations
        )

    def perform_create(self, serializer):
        self._save(serializer, Reward())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)


class RedemptionViewSet(ScopedReadOnlyViewSet):
    """Redemptions of the user's areas, or at the stations they keep. `hand-over` takes a
    worker's pickup code; `cancel` gives points and stock back."""

    base_queryset = staticmethod(selectors.redemption_list)
    serializer_class = RedemptionSerializer
    filterset_fields = ["status", "station", "reward", "worker"]

    @extend_schema(request=HandOverSerializer, responses=RedemptionSerializer)
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request):
        body = HandOverSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        redemption = services.hand_over(
            actor=request.user, pickup_code=body.validated_data["pickup_code"]
        )
        return Response(RedemptionSerializer(redemption).data)

    @extend_schema(request=None, responses=RedemptionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        redemption = services.redemption_cancel(redemption=self.get_object(), actor=request.user)
        return Response(RedemptionSerializer(redemption).data)
