"""Wishes API: staff recording a wish collected in person and the community's review;
claims (read, cancelled, delivered, confirmed with a photo); donors (read, verified);
the counter's handovers on a worker's pickup code."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser

from areas.api.base import ScopedReadOnlyViewSet, ScopedServiceRecordViewSet

from .. import selectors, services
from ..models import Donor
from .serializers import (
    ClaimSerializer,
    ConfirmSerializer,
    DonorSerializer,
    ReasonSerializer,
    WishHandOverSerializer,
    WishMergeSerializer,
    WishRecordSerializer,
    WishSerializer,
)


class WishViewSet(ScopedServiceRecordViewSet):
    """Wishes of the user's areas, newest first. Creating one is staff recording a wish
    collected in person (a street interview, a 小哥议事会, a visit), with the worker's (or
    the outlet's) consent; the community then `publish`es it, `return`s it with a reason
    the worker reads, or `merge`s a worker's wish into a collective one. Never edited or
    deleted: a worker posts a corrected wish."""

    base_queryset = staticmethod(selectors.wish_list)
    input_serializer_class = WishRecordSerializer
    serializer_class = WishSerializer
    filterset_fields = ["status", "kind", "source", "category", "area"]

    @staticmethod
    def create_service(*, actor, consent_given, items=(), **collected):
        # consent_given is checked by the serializer: the service records agreed wishes.
        lines = [(item["name"], item["quantity"], item["unit_value"]) for item in items]
        return services.wish_record(
            actor=actor, collected=services.CollectedWish(items=lines, **collected)
        )

    @extend_schema(request=None, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self.run_service(services.wish_publish, wish=self.get_object())

    @extend_schema(request=ReasonSerializer, responses=WishSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        return self.run_service(
            services.wish_return,
            wish=self.get_object(),
            **self.validated_input(ReasonSerializer),
        )

    @extend_schema(request=WishMergeSerializer, responses=WishSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self.run_service(
            services.wish_merge_into,
            wish=self.get_object(),
            **self.validated_input(WishMergeSerializer),
        )


class ClaimViewSet(ScopedReadOnlyViewSet):
    """Claims on wishes of the user's areas, or handed over at the stations they keep.
    `cancel` (with a reason the donor reads) puts the wish back on the wall; `deliver`
    records a gift staff took to the worker themselves; `confirm` (a multipart form with
    a photo of the handover) says the wish came true."""

    base_queryset = staticmethod(selectors.claim_list)
    serializer_class = ClaimSerializer
    filterset_fields = ["status", "wish", "donor", "station"]

    @extend_schema(request=ReasonSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self.run_service(
            services.claim_cancel,
            claim=self.get_object(),
            **self.validated_input(ReasonSerializer),
        )

    @extend_schema(request=None, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        return self.run_service(services.claim_deliver, claim=self.get_object())

    @extend_schema(request=ConfirmSerializer, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def confirm(self, request, pk=None):
        return self.run_service(
            services.claim_confirm_by_staff,
            claim=self.get_object(),
            **self.validated_input(ConfirmSerializer),
        )


class DonorFilter(filters.FilterSet):
    verified = filters.BooleanFilter(
        field_name="verified_at", lookup_expr="isnull", exclude=True, label=_("Verified")
    )

    class Meta:
        model = Donor
        fields = ["kind", "organisation_kind", "verified"]


class DonorViewSet(ScopedReadOnlyViewSet):
    """Donors giving in the user's district or street. Donors keep their own profile on
    the phone; staff `verify` an organisation (its claims then count as the
    organisation's) or `unverify` one that was not what it said."""

    base_queryset = staticmethod(selectors.donor_list)
    serializer_class = DonorSerializer
    filterset_class = DonorFilter

    @extend_schema(request=None, responses=DonorSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self.run_service(services.donor_verify, donor=self.get_object())

    @extend_schema(request=None, responses=DonorSerializer)
    @action(detail=True, methods=["post"])
    def unverify(self, request, pk=None):
        return self.run_service(services.donor_verification_withdraw, donor=self.get_object())


class HandOverViewSet(ScopedReadOnlyViewSet):
    """The counter: POST the worker's pickup code (typed or scanned at the handover
    station, by its keeper or the community's staff) to hand the gift over; the claim
    answers, handed over. Only the POST is routed (wishes/api/urls.py): the claims handed
    over are listed by /wish-claims/?status=handed_over."""

    base_queryset = staticmethod(selectors.claim_list)
    input_serializer_class = WishHandOverSerializer
    serializer_class = ClaimSerializer

    @extend_schema(request=WishHandOverSerializer, responses=ClaimSerializer)
    def hand_over(self, request):
        return self.run_service(services.claim_hand_over, **self.validated_input())
