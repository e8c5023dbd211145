"""Writes of the monthly report (issue 13 §3; reports/monthly.py says what is in it).

- `monthly_report_generate`: anyone who may look at an area asks for its month's report;
  an area with few rows is made at once, a larger one by a Celery worker through the
  outbox (queued in the transaction that asked), its progress on the report row for the
  page's progress bar. Asking while it is being made makes nothing twice.
- `run_generation` (the task's body): make the table and both workbooks, then keep them —
  safe to run twice (a task delivered twice, or again after a worker died): the copy that
  finishes first is kept, the other is dropped.
- `monthly_report_submit`: staff who may make changes in the area mark its month
  submitted. The copy they looked at is copied aside (files and figures) and never
  changed again; the current copy can still be made again, with live figures.
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from areas import access
from areas.access import Purpose
from areas.models import Area
from core import outbox
from core.exceptions import ApplicationError

from . import monthly, selectors
from .models import MonthlyReport
from .periods import Period, PeriodKind

logger = logging.getLogger(__name__)

# An area with at most this many rows (children) is made during the request; a larger one
# by a worker, with a progress bar. Measured on this 2-core machine: 40 rows take 0.2 s
# (8 queries, then the two workbooks), 300 rows 1 s (30 queries; openpyxl writing is most
# of it). Tests set it to 0 to send every report to the worker.
INLINE_ROWS = 40
# A report still "being made" this long after it was asked for was lost (its worker died
# and the task was dropped): asking again starts it afresh.
STALE_AFTER = dt.timedelta(minutes=30)


def _month_of(report: MonthlyReport) -> Period:
    return Period(PeriodKind.MONTH, report.month)


def _require_read(actor, area: Area) -> None:
    if not (actor.is_staff and access.can_in(actor, area, Purpose.READ)):
        raise Http404


def monthly_report_generate(*, actor, area: Area, month: Period) -> MonthlyReport:
    """Ask for the area's report of `month` to be made (again) with the figures as they are
    now. Returns the report (ready already when it was made in the request)."""
    _require_read(actor, area)
    if month.kind != PeriodKind.MONTH:
        raise ApplicationError(_("A monthly report is for a month."))
    if month.start > timezone.localdate():
        raise ApplicationError(
            _("%(month)s has not begun yet: there is nothing to report.") % {"month": month.label}
        )
    inline = len(selectors.children_of(area)) <= INLINE_ROWS
    with transaction.atomic():
        report, _created = MonthlyReport.objects.get_or_create(area=area, month=month.start)
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        now = timezone.now()
        if report.is_generating and report.requested_at > now - STALE_AFTER:
            return report  # already under way: one copy is made, not two
        report.generation = MonthlyReport.Generation.QUEUED
        report.progress = 0
        report.requested_by, report.requested_at = actor, now
        report.save(update_fields=["generation", "progress", "requested_by", "requested_at"])
        if not inline:
            from . import tasks

            outbox.enqueue(tasks.generate_monthly_report, report.pk)
    if inline:
        try:
            run_generation(report.pk)
        except Exception:
            # run_generation logged it and marked the report failed: the page says so, with
            # what to do, instead of answering 500. A copy made before is kept.
            pass
    report.refresh_from_db()
    return report


def run_generation(report_id: int) -> None:
    """Make the report's table and workbooks and keep them (see the module's doc)."""
    with transaction.atomic():
        report = (
            MonthlyReport.objects.select_for_update()
            .select_related("area")
            .filter(pk=report_id)
            .first()
        )
        if report is None or not report.is_generating:
            return  # made already by a twin delivery, or never asked for
        report.generation = MonthlyReport.Generation.RUNNING
        report.save(update_fields=["generation"])
    area, month = report.area, _month_of(report)

    def progress(percent: int) -> None:
        # Outside any transaction: the page sees it at once.
        MonthlyReport.objects.filter(
            pk=report_id, generation=MonthlyReport.Generation.RUNNING
        ).update(progress=percent)

    try:
        table = monthly.build_table(area, month, progress=progress)
        general = monthly.workbook(table, party=False)
        progress(92)
        with_party = monthly.workbook(table, party=True)
    except Exception:
        logger.exception("Making the monthly report %s (%s) failed.", report_id, report)
        MonthlyReport.objects.filter(pk=report_id, generation__in=MonthlyReport.GENERATING).update(
            generation=MonthlyReport.Generation.FAILED, progress=0
        )
        raise
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        if report.generation != MonthlyReport.Generation.RUNNING:
            return  # a twin finished first and its copy is kept
        old_files = [name for name in (report.file.name, report.party_file.name) if name]
        stem = f"{area.code}-{month.code}"
        report.file.save(f"{stem}.xlsx", ContentFile(general), save=False)
        report.party_file.save(f"{stem}-party.xlsx", ContentFile(with_party), save=False)
        report.table = table
        report.version += 1
        report.generated_at = timezone.now()
        report.generation = MonthlyReport.Generation.READY
        report.progress = 100
        report.save()
        storage = report.file.storage
        # The copy it replaces goes once the new one is committed (a submitted copy is a
        # file of its own, never one of these).
        transaction.on_commit(lambda: [storage.delete(name) for name in old_files])


def _submitter(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def monthly_report_submit(*, actor, area: Area, month: Period, version: int) -> MonthlyReport:
    """Mark the area's report of `month` submitted, keeping the copy numbered `version` (the
    one the submitter looked at) exactly as it is."""
    _require_read(actor, area)
    if not access.can_in(actor, area, Purpose.WRITE):
        raise PermissionDenied(
            _(
                "You may read %(area)s's reports but not submit them: submitting needs an "
                "account that may make changes in %(area)s."
            )
            % {"area": area.name}
        )
    today = timezone.localdate()
    if month.end > today:
        raise ApplicationError(
            _(
                "%(month)s is not over yet: its report can be submitted from %(day)s, when "
                "the month's figures are complete."
            )
            % {"month": month.label, "day": date_format(month.end, "DATE_FORMAT")}
        )
    report = (
        MonthlyReport.objects.select_for_update(of=("self",))
        .select_related("submitted_by")
        .filter(area=area, month=month.start)
        .first()
    )
    if report is not None and report.is_submitted:
        raise ApplicationError(
            _("The report for %(month)s was already submitted by %(who)s on %(when)s.")
            % {
                "month": month.label,
                "who": _submitter(report.submitted_by),
                "when": date_format(timezone.localtime(report.submitted_at), "DATETIME_FORMAT"),
            }
        )
    if report is None or not report.version:
        raise ApplicationError(_("Make the report first, look it over, then submit it."))
    if report.is_generating:
        raise ApplicationError(
            _("The report is being made again: wait until it is ready, look it over, then submit.")
        )
    if report.version != version:
        raise ApplicationError(
            _(
                "The report was made again after you opened this page: look over the new copy, "
                "then submit it."
            )
        )
    if timezone.localtime(report.generated_at).date() < month.end:
        raise ApplicationError(
            _(
                "This copy was made on %(day)s, before the month was over, so it lacks the "
                "month's last days: make it again, look it over, then submit it."
            )
            % {"day": date_format(timezone.localtime(report.generated_at), "DATE_FORMAT")}
        )
    stem = f"{area.code}-{month.code}-submitted"
    with report.file.open("rb") as general, report.party_file.open("rb") as with_party:
        report.submitted_file.save(f"{stem}.xlsx", ContentFile(general.read()), save=False)
        report.submitted_party_file.save(
            f"{stem}-party.xlsx", ContentFile(with_party.read()), save=False
        )
    report.submitted_table = report.table
    report.submitted_generated_at = report.generated_at
    report.status = MonthlyReport.Status.SUBMITTED
    report.submitted_by, report.submitted_at = actor, timezone.now()
    report.save()
    return report
