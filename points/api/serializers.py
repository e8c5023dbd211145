from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from members.models import Worker

from .. import rules
from ..models import PointsAccount, PointsEntry, PointsRule, Redemption, Reward


class PointsAccountSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()

    class Meta:
        model = PointsAccount
        fields = ["id", "worker", "worker_masked", "balance", "updated_at"]
        read_only_fields = fields

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label


class PointsEntrySerializer(serializers.ModelSerializer):
    worker = serializers.IntegerField(source="account.worker_id", read_only=True)

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "worker",
            "account",
            "amount",
            "kind",
            "source",
            "source_id",
            "reverses",
            "balance_after",
            "actor",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    """Input: a staff adjustment. `request_key` is made by the client for this one
    adjustment: sending it again returns the entry already made."""

    worker = serializers.PrimaryKeyRelatedField(queryset=Worker.objects.all())
    points = serializers.IntegerField()
    reason = serializers.CharField(max_length=200)
    request_key = serializers.CharField(max_length=32, help_text=_("Unique per adjustment."))


class PointsRuleSerializer(serializers.ModelSerializer):
    activity_kind = serializers.ChoiceField(
        choices=[], required=False, allow_blank=True, label=_("activity type")
    )

    class Meta:
        model = PointsRule
        fields = ["id", "area", "event", "activity_kind", "points"]
        validators = []  # the service and the database check, with the model's words

    def get_fields(self):
        fields = super().get_fields()
        # The types activities registered (points.rules), read when the serializer is used.
        fields["activity_kind"].choices = rules.activity_kind_choices()
        return fields


class RewardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reward
        fields = [
            "id",
            "area",
            "name",
            "description",
            "points_price",
            "stock",
            "sponsor_kind",
            "sponsor",
            "pickup_stations",
            "valid_from",
            "valid_until",
            "active",
        ]
        validators = []  # the service and the database check, with the model's words


class RedemptionSerializer(serializers.ModelSerializer):
    worker_masked = serializers.SerializerMethodField()
    reward_name = serializers.CharField(source="reward.name", read_only=True)

    class Meta:
        model = Redemption
        fields = [
            "id",
            "reward",
            "reward_name",
            "worker",
            "worker_masked",
            "station",
            "points",
            "status",
            "expires_at",
            "handed_over_at",
            "handed_over_by",
            "closed_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_worker_masked(self, obj) -> str:
        return obj.worker.masked_label


class HandOverSerializer(serializers.Serializer):
    pickup_code = serializers.CharField(max_length=20)
