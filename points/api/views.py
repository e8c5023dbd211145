"""Points API: the ledger and accounts (read), staff adjustments, the area's rules."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from areas.api.base import (
    ScopedReadOnlyViewSet,
    ScopedServiceRecordViewSet,
    ScopedServiceViewSet,
    assign,
)

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


class PointsEntryViewSet(ScopedServiceRecordViewSet):
    """The ledger, newest first. Entries are never changed or deleted; creating one here is
    a staff adjustment (a reason the worker reads; negative points take away). Sending the
    same `request_key` again answers 200 with the entry already made."""

    base_queryset = staticmethod(selectors.entry_list)
    input_serializer_class = AdjustmentSerializer
    serializer_class = PointsEntrySerializer
    filterset_fields = ["account", "kind", "source"]

    def create_service(self, *, actor, **data):
        posted = services.points_adjust(actor=actor, **data)
        return posted.entry, posted.created


class PointsRuleViewSet(ScopedServiceViewSet):
    """Points per event, set by district (or city) staff; no deletes (set 0 instead)."""

    base_queryset = staticmethod(selectors.rule_list)
    serializer_class = PointsRuleSerializer
    filterset_fields = ["area", "event", "activity_kind"]

    def create_service(self, *, actor, **data):
        return services.points_rule_save(actor=actor, rule=PointsRule(**data))

    def update_service(self, *, actor, instance, **data):
        return services.points_rule_save(actor=actor, rule=assign(instance, data))


class RewardViewSet(ScopedServiceViewSet):
    """The area's rewards catalogue; no deletes (stop offering one instead)."""

    base_queryset = staticmethod(selectors.reward_list)
    serializer_class = RewardSerializer
    filterset_fields = ["area", "active", "sponsor_kind"]

    def create_service(self, *, actor, **data):
        return self.update_service(actor=actor, instance=Reward(), **data)

    def update_service(self, *, actor, instance, pickup_stations=None, **data):
        return services.reward_save(
            actor=actor, reward=assign(instance, data), pickup_stations=pickup_stations
        )


class RedemptionViewSet(ScopedReadOnlyViewSet):
    """Redemptions of the user's areas, or at the stations they keep. `hand-over` takes a
    worker's pickup code; `cancel` gives points and stock back."""

    base_queryset = staticmethod(selectors.redemption_list)
    serializer_class = RedemptionSerializer
    filterset_fields = ["status", "station", "reward", "worker"]

    @extend_schema(request=HandOverSerializer, responses=RedemptionSerializer)
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request):
        return self.run_service(services.hand_over, **self.validated_input(HandOverSerializer))

    @extend_schema(request=None, responses=RedemptionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_service(services.redemption_cancel, redemption=self.get_object())
