"""Contact pairing (结对联系) API: pairs and their contact logs, in the user's reach."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from areas.api.base import ScopedRecordViewSet

from .. import selectors, services
from .contact_serializers import ContactLogSerializer, ContactPairSerializer, EndPairSerializer


class ContactPairViewSet(ScopedRecordViewSet):
    base_queryset = staticmethod(selectors.contact_pair_list)
    serializer_class = ContactPairSerializer
    filterset_fields = ["staff", "worker"]

    def _respond(self, pair, code=status.HTTP_200_OK):
        pair = self.get_queryset().get(pk=pair.pk)
        return Response(ContactPairSerializer(pair).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ContactPairSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pair = services.contact_pair_start(
            actor=request.user,
            worker=data["worker"],
            staff=data.get("staff"),
            grid_worker=data.get("grid_worker"),
            started_on=data["started_on"],
        )
        return self._respond(pair, status.HTTP_201_CREATED)

    @extend_schema(request=EndPairSerializer, responses=ContactPairSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        body = EndPairSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pair = services.contact_pair_end(
            actor=request.user, pair=self.get_object(), on=body.validated_data["on"]
        )
        return self._respond(pair)


class ContactLogViewSet(ScopedRecordViewSet):
    """Contact logs are recorded, never edited: a wrong one is followed by a right one."""

    base_queryset = staticmethod(selectors.contact_log_list)
    serializer_class = ContactLogSerializer
    filterset_fields = ["pair", "kind"]

    def create(self, request, *args, **kwargs):
        serializer = ContactLogSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        log = services.contact_log_record(actor=request.user, **serializer.validated_data)
        return Response(ContactLogSerializer(log).data, status=status.HTTP_201_CREATED)
