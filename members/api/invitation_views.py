"""Invitation API (喊你回家 召集令): campaigns, batches of codes, the invitations themselves
(read-only) and the funnel per campaign and community — all in the user's reach."""

from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from areas import access
from areas.api.base import (
    ScopedReadOnlyViewSet,
    ScopedServiceRecordViewSet,
    ScopedServiceViewSet,
    assign,
)
from core.identifiers import is_ascii_digits

from .. import selectors, services
from ..models import InvitationCampaign
from .invitation_serializers import (
    BatchSerializer,
    CampaignSerializer,
    FunnelSerializer,
    InvitationSerializer,
)


class CampaignViewSet(ScopedServiceViewSet):
    """Campaigns (召集令) run by the user's areas; closed (`close`), never deleted."""

    base_queryset = staticmethod(selectors.campaign_list)
    serializer_class = CampaignSerializer
    filterset_fields = ["status"]

    def create_service(self, *, actor, **data):
        return services.campaign_save(actor=actor, campaign=InvitationCampaign(**data))

    def update_service(self, *, actor, instance, **data):
        return services.campaign_save(actor=actor, campaign=assign(instance, data))

    @extend_schema(request=None, responses=CampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self.run_service(services.campaign_close, campaign=self.get_object())


class BatchViewSet(ScopedServiceRecordViewSet):
    """Issuing a batch creates its invitations; a batch is then marked sent, never edited."""

    serializer_class = BatchSerializer
    filterset_fields = ["campaign", "channel"]

    @staticmethod
    def base_queryset(*, user):
        return selectors.batch_list(user=user).annotate(size=Count("invitations"))

    @staticmethod
    def create_service(*, actor, count=None, recipients="", **data):
        # `count` anonymous codes, or one code for each person on the pasted list.
        return services.invitations_issue(
            actor=actor,
            count=count or 0,
            recipients=services.parse_recipients(recipients),
            **data,
        )

    @extend_schema(request=None, responses=BatchSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request, pk=None):
        return self.run_service(self.mark_sent_service, batch=self.get_object())

    @staticmethod
    def mark_sent_service(*, actor, batch):
        # The service answers how many invitations it marked; the API answers with the batch.
        services.batch_mark_sent(actor=actor, batch=batch)
        return batch


class InvitationViewSet(ScopedReadOnlyViewSet):
    base_queryset = staticmethod(selectors.invitation_list)
    serializer_class = InvitationSerializer
    filterset_fields = ["batch", "batch__campaign"]


class FunnelView(APIView):
    """The funnel: invitations issued, sent, opened, the registrations they brought and how
    many of those were approved — per campaign, and per campaign and community."""

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", int, description="One campaign"),
            OpenApiParameter("area", str, description="Area code (the area and below)"),
        ],
        responses=FunnelSerializer,
    )
    def get(self, request):
        if not access.reach_of(request.user).can_read_anything():
            raise Http404
        area = None
        # A campaign outside the reach simply has no rows here (no 404: no existence hint).
        campaign = (request.query_params.get("campaign") or "").strip() or None
        if campaign is not None and not is_ascii_digits(campaign):
            raise ValidationError({"campaign": _("Give the campaign's number.")})
        code = (request.query_params.get("area") or "").strip()
        if code:
            area = access.areas_reached(request.user).filter(code=code.ljust(12, "0")).first()
            if area is None:
                raise Http404
        rows = selectors.invitation_funnel(user=request.user, campaign=campaign, area=area)
        data = {"campaigns": selectors.funnel_totals(rows), "communities": rows}
        return Response(FunnelSerializer(data).data)
