"""Input and output serializers for estates, gates, passes and entries.

Passes and entries leave the API masked, as the worker agreed: the name as 张*, never the
phone number. The values' own rules (a community, both entry times or neither, a gate
staying with its estate, a reason for a suspension) are the services', so every path
refuses the same input with the same words."""

from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.models import Area
from core.coords import CoordSystem, to_wgs84
from core.masking import mask_name
from members.models import Occupation

from ..models import EntryLog, Estate, EstatePass, Gate

ESTATE_FIELDS = [
    "name",
    "area",
    "address",
    "property_company",
    "pass_days",
    "occupations",
    "entry_from",
    "entry_until",
    "entry_log_days",
    "active",
]


class EstateSerializer(serializers.ModelSerializer):
    """Output: an estate, where it is and what its pass lets in."""

    area_code = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    lng = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    occupations = serializers.ListField(
        child=serializers.ChoiceField(choices=Occupation.choices), read_only=True
    )
    gate_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Estate
        fields = [
            "id",
            *ESTATE_FIELDS,
            "area_code",
            "area_name",
            "lng",
            "lat",
            "gate_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_lng(self, obj) -> float | None:
        return obj.location.x if obj.location is not None else None

    def get_lat(self, obj) -> float | None:
        return obj.location.y if obj.location is not None else None


class EstateWriteSerializer(serializers.ModelSerializer):
    """Input: an estate as staff add or change it. Coordinates may be given in the system
    they were copied from (Amap gives GCJ-02, Baidu BD-09); both or neither."""

    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=Area.Level.COMMUNITY),
        help_text=_("The community the estate is in."),
    )
    occupations = serializers.ListField(
        child=serializers.ChoiceField(choices=Occupation.choices),
        required=False,
        help_text=_("Occupations let in; empty lets in every occupation."),
    )
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    lat = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    coord = serializers.ChoiceField(
        choices=[c.value for c in CoordSystem], default="wgs84", write_only=True
    )

    class Meta:
        model = Estate
        fields = [*ESTATE_FIELDS, "lng", "lat", "coord"]
        validators = []  # the service checks the name is the community's only one

    def validate(self, attrs):
        if (attrs.get("lng") is None) != (attrs.get("lat") is None):
            raise serializers.ValidationError({"lat": [_("Give both lng and lat, or neither.")]})
        return attrs


def estate_from_input(estate: Estate, data: dict) -> Estate:
    """Set an EstateWriteSerializer's validated data on `estate`, the coordinates turned
    into WGS-84 (both null: no location)."""
    data = dict(data)
    coord = data.pop("coord", "wgs84")
    has_point = "lng" in data
    lng, lat = data.pop("lng", None), data.pop("lat", None)
    for field, value in data.items():
        setattr(estate, field, value)
    if has_point:
        estate.location = (
            Point(*to_wgs84(lng, lat, coord), srid=4326)
            if lng is not None and lat is not None
            else None
        )
    return estate


class GateSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = Gate
        fields = ["id", "estate", "estate_name", "name", "active", "created_at", "updated_at"]
        read_only_fields = fields


class GateWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Gate
        fields = ["estate", "name", "active"]
        validators = []  # the service checks the name is the estate's only one


class EstatePassSerializer(serializers.ModelSerializer):
    """A worker's pass, masked: what the property company sees by the worker's consent."""

    estate_name = serializers.CharField(source="estate.name", read_only=True)
    name_masked = serializers.SerializerMethodField()
    objection_waiting = serializers.BooleanField(
        read_only=True,
        help_text=_("Suspended, the worker objected, and nobody has answered yet."),
    )

    class Meta:
        model = EstatePass
        fields = [
            "id",
            "estate",
            "estate_name",
            "name_masked",
            "employer",
            "platform",
            "occupation",
            "status",
            "authorised_at",
            "expires_at",
            "last_shown_at",
            "suspended_reason",
            "suspended_at",
            "contest_text",
            "contested_at",
            "contest_answer",
            "contest_answered_at",
            "objection_waiting",
            "consent_version",
        ]
        read_only_fields = fields

    def get_name_masked(self, obj) -> str:
        return mask_name(obj.name)


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("The worker reads it."))


class ObjectionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=300, help_text=_("The worker reads it."))


class EntrySerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)
    gate_name = serializers.CharField(source="gate.name", read_only=True)
    name_masked = serializers.SerializerMethodField()

    class Meta:
        model = EntryLog
        fields = [
            "id",
            "at",
            "estate",
            "estate_name",
            "gate",
            "gate_name",
            "outcome",
            "occupation",
            "estate_pass",
            "name_masked",
            "seconds_at_gate",
        ]
        read_only_fields = fields

    def get_name_masked(self, obj) -> str | None:
        return mask_name(obj.estate_pass.name) if obj.estate_pass_id else None
