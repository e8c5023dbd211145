"""The estate quick pass's figures for rollups and dashboards (core.facts; reports/ discovers
them): estates taking passes, passes authorised and working, the passes checked at the
gates by the guard's answer, the entries let in, and the median seconds a worker waited at
the gate (from the pass shown to the answer, where both are known).

Entries stay counted after their days. An entry past its estate's days loses what ties it
to a person (services.entries_reduce) but stays a row the rollups count; past the
platform's days it becomes a count per gate and day (EntryCount) and is deleted, and the
rollups' figures up to that day are sealed first, in the same transaction, so no
recomputation or rebuild counts them again from what is left (reports' SealedPeriod).

A pass is counted on the day it was last authorised (authorising again renews the one
pass), and no longer once the worker deletes it (their consent withdrawn)."""

from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from core.facts import Fact, Measure

from .models import EntryLog, EstatePass
from .services import LocalDayStart

LET_IN = Q(outcome=EntryLog.Outcome.LET_IN)

FACTS = [
    Fact(
        key="estates.estates",
        label=_("Estates taking passes"),
        model="estates.Estate",
        area_path="area",
        where=Q(active=True),
    ),
    Fact(
        key="estates.passes_authorised",
        label=_("Estate passes authorised"),
        model="estates.EstatePass",
        area_path="estate__area",
        date_field="authorised_at",
    ),
    Fact(
        key="estates.passes_working",
        label=_("Estate passes working"),
        model="estates.EstatePass",
        area_path="estate__area",
        # A pass that works at any time today counts as working today, so a snapshot
        # recomputed later the same day says the same.
        where=Q(status=EstatePass.Status.ACTIVE, expires_at__gte=LocalDayStart(Now())),
    ),
    Fact(
        key="estates.entries",
        label=_("Passes checked at estate gates"),
        model="estates.EntryLog",
        area_path="estate__area",
        date_field="at",
        breakdown="outcome",
    ),
    Fact(
        key="estates.let_in",
        label=_("Entries let in at estate gates"),
        model="estates.EntryLog",
        area_path="estate__area",
        date_field="at",
        where=LET_IN,
    ),
    Fact(
        key="estates.seconds_at_gate",
        label=_("Median seconds at the gate"),
        model="estates.EntryLog",
        area_path="estate__area",
        measure=Measure.MEDIAN,
        over="seconds_at_gate",
        date_field="at",
        where=LET_IN & Q(seconds_at_gate__isnull=False),
    ),
]
