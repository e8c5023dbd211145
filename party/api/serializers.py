"""Serializers for party work: organisations, members, three-management, coverage.
Worker names leave the API masked, as everywhere."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import AreaCodeField

from ..models import ManagementAssignment, PartyMember, PartyOrg


class PartyOrgSerializer(serializers.ModelSerializer):
    area = AreaCodeField()
    area_name = serializers.CharField(source="area.name", read_only=True)
    is_community_level = serializers.BooleanField(read_only=True)

    class Meta:
        model = PartyOrg
        fields = [
            "id",
            "name",
            "kind",
            "parent",
            "area",
            "area_name",
            "secretary",
            "contact_phone",
            "is_community_level",
        ]
        validators = []  # the service and the database check, with the model's words


class PartyMemberSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.masked_name", read_only=True)
    area = serializers.CharField(source="worker.area.code", read_only=True)
    membership_org_display = serializers.CharField(read_only=True)
    reported_to = serializers.CharField(source="reported_to.code", default=None, read_only=True)

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "worker",
            "worker_name",
            "area",
            "membership_org",
            "membership_org_name",
            "membership_org_place",
            "membership_org_display",
            "registration",
            "standing",
            "joined_on",
            "lost_contact",
            "revealed_on",
            "reported_on",
            "reported_to",
            "ended_on",
            "end_reason",
        ]
        read_only_fields = [
            "lost_contact",
            "revealed_on",
            "reported_on",
            "ended_on",
            "end_reason",
        ]
        validators = []


class ReportSerializer(serializers.Serializer):
    community = AreaCodeField()
    on = serializers.DateField(required=False)


class EndSerializer(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class LostContactSerializer(serializers.Serializer):
    lost = serializers.BooleanField(help_text=_("true: lost contact (失联); false: found (双找)."))
    on = serializers.DateField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssignmentSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.worker.masked_name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    last_feedback_on = serializers.DateField(read_only=True, allow_null=True)
    feedback_due_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = ManagementAssignment
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "org_name",
            "kind",
            "started_on",
            "ended_on",
            "end_reason",
            "agreement_ref",
            "feedback_every_months",
            "last_feedback_on",
            "feedback_due_on",
        ]
        read_only_fields = ["ended_on", "end_reason"]
        validators = []


class FeedbackSerializer(serializers.Serializer):
    on = serializers.DateField()
    summary = serializers.CharField()


class CoverageRowSerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    members = serializers.IntegerField()
    covered = serializers.IntegerField()
    fully_covered = serializers.BooleanField()
    without_fallback = serializers.IntegerField()
    without_direct = serializers.IntegerField()
    lost_contact = serializers.IntegerField()
    feedback_overdue = serializers.IntegerField()


class GapMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    worker_name = serializers.CharField(source="worker.masked_name")
    area = serializers.CharField(source="worker.area.code")
    suggested_fallback_org = serializers.SerializerMethodField()

    def get_suggested_fallback_org(self, member) -> dict | None:
        org = getattr(member, "suggested_fallback_org", None)
        return {"id": org.pk, "name": org.name} if org else None


class CoverageSerializer(serializers.Serializer):
    communities = CoverageRowSerializer(many=True)
    without_fallback = GapMemberSerializer(many=True)
    without_direct = GapMemberSerializer(many=True)
    lost_contact = GapMemberSerializer(many=True)
    feedback_overdue = AssignmentSerializer(many=True)
