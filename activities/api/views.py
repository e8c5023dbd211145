"""Activities API: organising, publishing, cancelling, the roll call; sign-ups (read) and
taking an attendance back."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from areas import access
from core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from core.exceptions import ApplicationError
from members.models import Worker
from members.selectors import worker_for_phone

from .. import selectors, services
from ..models import Activity
from .serializers import ActivitySerializer, RevokeSerializer, RollCallSerializer, SignUpSerializer


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
