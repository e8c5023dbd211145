"""The 小区快速通行登记台账 for the ledger engine (ledgers/): the passes checked at an estate's
gates, for its property company and its community — each check's time and gate, the
worker's name masked (unless the staff member may unmask it, which is logged), employer,
platform, occupation, the guard's answer and the seconds at the gate, in the government
layout.

Exported per estate and date range (`entries_export`: what a property manager or the
community downloads), or from a list of entries in the admin (ledgers.admin's
LedgerExportMixin with `ledger_key = ENTRY_LEDGER.key`, `ledger_area_path =
"estate__area"`). The gates write it, so it is never imported: every column is the
export's. Only the entries of the estate's own days are listed; an older entry no longer
names the worker and is only counted (services.entries_reduce)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from areas import access
from areas.audit import record_access
from areas.models import AccessLog
from core.exceptions import ApplicationError, refuse
from core.masking import mask_name
from ledgers.cells import word_of
from ledgers.registry import Column, Ledger, register
from ledgers.services import export_xlsx
from members.ledgers import OCCUPATION_WORDS

from . import selectors
from .models import EntryLog, Estate

Outcome = EntryLog.Outcome

# The guard's answers as the ledger writes them (the file's words, not translated).
OUTCOME_WORDS = {
    Outcome.LET_IN: ("放行",),
    Outcome.EXPIRED_CODE: ("通行码过期或已用过",),
    Outcome.UNKNOWN_CODE: ("不是通行码",),
    Outcome.OTHER_ESTATE: ("其他小区的通行证",),
    Outcome.SUSPENDED: ("通行证已暂停",),
    Outcome.LAPSED: ("授权已到期",),
    Outcome.OCCUPATION: ("该职业不放行",),
    Outcome.HOURS: ("不在通行时段",),
}
# What an unmasked export shows beyond the masked one (the access log names it).
PERSONAL_FIELDS = ["estate_pass__name"]


def _moment(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


class EntryLedger(Ledger):
    key = "estate_entries"
    title = "小区快速通行登记台账"
    columns = [
        Column("at", "通行时间", importable=False, width=20),
        Column("estate", "小区", importable=False, width=16),
        Column("gate", "门岗", importable=False, width=10),
        Column("name", "姓名", importable=False, width=10),
        Column("employer", "工作单位", importable=False, width=22),
        Column("platform", "平台", importable=False, width=12),
        Column("occupation", "职业", importable=False, width=10),
        Column("outcome", "核验结果", importable=False, width=18),
        Column("seconds", "门口等候（秒）", importable=False, width=12),
    ]

    def export_rows(self, records, *, unmasked):
        for entry in records:
            shown = entry.estate_pass  # none: not a pass of this estate, or deleted since
            name = ""
            if shown is not None:
                name = shown.name if unmasked else mask_name(shown.name)
            yield [
                _moment(entry.at),
                entry.estate.name,
                entry.gate.name,
                name,
                shown.employer if shown else "",
                shown.platform if shown else "",
                word_of(OCCUPATION_WORDS, entry.occupation),
                word_of(OUTCOME_WORDS, entry.outcome),
                entry.seconds_at_gate,
            ]


# One instance, so that registering again finds the same ledger.
ENTRY_LEDGER = EntryLedger()


def register_ledgers() -> None:
    register(ENTRY_LEDGER)


@transaction.atomic
def entries_export(
    *,
    actor,
    estate_id: int,
    since: dt.date,
    until: dt.date,
    unmasked: bool = False,
    reason: str = "",
) -> bytes:
    """The ledger of one estate's entries on the local days since ≤ day ≤ until, as
    `actor` reaches them (an estate out of their reach: 404), masked; unmasked only for
    staff whose grant may unmask there, with a reason that is logged with the number of
    rows."""
    estate = access.get_for_user(Estate.objects.select_related("area"), actor, pk=estate_id)
    if until < since:
        raise refuse("until", _("The last day is before the first day."))
    entries = selectors.estate_entries(user=actor, estate=estate, since=since, until=until)
    records = entries.select_related("gate", "estate", "estate_pass")
    if unmasked:
        if not access.can_in(actor, estate.area, access.Purpose.UNMASK):
            raise ApplicationError(
                _("You do not have access to unmasked personal data at this estate.")
            )
        total = entries.count()
        record_access(
            actor=actor,
            action=AccessLog.Action.EXPORT,
            reason=reason,
            area=estate.area,
            model=EntryLog,
            fields=PERSONAL_FIELDS,
            row_count=total,
            object_repr=_("%(ledger)s, %(n)d rows") % {"ledger": ENTRY_LEDGER.title, "n": total},
        )
    return export_xlsx(
        ENTRY_LEDGER,
        records,
        unit=f"{estate.property_company} {estate.name}",
        unmasked=unmasked,
    )
