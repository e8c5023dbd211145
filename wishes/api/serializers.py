"""Input and output serializers for wishes, claims, donors and handovers.

Output is masked: a worker leaves the API as 张* 138****1234, a donor's phone as
139****0001 and an individual donor's name as 李*; a claim's pickup code is the worker's
and never leaves it. Validation of the values themselves (the value cap, the categories
offered, the items' quantities…) is the service's, so every path refuses the same input
with the same words."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.models import Area
from core import private_files
from core.masking import mask_name, mask_phone
from members.models import Outlet, Worker
from stations.models import Station

from ..models import Claim, ClaimLine, Donor, Wish, WishCategory, WishItem


class WishItemSerializer(serializers.ModelSerializer):
    committed = serializers.IntegerField(
        read_only=True, help_text=_("How many live claims have promised.")
    )

    class Meta:
        model = WishItem
        fields = ["id", "name", "quantity", "unit_value", "committed"]
        read_only_fields = fields


class WishSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()
    area_name = serializers.CharField(source="area.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    outlet_name = serializers.CharField(source="outlet.name", default=None, read_only=True)
    station_name = serializers.CharField(source="station.name", default=None, read_only=True)
    items = WishItemSerializer(many=True, read_only=True)

    class Meta:
        model = Wish
        fields = [
            "id",
            "kind",
            "worker",
            "worker_masked",
            "outlet",
            "outlet_name",
            "station",
            "station_name",
            "spokesperson",
            "area",
            "area_name",
            "category",
            "category_name",
            "text",
            "value",
            "items",
            "source",
            "status",
            "status_reason",
            "publish_consent_at",
            "story_consent_at",
            "published_at",
            "merged_into",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_worker_masked(self, obj) -> str | None:
        return obj.worker.masked_label if obj.worker_id else None


class WishItemInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    quantity = serializers.IntegerField()
    unit_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, help_text=_("Value of one, in yuan.")
    )


class WishRecordSerializer(serializers.Serializer):
    """Input: a wish staff collected in person — a worker's own (`worker` and `value`), or a
    collective one of an outlet or a station (`outlet` or `station`, and `items`)."""

    category = serializers.PrimaryKeyRelatedField(queryset=WishCategory.objects.all())
    text = serializers.CharField(max_length=200, help_text=_("In the worker's own words."))
    source = serializers.ChoiceField(
        choices=Wish.Source.choices, help_text=_("How it was collected (not on the phone).")
    )
    worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True
    )
    value = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("A worker's own wish; a collective wish adds up its items."),
    )
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True
    )
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("A collective wish's community (the outlet's or station's if empty)."),
    )
    items = WishItemInputSerializer(many=True, required=False)
    consent_given = serializers.BooleanField(
        help_text=_("The worker (or the outlet) agreed that the wish is published, masked")
    )
    story_consent = serializers.BooleanField(
        default=False, help_text=_("…and to a public follow-up story with a photo")
    )

    def validate_consent_given(self, value):
        if not value:
            raise serializers.ValidationError(
                _("Ask for consent first: only agreed wishes are kept.")
            )
        return value


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class WishMergeSerializer(serializers.Serializer):
    collective = serializers.PrimaryKeyRelatedField(
        queryset=Wish.objects.all(), help_text=_("The open collective wish it joins.")
    )


class ClaimLineSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = ClaimLine
        fields = ["item", "item_name", "quantity"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    wish_text = serializers.CharField(source="wish.text", read_only=True)
    donor_name = serializers.CharField(source="donor.public_name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True)
    lines = ClaimLineSerializer(many=True, read_only=True)
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "wish",
            "wish_text",
            "donor",
            "donor_name",
            "donor_kind",
            "whole",
            "lines",
            "status",
            "deadline",
            "message",
            "station",
            "station_name",
            "handed_over_at",
            "handed_over_by",
            "delivered_by_staff",
            "fulfilled_at",
            "confirmed_by",
            "photo_url",
            "thanks",
            "released_at",
            "release_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_photo_url(self, obj) -> str | None:
        # Served by the scoped private-file view, to staff who read the wish's area.
        name = obj.fulfilment_photo.name
        return private_files.url_for(name) if name else None


class ConfirmSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text=_("A photo of the handover (JPEG, PNG or WebP)."))


class WishHandOverSerializer(serializers.Serializer):
    pickup_code = serializers.CharField(max_length=20)


class DonorSerializer(serializers.ModelSerializer):
    # Empty for an individual: declared so that the schema says so too.
    organisation_kind = serializers.ChoiceField(
        choices=Donor.OrganisationKind.choices, allow_blank=True, read_only=True
    )
    name = serializers.SerializerMethodField(
        help_text=_("An organisation's name; an individual's, masked.")
    )
    contact_name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    public_name = serializers.CharField(read_only=True)
    verified = serializers.SerializerMethodField()

    class Meta:
        model = Donor
        fields = [
            "id",
            "kind",
            "organisation_kind",
            "name",
            "public_name",
            "contact_name",
            "phone",
            "area",
            "verified",
            "verified_at",
            "verified_by",
            "consented_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_name(self, obj) -> str:
        return obj.name if obj.kind == Donor.Kind.ORGANISATION else mask_name(obj.name)

    def get_contact_name(self, obj) -> str:
        return mask_name(obj.contact_name)

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)

    def get_verified(self, obj) -> bool:
        return obj.is_verified_organisation
