from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from areas.api.base import ScopedServiceViewSet, assign

from .. import selectors, services
from ..filters import WorkerFilter
from ..models import Enterprise, Outlet, Worker
from ..services import WorkerDetails
from .serializers import (
    EnterpriseSerializer,
    MergeSerializer,
    OutletSerializer,
    RejectSerializer,
    WorkerSerializer,
    WorkerWriteSerializer,
)


class WorkerViewSet(ScopedServiceViewSet):
    """Workers registered in the user's areas (masked). Creating one is a staff-assisted
    registration; deleting is not offered (records are merged, never deleted)."""

    base_queryset = staticmethod(selectors.worker_list)
    input_serializer_class = WorkerWriteSerializer
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilter

    def create_service(self, *, actor, privacy_notice_version="", **details):
        # A phone already registered resumes that record: (worker, False) answers 200.
        return services.worker_register(
            actor=actor,
            details=WorkerDetails(**details),
            source=Worker.Source.STAFF,
            notice_version=privacy_notice_version,
        )

    def update_service(self, *, actor, instance, privacy_notice_version=None, **details):
        # Only the fields sent are changed (all of them for a PUT).
        return services.worker_update(
            actor=actor, worker=instance, details=WorkerDetails(**details), given=list(details)
        )

    @extend_schema(request=None, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.run_service(services.worker_approve, worker=self.get_object())

    @extend_schema(request=RejectSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.run_service(
            services.worker_reject,
            worker=self.get_object(),
            **self.validated_input(RejectSerializer),
        )

    @extend_schema(request=MergeSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Fold `duplicate` into this record."""
        return self.run_service(
            self.merge_service, kept=self.get_object(), **self.validated_input(MergeSerializer)
        )

    @staticmethod
    def merge_service(*, actor, kept, duplicate: int):
        # worker_merge fetches both records for writing itself (404 out of reach, 403
        # read-only), so the duplicate is named here by its id only.
        return services.worker_merge(actor=actor, duplicate=Worker(pk=duplicate), kept=kept)


class EnterpriseViewSet(ScopedServiceViewSet):
    """Enterprises kept by the user's areas. Never deleted: workers name them, and the
    ledger keeps their history."""

    base_queryset = staticmethod(selectors.enterprise_list)
    serializer_class = EnterpriseSerializer
    filterset_fields = ["kind"]
    search_fields = ["name", "credit_code"]

    def create_service(self, *, actor, **data):
        return services.enterprise_save(actor=actor, enterprise=Enterprise(**data))

    def update_service(self, *, actor, instance, **data):
        return services.enterprise_save(actor=actor, enterprise=assign(instance, data))


class OutletViewSet(ScopedServiceViewSet):
    """Outlets (网点) in the user's areas. Never deleted: workers name them, and the ledger
    keeps their history."""

    base_queryset = staticmethod(selectors.outlet_list)
    serializer_class = OutletSerializer
    filterset_fields = ["kind", "enterprise"]

    def create_service(self, *, actor, **data):
        return services.outlet_save(actor=actor, outlet=Outlet(**data))

    def update_service(self, *, actor, instance, **data):
        return services.outlet_save(actor=actor, outlet=assign(instance, data))
