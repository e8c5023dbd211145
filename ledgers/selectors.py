"""Reads of import jobs, scoped by areas.access."""

from django.db.models import QuerySet

from areas import access

from .models import ImportJob


def import_job_list(*, user) -> QuerySet:
    """The import jobs of the areas the user reaches, newest first (a ledger's file holds
    personal data: only those who reach its area see the job)."""
    return access.scope(ImportJob.objects.all(), user).select_related(
        "area", "created_by", "committed_by"
    )
