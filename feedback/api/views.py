"""Feedback API: cases of the user's areas (staff record one collected offline, and work
it: accept, decline, duplicate, refer, re-route, tasks, resolve, write to the worker) and
the notices their units receive. Partner systems (a 12345 hotline) use Open311 instead."""

from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from areas.api.base import ScopedReadOnlyViewSet, ScopedServiceRecordViewSet

from .. import selectors, services
from ..models import CaseTask
from .serializers import (
    AcceptSerializer,
    CaseReasonSerializer,
    CaseRecordSerializer,
    CaseSerializer,
    DuplicateSerializer,
    MessageSerializer,
    NoticeSerializer,
    ReferSerializer,
    RerouteSerializer,
    ResolveSerializer,
    TaskAddSerializer,
    TaskFinishSerializer,
)


def _cases(*, user):
    return (
        selectors.case_list(user=user)
        .annotate(follower_count=Count("followers", distinct=True))
        .prefetch_related(
            Prefetch("tasks", queryset=CaseTask.objects.select_related("unit", "department"))
        )
    )


class CaseViewSet(ScopedServiceRecordViewSet):
    """Cases of the user's areas, newest first. Creating one is staff recording a case
    collected offline (a 小哥议事会, a street visit, a 12345 referral), naming the source;
    the place (an area, a station or a point) routes it as a worker's report would."""

    base_queryset = staticmethod(_cases)
    input_serializer_class = CaseRecordSerializer
    serializer_class = CaseSerializer
    filterset_fields = ["status", "kind", "source", "category", "area", "responsible_area", "late"]

    @staticmethod
    def create_service(*, actor, lng=None, lat=None, coord="wgs84", station=None, **recorded):
        return services.case_record(
            actor=actor,
            place=services.Place(lng=lng, lat=lat, system=coord, station=station),
            **recorded,
        )

    @extend_schema(request=AcceptSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.run_service(
            services.case_accept, case=self.get_object(), **self.validated_input(AcceptSerializer)
        )

    @extend_schema(request=CaseReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self.run_service(
            services.case_decline,
            case=self.get_object(),
            **self.validated_input(CaseReasonSerializer),
        )

    @extend_schema(request=DuplicateSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        return self.run_service(
            services.case_mark_duplicate,
            case=self.get_object(),
            **self.validated_input(DuplicateSerializer),
        )

    @extend_schema(request=ReferSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        return self.run_service(
            services.case_refer, case=self.get_object(), **self.validated_input(ReferSerializer)
        )

    @extend_schema(request=RerouteSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reroute(self, request, pk=None):
        return self.run_service(
            services.case_reroute, case=self.get_object(), **self.validated_input(RerouteSerializer)
        )

    @extend_schema(request=TaskAddSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="tasks", url_name="tasks")
    def add_task(self, request, pk=None):
        case = self.get_object()
        services.task_add(actor=request.user, case=case, **self.validated_input(TaskAddSerializer))
        return self.respond(case)

    @extend_schema(request=TaskFinishSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="finish-task", url_name="finish-task")
    def finish_task(self, request, pk=None):
        case = self.get_object()
        services.task_finish(
            actor=request.user, case=case, **self.validated_input(TaskFinishSerializer)
        )
        return self.respond(case)

    @extend_schema(request=ResolveSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    def resolve(self, request, pk=None):
        return self.run_service(
            services.case_resolve, case=self.get_object(), **self.validated_input(ResolveSerializer)
        )

    @extend_schema(request=MessageSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def message(self, request, pk=None):
        case = self.get_object()
        services.case_message_staff(
            actor=request.user, case=case, **self.validated_input(MessageSerializer)
        )
        return self.respond(case)


class NoticeViewSet(ScopedReadOnlyViewSet):
    """What the user's units are told (reopened, overdue, escalated, referred); `read`
    takes one off the unit's work queue."""

    base_queryset = staticmethod(selectors.notice_list)
    serializer_class = NoticeSerializer
    filterset_fields = ["kind", "case"]

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return self.run_service(services.notice_read, notice=self.get_object())
