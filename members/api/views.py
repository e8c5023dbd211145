from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from areas import access
from areas.api.base import ScopedModelViewSet

from .. import selectors, services
from ..filters import WorkerFilter
from ..models import Enterprise, Outlet, Worker
from .serializers import (
    EnterpriseSerializer,
    MergeSerializer,
    OutletSerializer,
    RejectSerializer,
    WorkerSerializer,
    WorkerWriteSerializer,
)


class WorkerViewSet(ScopedModelViewSet):
    """Workers registered in the user's areas (masked). Creating one is a staff-assisted
    registration; deleting is not offered (records are merged, never deleted)."""

    base_queryset = staticmethod(selectors.worker_list)
    filterset_class = WorkerFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return WorkerWriteSerializer
        return WorkerSerializer

    def _respond(self, worker, code=status.HTTP_200_OK):
        worker = selectors.worker_list(user=self.request.user).get(pk=worker.pk)
        return Response(WorkerSerializer(worker).data, status=code)

    @extend_schema(request=WorkerWriteSerializer, responses=WorkerSerializer)
    def create(self, request, *args, **kwargs):
        serializer = WorkerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        details, _given = serializer.details()
        worker, created = services.worker_register(
            details=details,
            source=Worker.Source.STAFF,
            notice_version=serializer.validated_data.get("privacy_notice_version", ""),
            actor=request.user,
        )
        return self._respond(worker, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=WorkerWriteSerializer, responses=WorkerSerializer)
    def update(self, request, *args, **kwargs):
        worker = self.get_object()
        serializer = WorkerWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        details, given = serializer.details()
        worker = services.worker_update(
            actor=request.user, worker=worker, details=details, given=given
        )
        return self._respond(worker)

    @extend_schema(request=None, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        worker = services.worker_approve(actor=request.user, worker=self.get_object())
        return self._respond(worker)

    @extend_schema(request=RejectSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        worker = services.worker_reject(
            actor=request.user, worker=self.get_object(), reason=body.validated_data["reason"]
        )
        return self._respond(worker)

    @extend_schema(request=MergeSerializer, responses=WorkerSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Fold `duplicate` into this record."""
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kept = self.get_object()
        duplicate = access.get_for_user(
            Worker.objects.all(), request.user, pk=body.validated_data["duplicate"]
        )
        kept = services.worker_merge(actor=request.user, duplicate=duplicate, kept=kept)
        return self._respond(kept)


class _ServiceSavedViewSet(ScopedModelViewSet):
    """Create and update through the app's `<entity>_save` service; no deletes (the
    ledger keeps history: outlets and enterprises are referenced by workers)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    save_service = None

    def perform_create(self, serializer):
        self._save(serializer, self.get_serializer_class().Meta.model(**serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        self._save(serializer, instance)

    def _save(self, serializer, instance):
        serializer.instance = type(self).save_service(actor=self.request.user, obj=instance)


class EnterpriseViewSet(_ServiceSavedViewSet):
    base_queryset = staticmethod(selectors.enterprise_list)
    serializer_class = EnterpriseSerializer
    filterset_fields = ["kind"]
    search_fields = ["name", "credit_code"]

    @staticmethod
    def save_service(*, actor, obj: Enterprise):
        return services.enterprise_save(actor=actor, enterprise=obj)


class OutletViewSet(_ServiceSavedViewSet):
    base_queryset = staticmethod(selectors.outlet_list)
    serializer_class = OutletSerializer
    filterset_fields = ["kind", "enterprise"]

    @staticmethod
    def save_service(*, actor, obj: Outlet):
        return services.outlet_save(actor=actor, outlet=obj)
