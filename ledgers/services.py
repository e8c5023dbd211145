"""Ledgers (台账) in and out of Excel: the one engine every importable ledger goes through.

An app describes a ledger once (ledgers.registry.Ledger: its Chinese column headers, how a
row is checked and written, how its records are exported) and registers it; this module
does the rest:

- upload: the file must be a readable .xlsx with a header row of known columns (found in
  the first rows, under a title and a 填报单位 line as the government layout has them) and
  at least one row; anything else is refused with a clear message and nothing is kept;
- check (dry run): every row is validated and its errors recorded (row number, messages in
  the uploader's language); nothing is written;
- commit: the user imports all rows when all are valid, or explicitly only the valid ones;
  the rows are checked again (the world may have moved since) and written in one
  transaction — all of the chosen rows or none;
- small files run inline; larger ones (settings.LEDGER_IMPORT_INLINE_ROWS) as Celery tasks,
  with their progress in the cache for the progress bar;
- export: the same columns in the government layout (core.xlsx), masked by default.

Headers are the file format, so they are Chinese literals, not translated strings.
"""

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from areas import access
from core import outbox
from core.exceptions import ApplicationError, refuse
from core.xlsx import government_xlsx

from .models import ImportJob
from .registry import Ledger, RowChecker, RowError, ledger_for

HEADER_SEARCH_ROWS = 6  # the header row sits under a title and a 填报单位 line, at most
MAX_STORED_ERRORS = 2000  # per job: enough to correct a file, small enough to store
PREVIEW_ROWS = 10
PROGRESS_EVERY = 500
# Columns any ledger may carry and every import ignores: our own exports add them.
IGNORED_HEADERS = ("序号", "错误原因")
ERROR_COLUMN = "错误原因"


# Reading a file ------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as the text a person typed: 13812345678.0 → "13812345678", dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and abs(value) >= 1e15:
        # A long number typed into a number cell (an ID number): Excel kept 15 digits. The
        # "E+" form lets the row's check say so instead of accepting wrong digits.
        return f"{value:.14E}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class SheetLayout:
    header_row: int  # 1-based
    keys: list[str | None]  # per column: the Column key, or None (ignored)


@dataclass
class ParsedFile:
    layout: SheetLayout
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number, {key: text})


