"""The estate pass's entry in the personal-data registry (members.personal_data): the
worker's passes (what each property company sees) and their entries at the gates.
Deleting an account deletes the passes; entries stay as counts-to-be without a name.
Entries lose what names the worker after their estate's days (90 by default, at most the
platform's setting) and become counts per gate and day after the platform's; a pass that
lapsed long ago is deleted. Both seal the rollups' figures of what they delete
(core.facts.raw_rows_purged), in the transaction that deletes it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.facts import raw_rows_purged
from members.personal_data import Handler, Holding, Retention, show

from . import services
from .models import EntryLog, EstatePass

LAPSED_PASS_DAYS = 180
ENTRY_DAYS = services.ENTRY_DAYS


def _passes_of(worker):
    return EstatePass.objects.filter(worker=worker) | EstatePass.objects.filter(phone=worker.phone)


def estates_my_data(worker) -> list[Holding]:
    passes = [
        [
            (_("Estate"), estate_pass.estate.name),
            (_("Property company"), estate_pass.estate.property_company),
            (_("Name"), estate_pass.name),
            (_("Employer"), estate_pass.employer),
            (_("Platform"), estate_pass.platform),
            (_("Occupation"), estate_pass.get_occupation_display()),
            (_("Authorised at"), show(estate_pass.authorised_at)),
            (_("Pass lasts until"), show(estate_pass.expires_at)),
            (_("Status"), estate_pass.get_status_display()),
            (_("What you agreed to"), estate_pass.consent_text),
        ]
        for estate_pass in _passes_of(worker).select_related("estate")
    ]
    entries = [
        [
            (_("Estate"), entry.estate.name),
            (_("Gate"), entry.gate.name),
            (_("Checked at"), show(entry.at)),
            (_("Outcome"), entry.get_outcome_display()),
        ]
        for entry in EntryLog.objects.filter(estate_pass__in=_passes_of(worker))
        .select_related("estate", "gate")
        .order_by("-at")[:500]
    ]
    return [
        Holding(
            "estates.passes",
            _("Your estate passes"),
            str(
                _(
                    "The estate's property company: your name masked, employer, platform, occupation."
                )
            ),
            passes,
        ),
        Holding(
            "estates.entries",
            _("Your entries at estate gates"),
            str(_("The estate's property company and its guards, masked.")),
            entries,
        ),
    ]


def estates_erase(*, worker, actor) -> None:
    _passes_of(worker).delete()  # entries stay, without the pass (on_delete SET_NULL)


@transaction.atomic
def lapsed_passes_purge(*, before) -> int:
    lapsed = EstatePass.objects.filter(expires_at__lt=before)
    if not lapsed.exists():
        return 0
    # A lapsed pass was authorised at least a day before `before`: its figures are sealed
    # before it goes (a rollup job between the delete and the seal would count again).
    raw_rows_purged.send(sender=EstatePass._meta.label_lower, before=before)
    deleted, _by_model = lapsed.delete()
    return deleted


def entries_purge(*, before) -> int:
    return services.entries_reduce(before=before, now=timezone.now())


HANDLER = Handler(
    name="estates.passes",
    models=("estates.EstatePass", "estates.EntryLog"),
    my_data=estates_my_data,
    erase=estates_erase,
    retention=(
        Retention(
            model="estates.EstatePass",
            what=gettext_lazy("Your estate passes"),
            rule=gettext_lazy(
                "Deleted %(days)d days after the pass lapsed, at once when you delete it "
                "or your account."
            ),
            default_days=LAPSED_PASS_DAYS,
            enforce=lapsed_passes_purge,
            deletes_rows=True,
        ),
        Retention(
            model="estates.EntryLog",
            what=gettext_lazy("Your entries at estate gates"),
            rule=gettext_lazy(
                "Kept as long as the estate says (%(days)d days at most), then only counted "
                "per gate and day."
            ),
            default_days=ENTRY_DAYS,
            enforce=entries_purge,
            deletes_rows=True,
        ),
    ),
)
