"""Contact pairing (结对联系) in the API: pairs, their contact logs, ending a pair."""

from rest_framework import serializers

from ..models import ContactLog, ContactPair


class ContactPairSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.masked_name", read_only=True)
    contact_person = serializers.CharField(read_only=True)
    last_contact_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = ContactPair
        fields = [
            "id",
            "worker",
            "worker_name",
            "staff",
            "grid_worker",
            "contact_person",
            "started_on",
            "ended_on",
            "last_contact_on",
            "uncontacted_month",
        ]
        read_only_fields = ["ended_on", "uncontacted_month"]
        validators = []


class ContactLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContactLog
        fields = ["id", "pair", "kind", "on", "note", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_by", "recorded_at"]


class EndPairSerializer(serializers.Serializer):
    on = serializers.DateField()