def _sheet_rows(content: bytes) -> list[list]:
    """The first sheet's rows from row 1 (empty cells as ""). Read with calamine (Rust):
    a 30,000-row ledger in a fraction of a second, where openpyxl takes seconds."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ApplicationError(
            _(
                "This is not an .xlsx file. Save it from Excel or WPS as “Excel workbook (.xlsx)” "
                "and upload it again."
            )
        )
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        if not book.sheet_names:
            return []
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except PasswordError:
        raise ApplicationError(
            _("This file is protected by a password. Save a copy without it and upload that.")
        ) from None
    except (CalamineError, OSError, ValueError):
        raise ApplicationError(
            _("This .xlsx file cannot be read. Open it in Excel or WPS, save it again and retry.")
        ) from None


def _header_map(ledger: Ledger) -> dict[str, str | None]:
    names: dict[str, str | None] = {h: None for h in IGNORED_HEADERS}
    for column in ledger.columns:
        key = column.key if column.importable else None
        for name in (column.header, *column.aliases):
            names[_normal_header(name)] = key
    return names


def _normal_header(text: str) -> str:
    # "手机号码*", "姓 名", "手机号码（必填）" all mean 手机号码.
    text = cell_text(text)
    for mark in ("（必填）", "(必填)", "*", "＊", " ", "\u3000", "\n"):
        text = text.replace(mark, "")
    return text


def _find_layout(ledger: Ledger, sheet_rows: list[tuple]) -> SheetLayout:
    known = _header_map(ledger)
    best: tuple[int, int] | None = None  # (matches, row index)
    for index, row in enumerate(sheet_rows[:HEADER_SEARCH_ROWS]):
        matches = sum(1 for cell in row if _normal_header(cell) in known and cell_text(cell))
        if matches and (best is None or matches > best[0]):
            best = (matches, index)
    if best is None:
        raise ApplicationError(
            _("No column headers were found. The first rows must hold headers such as: %(h)s.")
            % {"h": "、".join(c.header for c in ledger.import_columns)}
        )
    header_cells = [_normal_header(c) for c in sheet_rows[best[1]]]
    unknown = [h for h in header_cells if h and h not in known]
    present = {known.get(h) for h in header_cells if h in known}
    missing = [c.header for c in ledger.import_columns if c.required and c.key not in present]
    problems = []
    if unknown:
        problems.append(_("Unknown columns: %(unknown)s.") % {"unknown": "、".join(unknown)})
    if missing:
        problems.append(
            _("Required columns missing: %(missing)s.") % {"missing": "、".join(missing)}
        )
    if problems:
        problems.append(
            _("The columns of this ledger are: %(all)s.")
            % {"all": "、".join(c.header for c in ledger.import_columns)}
        )
        raise ApplicationError(" ".join(problems))
    return SheetLayout(
        header_row=best[1] + 1, keys=[known.get(h) if h else None for h in header_cells]
    )


def parse(ledger: Ledger, content: bytes) -> ParsedFile:
    """The file's rows as {column key: text}, refusing what is not a ledger of this kind."""
    sheet_rows = _sheet_rows(content)
    layout = _find_layout(ledger, sheet_rows[:HEADER_SEARCH_ROWS])
    parsed = ParsedFile(layout=layout)
    columns = [(index, key) for index, key in enumerate(layout.keys) if key is not None]
    for number, row in enumerate(sheet_rows[layout.header_row :], start=layout.header_row + 1):
        record = {key: cell_text(row[index]) for index, key in columns if index < len(row)}
        if any(record.values()):
            parsed.rows.append((number, record))
    if not parsed.rows:
        raise ApplicationError(_("The file has headers but no rows under them: nothing to import."))
    return parsed


# The two steps -----------------------------------------------------------------------------


def progress_key(job_id: int) -> str:
    return f"ledger-import:{job_id}:progress"


def progress(job: ImportJob) -> int:
    """How many rows the running step has done (0 when unknown)."""
    return cache.get(progress_key(job.pk), 0) if job.is_running else job.total_rows


def _run_rows(job: ImportJob, checker: RowChecker, parsed: ParsedFile):
    """Check every row; returns ([(row number, cleaned)], [{row, messages}])."""
    checker.prepare([record for _, record in parsed.rows])
    valid, errors = [], []
    for done, (number, record) in enumerate(parsed.rows, start=1):
        try:
            valid.append((number, checker.check(record, number)))
        except RowError as error:
            errors.append({"row": number, "messages": error.messages})
        if done % PROGRESS_EVERY == 0:
            cache.set(progress_key(job.pk), done, timeout=3600)
    return valid, errors


def _checker(job: ImportJob) -> RowChecker:
    return ledger_for(job.kind).checker(
        actor=job.committed_by or job.created_by, area=job.area, filename=job.filename
    )


