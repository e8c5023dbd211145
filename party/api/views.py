"""The party-work API. Everything here needs the party-affairs flag (Purpose.PARTY to read,
PARTY_WRITE to change); writes go through party.services."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from areas import access
from areas.api.base import ScopedModelViewSet
from members.models import Worker

from .. import selectors, services
from ..models import PartyMember, PartyOrg
from .serializers import (
    AssignmentSerializer,
    CoverageSerializer,
    EndSerializer,
    FeedbackSerializer,
    LostContactSerializer,
    PartyMemberSerializer,
    PartyOrgSerializer,
    ReportSerializer,
)

PARTY, PARTY_WRITE = access.Purpose.PARTY, access.Purpose.PARTY_WRITE


class _PartyViewSet(ScopedModelViewSet):
    read_purpose, write_purpose = PARTY, PARTY_WRITE
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # ended, never deleted


class PartyOrgViewSet(_PartyViewSet):
    base_queryset = staticmethod(selectors.party_org_list)
    serializer_class = PartyOrgSerializer
    filterset_fields = ["kind", "parent"]

    def perform_create(self, serializer):
        self._save(serializer, PartyOrg(**serializer.validated_data))

    def perform_update(self, serializer):
        for name, value in serializer.validated_data.items():
            setattr(serializer.instance, name, value)
        self._save(serializer, serializer.instance)

    def _save(self, serializer, org):
        serializer.instance = services.party_org_save(actor=self.request.user, org=org)


class PartyMemberViewSet(_PartyViewSet):
    """Party members among workers. Creating one records a worker's 亮明身份 on their
    behalf (the worker must have consented to sensitive data)."""

    base_queryset = staticmethod(selectors.party_member_list)
    serializer_class = PartyMemberSerializer
    filterset_fields = ["registration", "standing", "lost_contact"]

    def _respond(self, member, code=status.HTTP_200_OK):
        member = selectors.party_member_list(user=self.request.user).get(pk=member.pk)
        return Response(PartyMemberSerializer(member).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = PartyMemberSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        worker = access.get_for_user(
            Worker.objects.all(), request.user, pk=serializer.validated_data["worker"].pk
        )
        member = services.party_member_reveal(
            worker=worker, details=serializer.details(), actor=request.user
        )
        return self._respond(member, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        member = self.get_object()
        serializer = PartyMemberSerializer(
            member, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data.get("worker", member.worker) != member.worker:
            raise services.refuse("worker", _("A party member record stays with its worker."))
        for name, value in serializer.validated_data.items():
            setattr(member, name, value)
        return self._respond(services.party_member_save(actor=request.user, member=member))

    @extend_schema(request=ReportSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """到社区报到: record that the member reported to a community."""
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.party_member_report(
            actor=request.user,
            member=self.get_object(),
            community=body.validated_data["community"],
            on=body.validated_data.get("on"),
        )
        return self._respond(member)

    @extend_schema(request=EndSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The membership is no longer managed here; its assignments end too."""
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.party_member_end(
            actor=request.user,
            member=self.get_object(),
            on=body.validated_data["on"],
            reason=body.validated_data["reason"],
        )
        return self._respond(member)

    @extend_schema(request=LostContactSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"], url_path="lost-contact")
    def lost_contact(self, request, pk=None):
        """失联 (lost = true) or 双找 (found again, lost = false)."""
        body = LostContactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.party_member_set_lost_contact(
            actor=request.user, member=self.get_object(), **body.validated_data
        )
        return self._respond(member)


class AssignmentViewSet(_PartyViewSet):
    """三管 assignments. Create = start one (refused if one of that kind is active);
    `end` ends it; `feedback` records a collaborative unit's report."""

    base_queryset = staticmethod(selectors.assignment_list)
    serializer_class = AssignmentSerializer
    filterset_fields = ["kind", "member", "org"]
    http_method_names = ["get", "post", "head", "options"]

    def _respond(self, assignment, code=status.HTTP_200_OK):
        assignment = selectors.assignment_list(user=self.request.user).get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = AssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = access.get_for_user(
            PartyMember.objects.all(), request.user, PARTY, pk=data["member"].pk
        )
        assignment = services.assignment_start(
            actor=request.user,
            member=member,
            org=data["org"],
            kind=data["kind"],
            started_on=data["started_on"],
            agreement_ref=data.get("agreement_ref", ""),
            feedback_every_months=data.get("feedback_every_months"),
        )
        return self._respond(assignment, status.HTTP_201_CREATED)

    @extend_schema(request=EndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = services.assignment_end(
            actor=request.user,
            assignment=self.get_object(),
            on=body.validated_data["on"],
            reason=body.validated_data["reason"],
        )
        return self._respond(assignment)

    @extend_schema(request=FeedbackSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        body = FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = self.get_object()
        services.feedback_record(actor=request.user, assignment=assignment, **body.validated_data)
        return self._respond(assignment, status.HTTP_201_CREATED)


class CoverageView(APIView):
    """三管 coverage per community in the user's reach (or under ?area=<code>), and the
    gaps: members without fallback (with a suggested organisation), without direct
    management, lost contact, collaborations overdue for feedback."""

    @extend_schema(
        parameters=[OpenApiParameter("area", str, description="Area code (the area and below)")],
        responses=CoverageSerializer,
    )
    def get(self, request):
        if not access.reach_of(request.user).reaches_any(PARTY):
            raise Http404
        area = None
        code = (request.query_params.get("area") or "").strip()
        if code:
            area = (
                access.areas_reached(request.user, PARTY).filter(code=code.ljust(12, "0")).first()
            )
            if area is None:
                raise Http404
        gaps = selectors.coverage_gaps(user=request.user, area=area)
        data = {
            "communities": selectors.coverage_by_community(user=request.user, area=area),
            **gaps,
        }
        return Response(CoverageSerializer(data).data)
