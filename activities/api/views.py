"""Activities API: organising, publishing, cancelling, the roll call; sign-ups (read) and
taking an attendance back."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from areas import access
from areas.api.base import (
    ScopedReadOnlyViewSet,
    ScopedServiceRecordViewSet,
    ScopedServiceViewSet,
    assign,
)
from core.exceptions import ApplicationError
from members.models import Worker
from members.selectors import worker_for_phone

from .. import selectors, services
from ..models import Activity
from .serializers import (
    ActivitySerializer,
    EndAppointmentSerializer,
    RevokeSerializer,
    RoleAppointmentSerializer,
    RollCallSerializer,
    SignUpSerializer,
    VolunteerServiceSerializer,
)


class ActivityViewSet(ScopedServiceViewSet):
    """Activities organised in the user's areas; never deleted (cancelled instead)."""

    base_queryset = staticmethod(selectors.activity_list)
    serializer_class = ActivitySerializer
    filterset_fields = ["status", "kind", "area", "station"]

    def create_service(self, *, actor, **data):
        return services.activity_save(actor=actor, activity=Activity(**data))

    def update_service(self, *, actor, instance, **data):
        return services.activity_save(actor=actor, activity=assign(instance, data))

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.run_service(services.activity_publish, activity=self.get_object())

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_service(services.activity_cancel, activity=self.get_object())

    @extend_schema(request=RollCallSerializer, responses=SignUpSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="roll-call")
    def roll_call(self, request, pk=None):
        return self.run_service(
            self.roll_call_service,
            activity=self.get_object(),
            **self.validated_input(RollCallSerializer),
            output_serializer_class=SignUpSerializer,
            many=True,
        )

    @staticmethod
    def roll_call_service(*, actor, activity, workers, phones):
        """Workers named by id (those the user reaches) and walk-ins by phone number."""
        # A reference to a worker out of reach is answered as a missing one (404); this
        # moves into the serializer with the scoped related field (issue 11, item 5).
        present = [access.get_for_user(Worker.objects.all(), actor, pk=w.pk) for w in workers]
        unknown = []
        for phone in phones:
            worker = worker_for_phone(phone)
            if worker is None:
                unknown.append(phone)
            else:
                present.append(worker)
        if unknown:
            message = _("No registered worker has these numbers: %(numbers)s.") % {
                "numbers": ", ".join(unknown)
            }
            raise ApplicationError(message, fields={"phones": [message]})
        return services.attendance_roll_call(actor=actor, activity=activity, workers=present)


class SignUpViewSet(ScopedReadOnlyViewSet):
    base_queryset = staticmethod(selectors.signup_list)
    serializer_class = SignUpSerializer
    filterset_fields = ["activity", "status", "worker"]

    @extend_schema(request=RevokeSerializer, responses=SignUpSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self.run_service(
            services.attendance_revoke,
            signup=self.get_object(),
            **self.validated_input(RevokeSerializer),
        )


class RoleAppointmentViewSet(ScopedServiceRecordViewSet):
    """Appointments to volunteer roles; they end (`end`), never deleted."""

    base_queryset = staticmethod(selectors.appointment_list)
    serializer_class = RoleAppointmentSerializer
    filterset_fields = ["role", "worker", "area"]
    create_service = staticmethod(services.role_appoint)

    @extend_schema(request=EndAppointmentSerializer, responses=RoleAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self.run_service(
            services.role_end,
            appointment=self.get_object(),
            **self.validated_input(EndAppointmentSerializer),
        )


class VolunteerServiceViewSet(ScopedServiceRecordViewSet):
    """Volunteer services of the user's areas. Creating one is the organiser recording a
    service (verified at once); workers report theirs on the phone for `verify` or
    `reject`."""

    base_queryset = staticmethod(selectors.service_list_for_staff)
    serializer_class = VolunteerServiceSerializer
    filterset_fields = ["status", "kind", "worker", "area", "source"]

    def create_service(self, *, actor, description="", **data):
        return services.service_record(actor=actor, description=description, **data)

    @extend_schema(request=None, responses=VolunteerServiceSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.run_service(services.service_verify, service=self.get_object())

    @extend_schema(request=RevokeSerializer, responses=VolunteerServiceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.run_service(
            services.service_reject,
            service=self.get_object(),
            **self.validated_input(RevokeSerializer),
        )
