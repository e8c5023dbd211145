"""Serializers for invitations (喊你回家 召集令): campaigns, batches, invitations and the
funnel. Recipients leave the API masked, as every worker does."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import AreaCodeField

from ..invitation_links import invitation_url
from ..models import Invitation, InvitationBatch, InvitationCampaign


class CampaignSerializer(serializers.ModelSerializer):
    area = AreaCodeField()
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = InvitationCampaign
        fields = ["id", "name", "area", "area_name", "message", "starts_on", "ends_on", "status"]
        read_only_fields = ["status"]
        validators = []  # the service and the database check, with the model's words


class BatchSerializer(serializers.ModelSerializer):
    community = AreaCodeField()
    community_name = serializers.CharField(source="community.name", read_only=True)
    size = serializers.IntegerField(read_only=True)
    count = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        help_text=_("How many anonymous invitations to issue (or list recipients)."),
    )
    recipients = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=_("One person a line: name and mobile number, or just the number."),
    )

    class Meta:
        model = InvitationBatch
        fields = [
            "id",
            "campaign",
            "community",
            "community_name",
            "channel",
            "note",
            "size",
            "sent_at",
            "count",
            "recipients",
        ]
        read_only_fields = ["sent_at"]


class InvitationSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="batch.campaign_id", read_only=True)
    community = serializers.CharField(source="batch.community.code", read_only=True)
    recipient = serializers.CharField(source="masked_recipient", read_only=True)
    link = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "code",
            "link",
            "batch",
            "campaign",
            "community",
            "recipient",
            "sent_at",
            "opened_at",
            "open_count",
        ]

    def get_link(self, invitation) -> str:
        request = self.context.get("request")
        return invitation_url(request, invitation.code) if request else ""


class FunnelRowSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk")
    campaign_name = serializers.CharField(source="campaign.name")
    community = serializers.CharField(source="community.code", default=None)
    community_name = serializers.CharField(source="community.name", default=None)
    issued = serializers.IntegerField()
    sent = serializers.IntegerField()
    opened = serializers.IntegerField()
    registered = serializers.IntegerField()
    approved = serializers.IntegerField()
    opened_percent = serializers.FloatField(allow_null=True)
    registered_percent = serializers.FloatField(allow_null=True)


class FunnelSerializer(serializers.Serializer):
    campaigns = FunnelRowSerializer(many=True)
    communities = FunnelRowSerializer(many=True)
