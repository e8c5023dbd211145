"""Activities API: organising, publishing, cancelling, the roll call; sign-ups (read) and
taking an attendance back."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from areas import access
from areas.api.base import ScopedModelViewSet, ScopedReadOnlyViewSet, ScopedRecordViewSet
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


class ActivityViewSet(ScopedModelViewSet):
    """Activities organised in the user's areas; never deleted (cancelled instead)."""

    base_queryset = staticmethod(selectors.activity_list)
    serializer_class = ActivitySerializer
    filterset_fields = ["status", "kind", "area", "station"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _respond(self, activity, code=status.HTTP_200_OK):
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(ActivitySerializer(activity).data, status=code)

    def create(self, request, *args, **kwargs):
        body = ActivitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        activity = services.activity_save(
            actor=request.user, activity=Activity(**body.validated_data)
        )
        return self._respond(activity, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        activity = self.get_object()
        body = ActivitySerializer(activity, data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        for name, value in body.validated_data.items():
            setattr(activity, name, value)
        return self._respond(services.activity_save(actor=request.user, activity=activity))

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._respond(
            services.activity_publish(actor=request.user, activity=self.get_object())
        )

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._respond(
            services.activity_cancel(actor=request.user, activity=self.get_object())
        )

    @extend_schema(request=RollCallSerializer, responses=SignUpSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="roll-call")
    def roll_call(self, request, pk=None):
        activity = self.get_object()
        body = RollCallSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        present = [
            access.get_for_user(Worker.objects.all(), request.user, pk=w.pk)
            for w in body.validated_data["workers"]
        ]
        unknown = []
        for phone in body.validated_data["phones"]:
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
        marked = services.attendance_roll_call(
            actor=request.user, activity=activity, workers=present
        )
        return Response(SignUpSerializer(marked, many=True).data)


class SignUpViewSet(ScopedReadOnlyViewSet):
    base_queryset = staticmethod(selectors.signup_list)
    serializer_class = SignUpSerializer
    filterset_fields = ["activity", "status", "worker"]

    @extend_schema(request=RevokeSerializer, responses=SignUpSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        signup = services.attendance_revoke(
            actor=request.user, signup=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(SignUpSerializer(signup).data)


class RoleAppointmentViewSet(ScopedRecordViewSet):
    """Appointments to volunteer roles; they end (`end`), never deleted."""

    base_queryset = staticmethod(selectors.appointment_list)
    serializer_class = RoleAppointmentSerializer
    filterset_fields = ["role", "worker", "area"]

    def create(self, request, *args, **kwargs):
        body = RoleAppointmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        appointment = services.role_appoint(
            actor=request.user,
            worker=data["worker"],
            role=data["role"],
            area=data["area"],
            started_on=data["started_on"],
            note=data.get("note", ""),
        )
        return Response(RoleAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndAppointmentSerializer, responses=RoleAppointmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        body = EndAppointmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.role_end(
            actor=request.user, appointment=self.get_object(), on=body.validated_data["on"]
        )
        return Response(RoleAppointmentSerializer(appointment).data)


class VolunteerServiceViewSet(ScopedRecordViewSet):
    """Volunteer services of the user's areas. Creating one is the organiser recording a
    service (verified at once); workers report theirs on the phone for `verify` or
    `reject`."""

    base_queryset = staticmethod(selectors.service_list_for_staff)
    serializer_class = VolunteerServiceSerializer
    filterset_fields = ["status", "kind", "worker", "area", "source"]

    def create(self, request, *args, **kwargs):
        body = VolunteerServiceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        service = services.service_record(
            actor=request.user,
            worker=data["worker"],
            kind=data["kind"],
            area=data["area"],
            served_on=data["served_on"],
            hours=data["hours"],
            description=data.get("description", ""),
        )
        return Response(VolunteerServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=VolunteerServiceSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        service = services.service_verify(actor=request.user, service=self.get_object())
        return Response(VolunteerServiceSerializer(service).data)

    @extend_schema(request=RevokeSerializer, responses=VolunteerServiceSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = RevokeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service = services.service_reject(
            actor=request.user, service=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(VolunteerServiceSerializer(service).data)
