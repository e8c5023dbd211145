"""The ledger engine's Celery tasks: thin, by job id (ledgers.services does the work)."""

from celery import shared_task


@shared_task(name="ledgers.tasks.check_import")
def check_import(job_id: int) -> None:
    from .services import run_check

    run_check(job_id)


@shared_task(name="ledgers.tasks.commit_import")
def commit_import(job_id: int) -> None:
    from .services import run_commit

    run_commit(job_id)


@shared_task(name="ledgers.tasks.purge_import_files")
def purge_import_files() -> int:
    from .services import purge_finished_files

    return purge_finished_files()
