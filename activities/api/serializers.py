from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from members.models import Worker

from ..models import Activity, RoleAppointment, SignUp, VolunteerService


class ActivitySerializer(serializers.ModelSerializer):
    places_taken = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    attendance_url = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "area",
            "party_org",
            "station",
            "address",
            "starts_at",
            "ends_at",
            "capacity",
            "audience",
            "points",
            "volunteer_hours",
            "status",
            "places_taken",
            "waiting",
            "attendance_url",
        ]
        read_only_fields = ["status", "places_taken", "waiting", "attendance_url"]
        validators = []  # the service and the database check, with the model's words

    def get_attendance_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("mobile-attend", args=[obj.attendance_key])


class SignUpSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()

    class Meta:
        model = SignUp
        fields = [
            "id",
            "activity",
            "worker",
            "worker_masked",
            "status",
            "queued_at",
            "attended_at",
            "attendance_source",
            "revoked_reason",
        ]
        read_only_fields = fields

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label


class RollCallSerializer(serializers.Serializer):
    workers = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.all(), many=True, required=False, default=list
    )
    phones = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        help_text=_("Walk-ins by mobile phone number."),
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class RoleAppointmentSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()

    class Meta:
        model = RoleAppointment
        fields = ["id", "worker", "worker_masked", "role", "area", "started_on", "ended_on", "note"]
        read_only_fields = ["ended_on"]
        validators = []

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label


class EndAppointmentSerializer(serializers.Serializer):
    on = serializers.DateField()


class VolunteerServiceSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()

    class Meta:
        model = VolunteerService
        fields = [
            "id",
            "worker",
            "worker_masked",
            "kind",
            "area",
            "served_on",
            "hours",
            "description",
            "activity",
            "source",
            "status",
            "reject_reason",
        ]
        read_only_fields = ["activity", "source", "status", "reject_reason"]
        validators = []

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label
