"""Contact pairing (结对联系) API: pairs and their contact logs, in the user's reach."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from areas.api.base import ScopedServiceRecordViewSet

from .. import selectors, services
from .contact_serializers import ContactLogSerializer, ContactPairSerializer, EndPairSerializer


class ContactPairViewSet(ScopedServiceRecordViewSet):
    """A worker paired with a staff member or a grid worker. Pairs end (`end`); they are
    never edited or deleted."""

    base_queryset = staticmethod(selectors.contact_pair_list)
    serializer_class = ContactPairSerializer
    filterset_fields = ["staff", "worker"]
    create_service = staticmethod(services.contact_pair_start)

    @extend_schema(request=EndPairSerializer, responses=ContactPairSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self.run_service(
            services.contact_pair_end,
            pair=self.get_object(),
            **self.validated_input(EndPairSerializer),
        )


class ContactLogViewSet(ScopedServiceRecordViewSet):
    """Contact logs are recorded, never edited: a wrong one is followed by a right one."""

    base_queryset = staticmethod(selectors.contact_log_list)
    serializer_class = ContactLogSerializer
    filterset_fields = ["pair", "kind"]
    create_service = staticmethod(services.contact_log_record)
