from celery import shared_task


@shared_task(name="security.tasks.purge_audit_log")
def purge_audit_log() -> int:
    """Daily: audit entries past SECURITY_AUDIT_RETENTION_DAYS (never younger than 184 days)."""
    from . import services

    return services.audit_purge()