def run_check(job_id: int) -> None:
    """Step 1, the dry run: validate every row, store errors and a preview."""
    job = ImportJob.objects.select_related("area", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return  # already done (a task delivered twice)
    with translation.override(job.language):
        try:
            parsed = parse(ledger_for(job.kind), bytes(job.content))
            checker = _checker(job)
            valid, errors = _run_rows(job, checker, parsed)
        except ApplicationError as error:
            _finish(job, ImportJob.Status.FAILED, message=error.message)
            return
        job.total_rows = len(parsed.rows)
        job.valid_rows, job.error_rows = len(valid), len(errors)
        job.errors = errors[:MAX_STORED_ERRORS]
        job.preview = [
            {"row": number, "cells": checker.preview(cleaned)}
            for number, cleaned in valid[:PREVIEW_ROWS]
        ]
        job.status = ImportJob.Status.CHECKED
        job.message = ""
        with transaction.atomic():
            if _still(job_id, ImportJob.Status.CHECKING):  # not done by a twin delivery
                job.save()


def run_commit(job_id: int) -> None:
    """Step 2: check again and write the chosen rows in one transaction."""
    job = ImportJob.objects.select_related("area", "created_by", "committed_by").get(pk=job_id)
    if job.status != ImportJob.Status.COMMITTING:
        return
    with translation.override(job.language):
        try:
            with transaction.atomic():
                # A second delivery of this task (at least once: the outbox, a worker killed
                # mid-task) waits here for the first, then finds the job done.
                if not _still(job_id, ImportJob.Status.COMMITTING):
                    return
                parsed = parse(ledger_for(job.kind), bytes(job.content))
                checker = _checker(job)
                valid, errors = _run_rows(job, checker, parsed)
                if errors and not job.skip_invalid:
                    # Something changed since the check (a phone registered meanwhile…).
                    job.valid_rows, job.error_rows = len(valid), len(errors)
                    job.errors = errors[:MAX_STORED_ERRORS]
                    job.status = ImportJob.Status.CHECKED
                    job.message = _(
                        "Since the check, %(n)d rows have become invalid. Nothing was imported: "
                        "look at the errors, then decide again."
                    ) % {"n": len(errors)}
                    job.save()
                    return
                written = checker.write([cleaned for _, cleaned in valid])
                job.valid_rows, job.error_rows = len(valid), len(errors)
                job.errors = errors[:MAX_STORED_ERRORS]
                job.written_rows = written
                # Done in the same transaction as the rows: a worker killed before this
                # commits leaves neither, and the redelivered task writes them all again.
                _finish(job, ImportJob.Status.DONE)
        except ApplicationError as error:
            _finish(job, ImportJob.Status.FAILED, message=error.message)
            return
        except IntegrityError:
            # Someone saved a clashing record (the same phone…) between this check and
            # the write: the transaction wrote nothing.
            _finish(
                job,
                ImportJob.Status.FAILED,
                message=_(
                    "While importing, another record with the same details was saved. Nothing "
                    "was imported: upload the file again to check it against the records now."
                ),
            )
            return


def _still(job_id: int, status: str) -> bool:
    """Lock the job's row (inside a transaction) and say whether it still has `status`."""
    locked = ImportJob.objects.select_for_update().filter(pk=job_id, status=status)
    return locked.values_list("pk", flat=True).first() is not None


def _finish(job: ImportJob, status: str, message: str = "") -> None:
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save()
    cache.delete(progress_key(job.pk))


def _dispatch(job: ImportJob, step: str) -> None:
    """Small files inline (the page shows the result at once); larger ones by a worker,
    through the outbox: queued in the transaction that created the job, sent when it
    commits (or by the drain, if Redis is down then)."""
    from . import tasks

    if job.total_rows <= settings.LEDGER_IMPORT_INLINE_ROWS:
        (run_check if step == "check" else run_commit)(job.pk)
        return
    outbox.enqueue(tasks.check_import if step == "check" else tasks.commit_import, job.pk)


# A ledger larger than this is split by the office: it is read whole into memory.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def check_upload_size(size: int) -> None:
    """Refuse a file too large to read, before it is read (the admin form, the API)."""
    if size > MAX_UPLOAD_BYTES:
        raise refuse(
            "file",
            _("The file is larger than %(mb)d MB: split it and upload the parts.")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )


def import_upload(*, actor, kind: str, area, filename: str, content: bytes) -> ImportJob:
    """Refuse what is not a ledger of this kind (nothing kept), else start the check."""
    ledger = ledger_for(kind)
    if area is None:
        raise ApplicationError(_("Choose the area this ledger belongs to."))
    access.require_write_in(actor, area, ledger.write_purpose)
    if not (filename or "").lower().endswith(".xlsx"):
        raise ApplicationError(
            _(
                "Only .xlsx files can be imported. Save the file from Excel or WPS as "
                "“Excel workbook (.xlsx)” and upload it again."
            )
        )
    if not content:
        raise ApplicationError(_("The file is empty."))
    check_upload_size(len(content))
    parsed = parse(ledger, content)  # refuses unknown columns, no rows, not a workbook
    with transaction.atomic():  # the job and its queued check together, or neither
        job = ImportJob.objects.create(
            kind=kind,
            area=area,
            created_by=actor,
            filename=filename[-200:],
            content=content,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total_rows=len(parsed.rows),
        )
        _dispatch(job, "check")
    job.refresh_from_db()
    return job


@transaction.atomic
def import_commit(*, actor, job: ImportJob, skip_invalid: bool) -> ImportJob:
    job = access.get_for_user(ImportJob.objects.select_for_update(), actor, pk=job.pk)
    ledger = ledger_for(job.kind)
    access.require_write_in(actor, job.area, ledger.write_purpose)
    if job.status != ImportJob.Status.CHECKED:
        raise ApplicationError(
            _("This import is %(status)s: it cannot be imported now.")
            % {"status": job.get_status_display()}
        )
    if job.error_rows and not skip_invalid:
        raise ApplicationError(
            _(
                "%(n)d rows have errors. Correct them and upload the file again, or choose "
                "to import only the %(valid)d valid rows."
            )
            % {"n": job.error_rows, "valid": job.valid_rows}
        )
    if not job.valid_rows:
        raise ApplicationError(_("No row of this file is valid: nothing to import."))
    job.status, job.skip_invalid, job.committed_by = (
        ImportJob.Status.COMMITTING,
        skip_invalid,
        actor,
    )
    job.save(update_fields=["status", "skip_invalid", "committed_by", "updated_at"])
    _dispatch(job, "commit")
    job.refresh_from_db()
    return job


@transaction.atomic
def import_cancel(*, actor, job: ImportJob) -> ImportJob:
    job = access.get_for_user(ImportJob.objects.select_for_update(), actor, pk=job.pk)
    access.require_write_in(actor, job.area, ledger_for(job.kind).write_purpose)
    if job.status not in (ImportJob.Status.CHECKED, ImportJob.Status.FAILED):
        raise ApplicationError(_("Only a checked import that was not imported can be cancelled."))
    job.content = None  # nothing of it will be written: its personal data goes now
    _finish(job, ImportJob.Status.CANCELLED)
    return job


def purge_finished_files(*, older_than_days: int | None = None) -> int:
    """Drop the uploaded files of finished jobs after the keeping period (their rows are
    in the database or were refused; the error list and counts stay)."""
    days = settings.LEDGER_IMPORT_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - dt.timedelta(days=days)
    return ImportJob.objects.filter(
        status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED],
        finished_at__lt=cutoff,
        content__isnull=False,
    ).update(content=None)


