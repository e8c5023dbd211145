"""Estate pass API: estates and their gates (staff of the community, and a property
company's manager for their own estates, add and change them); passes, masked, which a
manager `suspend`s with a reason the worker reads or `reinstate`s; the entries at the
gates, read only. Workers and guards use the phone pages, not this API."""

from django.db.models import Count
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from areas.api.base import ScopedReadOnlyViewSet, ScopedServiceViewSet, assign

from .. import selectors, services
from ..filters import EntryFilter, EstateFilter, EstatePassFilter, GateFilter
from ..models import Estate, Gate
from .serializers import (
    EntrySerializer,
    EstatePassSerializer,
    EstateSerializer,
    EstateWriteSerializer,
    GateSerializer,
    GateWriteSerializer,
    ObjectionAnswerSerializer,
    SuspendSerializer,
    estate_from_input,
)


def _estates(*, user):
    return selectors.estate_list(user=user).annotate(gate_count=Count("gates"))


class EstateViewSet(ScopedServiceViewSet):
    """Estates of the user's areas (a property company's manager: the estates their grant
    names). Staff who write in a community add one there; a manager changes their own
    estate but does not move it to another community. Never deleted: set `active` false
    to stop taking passes."""

    base_queryset = staticmethod(_estates)
    input_serializer_class = EstateWriteSerializer
    serializer_class = EstateSerializer
    filterset_class = EstateFilter

    def create_service(self, *, actor, **data):
        return self.update_service(actor=actor, instance=Estate(), **data)

    def update_service(self, *, actor, instance, **data):
        return services.estate_save(actor=actor, estate=estate_from_input(instance, data))


class GateViewSet(ScopedServiceViewSet):
    """Gates of the estates the user reaches (a guard: the gates they check passes at,
    read only). Added and changed by those who may change the estate; a gate stays with
    its estate. Never deleted: set `active` false to close it."""

    base_queryset = staticmethod(selectors.gate_list)
    input_serializer_class = GateWriteSerializer
    serializer_class = GateSerializer
    filterset_class = GateFilter

    def create_service(self, *, actor, **data):
        return self.update_service(actor=actor, instance=Gate(), **data)

    def update_service(self, *, actor, instance, **data):
        return services.gate_save(actor=actor, gate=assign(instance, data))


class EstatePassViewSet(ScopedReadOnlyViewSet):
    """Workers' passes of the estates the user reaches, masked as the worker agreed (the
    name as 张*, never the phone number). Made only by the worker's consent on the phone;
    `suspend` with a reason the worker reads, `answer` the worker's objection (the pass
    stays suspended), `reinstate` a suspended one."""

    base_queryset = staticmethod(selectors.pass_list)
    serializer_class = EstatePassSerializer
    filterset_class = EstatePassFilter

    @extend_schema(request=SuspendSerializer, responses=EstatePassSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self.run_service(
            services.pass_suspend,
            estate_pass=self.get_object(),
            **self.validated_input(SuspendSerializer),
        )

    @extend_schema(request=ObjectionAnswerSerializer, responses=EstatePassSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer the worker's objection and keep the pass suspended."""
        return self.run_service(
            services.pass_objection_answer,
            estate_pass=self.get_object(),
            **self.validated_input(ObjectionAnswerSerializer),
        )

    @extend_schema(request=None, responses=EstatePassSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self.run_service(services.pass_reinstate, estate_pass=self.get_object())


class EntryViewSet(ScopedReadOnlyViewSet):
    """Every check of a pass at the gates the user reaches, whatever the answer, newest
    first; masked. Kept the estate's days, then only counted."""

    base_queryset = staticmethod(selectors.entry_list)
    serializer_class = EntrySerializer
    filterset_class = EntryFilter
