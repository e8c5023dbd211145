"""Ledger imports through the API: a program uploads the same .xlsx staff upload in the
admin, reads the check's result, then imports all rows, only the valid ones, or cancels."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.api.serializers import AreaCodeField

from .. import registry, services
from ..models import ImportJob


class ImportJobSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "area",
            "filename",
            "status",
            "total_rows",
            "valid_rows",
            "error_rows",
            "written_rows",
            "progress",
            "errors",
            "preview",
            "message",
            "skip_invalid",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> int:
        return services.progress(job)


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=(), help_text=_("Which ledger the file is."))
    area = AreaCodeField(help_text=_("The area the ledger belongs to (its 12-digit code)."))
    file = serializers.FileField(help_text=_("The .xlsx file."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(ledger.key, ledger.title) for ledger in registry.ledgers()]


class CommitSerializer(serializers.Serializer):
    skip_invalid = serializers.BooleanField(
        default=False,
        help_text=_("Import only the valid rows (when some rows have errors)."),
    )
