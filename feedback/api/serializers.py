"""Input and output serializers for cases, their tasks and the units' notices.

Output is masked: the reporting worker leaves the API as 张* 138****1234. The values'
own rules (the category the place's district uses, the tasks' units, the reasons) are
the services', so every path refuses the same input with the same words."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas import references
from areas.models import Area
from core.coords import CoordSystem
from members.models import Worker
from stations.models import Station

from ..models import Case, CaseNotice, CaseTask, FeedbackCategory, Kind, PartnerDepartment, Priority


class CaseTaskSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(read_only=True)

    class Meta:
        model = CaseTask
        fields = [
            "id",
            "description",
            "unit",
            "department",
            "unit_name",
            "due_at",
            "status",
            "result",
            "late",
            "done_at",
            "created_at",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    reporter_masked = serializers.SerializerMethodField()
    category_name = serializers.CharField(source="category.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    responsible_name = serializers.CharField(source="responsible_area.name", read_only=True)
    department_name = serializers.CharField(source="department.name", default=None, read_only=True)
    lng = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    follower_count = serializers.IntegerField(read_only=True)
    tasks = CaseTaskSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "category_name",
            "text",
            "priority",
            "source",
            "source_note",
            "reporter",
            "reporter_masked",
            "station",
            "lng",
            "lat",
            "place_note",
            "area",
            "area_name",
            "responsible_area",
            "responsible_name",
            "department",
            "department_name",
            "status",
            "status_reason",
            "duplicate_of",
            "public",
            "answer",
            "due_at",
            "overdue",
            "late",
            "escalations",
            "paused_since",
            "accepted_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "satisfied",
            "follower_count",
            "tasks",
            "created_at",
        ]
        read_only_fields = fields

    def get_reporter_masked(self, obj) -> str | None:
        return obj.reporter.masked_label if obj.reporter_id else None

    def get_lng(self, obj) -> float | None:
        return obj.location.x if obj.location is not None else None

    def get_lat(self, obj) -> float | None:
        return obj.location.y if obj.location is not None else None


class CategoryField(serializers.PrimaryKeyRelatedField):
    """The platform's categories and those of the districts the user works in (a
    district's own rows are its staff's to name)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=FeedbackCategory.objects.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = request.user if request else None
        return references.district_catalogue_seen_by(super().get_queryset(), user)


class CaseRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = CategoryField()
    text = serializers.CharField(max_length=500)
    source = serializers.ChoiceField(
        choices=[c for c in Case.Source.choices if c[0] not in ("phone", "partner")]
    )
    source_note = serializers.CharField(max_length=60, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The community or street it is about (or give a station or a point)."),
    )
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True
    )
    reporter = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), required=False, allow_null=True
    )
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    coord = serializers.ChoiceField(
        choices=[c.value for c in CoordSystem],
        default="wgs84",
        help_text=_("The system lng and lat are in: wgs84, gcj02 (WeChat, Amap) or bd09."),
    )


class AcceptSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CaseReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("The worker reads it."))


class DuplicateSerializer(serializers.Serializer):
    original = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())


class ReferSerializer(CaseReasonSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=PartnerDepartment.objects.all())


class RerouteSerializer(CaseReasonSerializer):
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all())


class TaskAddSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=200)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=PartnerDepartment.objects.all(), required=False, allow_null=True
    )
    working_days_given = serializers.IntegerField(
        min_value=1, max_value=60, required=False, allow_null=True
    )


class TaskFinishSerializer(serializers.Serializer):
    task = serializers.PrimaryKeyRelatedField(queryset=CaseTask.objects.all())
    result = serializers.CharField(max_length=300)
    cancelled = serializers.BooleanField(default=False)


class ResolveSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=1000)
    photos = serializers.ListField(child=serializers.ImageField(), required=False, max_length=4)


class MessageSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    asks_reporter = serializers.BooleanField(default=False)


class NoticeSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = CaseNotice
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "area",
            "department",
            "text",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields
