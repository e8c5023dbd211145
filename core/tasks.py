from celery import shared_task
from django.core.cache import cache

HEARTBEAT_KEY = "celery-beat-heartbeat"


@shared_task(name="core.tasks.heartbeat")
def heartbeat() -> str:
    """Beat runs this every minute; its timestamp in Redis shows beat and a worker are alive."""
    from django.utils import timezone

    stamp = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, stamp, timeout=None)
    return stamp


@shared_task(name="core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(name="core.tasks.check_ledger_import")
def check_ledger_import(job_id: int) -> None:
    from .ledgers import run_check

    run_check(job_id)


@shared_task(name="core.tasks.commit_ledger_import")
def commit_ledger_import(job_id: int) -> None:
    from .ledgers import run_commit

    run_commit(job_id)


@shared_task(name="core.tasks.purge_ledger_import_files")
def purge_ledger_import_files() -> int:
    from .ledgers import purge_finished_files

    return purge_finished_files()
