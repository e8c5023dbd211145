"""Input and output serializers for workers, enterprises and outlets.

Output is masked: personal data leaves the API as 张*, 138****1234, 1***************2X.
Unmasked exports are a separate, logged path (issue 3 §8)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import AreaCodeField
from core.masking import mask_phone

from ..models import Enterprise, Occupation, Outlet, Worker
from ..services import PRIVACY_NOTICE_VERSION


class WorkerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="masked_name")
    phone = serializers.CharField(source="masked_phone")
    id_number = serializers.CharField(source="masked_id_number")
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    residence_area = serializers.CharField(source="residence_area.code", default=None)
    enterprise = serializers.CharField(source="enterprise.name", default=None)
    outlet = serializers.CharField(source="outlet.name", default=None)

    class Meta:
        model = Worker
        fields = [
            "id",
            "name",
            "phone",
            "id_number",
            "gender",
            "birth_year",
            "occupation",
            "enterprise",
            "platform",
            "outlet",
            "area",
            "area_name",
            "residence_area",
            "status",
            "status_reason",
            "source",
            "tags",
            "created_at",
            "approved_at",
        ]


class WorkerWriteSerializer(serializers.Serializer):
    """Staff-assisted registration and corrections. Validation of the values themselves
    (phone, ID check digit, community level…) is the service's, so every path refuses
    the same input with the same words."""

    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=30)
    area = AreaCodeField()
    occupation = serializers.ChoiceField(choices=Occupation.choices)
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    platform = serializers.CharField(max_length=50, required=False, allow_blank=True)
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    residence_area = AreaCodeField(required=False, allow_null=True)
    gender = serializers.ChoiceField(
        choices=Worker.Gender.choices, required=False, allow_blank=True
    )
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    id_number = serializers.CharField(max_length=30, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    privacy_notice_version = serializers.CharField(
        required=False,
        help_text=_("For a new registration: the notice version the worker agreed to (%s).")
        % PRIVACY_NOTICE_VERSION,
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class MergeSerializer(serializers.Serializer):
    duplicate = serializers.IntegerField(help_text=_("The record to fold into this one."))


class EnterpriseSerializer(serializers.ModelSerializer):
    area = AreaCodeField()
    # Plain text in: the service normalises (spaces, lower case) before validating.
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=30)

    class Meta:
        model = Enterprise
        fields = ["id", "name", "kind", "credit_code", "area", "instructor", "created_at"]
        read_only_fields = ["created_at"]
        # Uniqueness is checked by the service and the database, with the models' words.
        validators = []


class OutletSerializer(serializers.ModelSerializer):
    area = AreaCodeField()
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "enterprise",
            "name",
            "kind",
            "area",
            "address",
            "worker_count",
            "party_member_count",
            "surveyed_on",
            "contact_name",
            "contact_phone",
        ]
        validators = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["contact_phone"] = mask_phone(instance.contact_phone)
        return data
