"""Transfers between communities in the admin (members.services.transfers): the receiving
community accepts or declines on the transfer's own page; the community the worker left
reads its transfers out as history. Nothing here is edited by hand."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import ScopedAdmin
from areas.record_actions import RecordAction, RecordActionsMixin

from . import services
from .models import WorkerTransfer


def _accept(actor, transfer, reason) -> str:
    transfer = services.transfer_accept(actor=actor, transfer=transfer)
    return _("Accepted: %(worker)s is registered with %(community)s now, and is told so.") % {
        "worker": transfer.worker.masked_label,
        "community": transfer.to_area.name,
    }


def _decline(actor, transfer, reason) -> str:
    services.transfer_decline(actor=actor, transfer=transfer, reason=reason)
    return _("Declined: the worker reads your reason and stays where they were.")


def _waiting(transfer) -> bool:
    return transfer.status == WorkerTransfer.Status.PENDING


class DirectionFilter(admin.SimpleListFilter):
    """Moving in (to decide) or moving out (history), as the user's own areas see it."""

    title = _("direction")
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        return [("in", _("Moving in (to my areas)")), ("out", _("Moving out (from my areas)"))]

    def queryset(self, request, queryset):
        receiving = access.scope(WorkerTransfer.objects.all(), request.user, access.Purpose.WRITE)
        if self.value() == "in":
            return queryset.filter(pk__in=receiving.values("pk"))
        if self.value() == "out":
            return queryset.exclude(pk__in=receiving.values("pk"))
        return queryset


@admin.register(WorkerTransfer)
class WorkerTransferAdmin(RecordActionsMixin, ScopedAdmin):
    record_actions = [
        RecordAction("accept", _("Accept the worker"), run=_accept, shows=_waiting),
        RecordAction(
            "decline",
            _("Decline with a reason…"),
            run=_decline,
            shows=_waiting,
            reason_label=_("Reason the worker reads"),
            explanation=_(
                "The worker stays registered with the community they asked to leave, and "
                "reads your reason on their phone."
            ),
        ),
    ]
    list_display = [
        "requested_at",
        "masked_worker",
        "occupation",
        "from_area",
        "to_area",
        "status",
        "decided_at",
    ]
    list_filter = ["status", DirectionFilter]
    list_select_related = ["worker", "from_area", "to_area"]
    fields = [
        "masked_worker",
        "occupation",
        "registered_since",
        "from_area",
        "to_area",
        "status",
        "reason",
        "requested_at",
        "decided_at",
    ]
    readonly_fields = fields
    search_fields = ["from_area__name", "to_area__name"]

    def has_add_permission(self, request):
        return False  # asked for on the phone, or by changing the worker's community

    def has_change_permission(self, request, obj=None):
        # Decided by its buttons (record_actions), never edited; may_act_on asks with no
        # record whether the user may change transfers at all.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # the history of a move is kept

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label

    @admin.display(description=_("occupation"))
    def occupation(self, obj):
        return obj.worker.get_occupation_display()

    @admin.display(description=_("registered since"))
    def registered_since(self, obj):
        approved = obj.worker.approved_at
        return date_format(timezone.localtime(approved), "DATETIME_FORMAT") if approved else ""
