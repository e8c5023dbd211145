"""The party-work API. Everything here needs the party-affairs flag (Purpose.PARTY to read,
PARTY_WRITE to change); writes go through party.services."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from areas import access
from areas.api.base import ScopedServiceRecordViewSet, ScopedServiceViewSet, assign

from .. import selectors, services
from ..models import PartyOrg
from ..services import MembershipDetails
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


class PartyOrgViewSet(ScopedServiceViewSet):
    """Party organisations in the user's reach; never deleted."""

    read_purpose, write_purpose = PARTY, PARTY_WRITE
    base_queryset = staticmethod(selectors.party_org_list)
    serializer_class = PartyOrgSerializer
    filterset_fields = ["kind", "parent"]

    def create_service(self, *, actor, **data):
        return services.party_org_save(actor=actor, org=PartyOrg(**data))

    def update_service(self, *, actor, instance, **data):
        return services.party_org_save(actor=actor, org=assign(instance, data))


class PartyMemberViewSet(ScopedServiceViewSet):
    """Party members among workers. Creating one records a worker's 亮明身份 on their
    behalf (the worker must have consented to sensitive data). Members end (`end`), they
    are never deleted."""

    read_purpose, write_purpose = PARTY, PARTY_WRITE
    base_queryset = staticmethod(selectors.party_member_list)
    serializer_class = PartyMemberSerializer
    filterset_fields = ["registration", "standing", "lost_contact"]

    def create_service(self, *, actor, worker, **details):
        return services.party_member_reveal(
            actor=actor, worker=worker, details=MembershipDetails(**details)
        )

    def update_service(self, *, actor, instance, **data):
        return services.party_member_save(actor=actor, member=assign(instance, data))

    @extend_schema(request=ReportSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """到社区报到: record that the member reported to a community."""
        return self.run_service(
            services.party_member_report,
            member=self.get_object(),
            **self.validated_input(ReportSerializer),
        )

    @extend_schema(request=EndSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The membership is no longer managed here; its assignments end too."""
        return self.run_service(
            services.party_member_end,
            member=self.get_object(),
            **self.validated_input(EndSerializer),
        )

    @extend_schema(request=LostContactSerializer, responses=PartyMemberSerializer)
    @action(detail=True, methods=["post"], url_path="lost-contact")
    def lost_contact(self, request, pk=None):
        """失联 (lost = true) or 双找 (found again, lost = false)."""
        return self.run_service(
            services.party_member_set_lost_contact,
            member=self.get_object(),
            **self.validated_input(LostContactSerializer),
        )


class AssignmentViewSet(ScopedServiceRecordViewSet):
    """三管 assignments. Create = start one (refused if one of that kind is active);
    `end` ends it; `feedback` records a collaborative unit's report."""

    read_purpose, write_purpose = PARTY, PARTY_WRITE
    base_queryset = staticmethod(selectors.assignment_list)
    serializer_class = AssignmentSerializer
    filterset_fields = ["kind", "member", "org"]
    create_service = staticmethod(services.assignment_start)

    @extend_schema(request=EndSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        return self.run_service(
            services.assignment_end,
            assignment=self.get_object(),
            **self.validated_input(EndSerializer),
        )

    @extend_schema(request=FeedbackSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        return self.run_service(
            self.feedback_service,
            assignment=self.get_object(),
            **self.validated_input(FeedbackSerializer),
            status_code=status.HTTP_201_CREATED,
        )

    @staticmethod
    def feedback_service(*, actor, assignment, **feedback):
        # The feedback is recorded on the assignment; the API answers with the assignment
        # (its last feedback and the next one due).
        services.feedback_record(actor=actor, assignment=assignment, **feedback)
        return assignment


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