# Files for the user ---------------------------------------------------------------------------


def template_xlsx(ledger: Ledger, *, unit: str) -> bytes:
    """An empty ledger with the headers, to fill in."""

    return government_xlsx(
        title=ledger.title,
        unit=unit,
        columns=[c.header + ("*" if c.required else "") for c in ledger.import_columns],
        rows=[],
        widths=[c.width for c in ledger.import_columns],
    )


def error_rows_xlsx(job: ImportJob) -> bytes:
    """The rows that were not (or would not be) imported, as typed, with the reasons in a
    last column: corrected, the file imports as it is."""

    ledger = ledger_for(job.kind)
    parsed = parse(ledger, bytes(job.content))
    reasons = {e["row"]: "；".join(e["messages"]) for e in job.errors}
    columns = ledger.import_columns
    rows = [
        [record.get(c.key, "") for c in columns] + [reasons[number]]
        for number, record in parsed.rows
        if number in reasons
    ]
    return government_xlsx(
        title=ledger.title,
        unit=job.area.name,
        columns=[c.header for c in columns] + [ERROR_COLUMN],
        rows=rows,
        widths=[c.width for c in columns] + [40],
    )


def export_xlsx(ledger: Ledger, records, *, unit: str, unmasked: bool) -> bytes:

    columns = ledger.export_columns
    return government_xlsx(
        title=ledger.title,
        unit=unit,
        columns=[c.header for c in columns],
        rows=ledger.export_rows(records, unmasked=unmasked),
        widths=[c.width for c in columns],
    )
