"""Points in the admin: the ledger (read only: entries are never changed), accounts with
their balances, staff adjustments (a new entry with a reason), the area's rules, the
rewards catalogue, redemptions and the keeper's hand-over counter."""

import uuid

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from areas import access, references
from areas.admin_mixins import ReadOnlyInline, ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from areas.counter import PickupCounterMixin
from areas.record_actions import RecordAction, RecordActionsMixin
from core.exceptions import ApplicationError
from members.models import Worker

from . import rules, selectors, services
from .models import PointsAccount, PointsEntry, PointsRule, Redemption, Reward


class EntryInline(ReadOnlyInline):
    model = PointsEntry
    fields = ["created_at", "amount", "kind", "reason", "balance_after", "actor"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    fk_name = "account"


@admin.register(PointsAccount)
class PointsAccountAdmin(ScopedAdmin):
    list_display = ["masked_worker", "area", "balance", "updated_at"]
    list_select_related = ["worker__area"]
    search_fields = ["worker__name"]
    inlines = [EntryInline]
    fields = ["masked_worker", "area", "balance"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # opened by the first entry

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label

    @admin.display(description=_("work community"))
    def area(self, obj):
        return obj.worker.area


class AdjustmentForm(ServiceAdminForm):
    """Adding an entry in the admin is a staff adjustment (补录, 更正). Staff pick the
    worker, not a points account: a worker who never earned a point has none yet, and the
    service opens it (issue 14 §5)."""

    worker = forms.ModelChoiceField(
        label=_("worker"),
        queryset=Worker.objects.none(),  # the workers this user may write for (__init__)
        help_text=_(
            "Pick the worker with the magnifier: search by their whole name or phone number."
        ),
    )
    points = forms.IntegerField(
        label=_("Points (negative to take away)"),
        help_text=_("For example 20 for a paper ledger's points, -5 to correct a mistake."),
    )
    submission_key = forms.CharField(
        label=_("Submission key"), widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex
    )

    class Meta:
        model = PointsEntry
        fields = ["reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "worker" in self.fields:
            self.fields["worker"].queryset = references.reachable(
                Worker, self.actor, access.Purpose.WRITE
            )
        if "reason" in self.fields:  # the add form (an existing entry shows read only)
            self.fields["reason"].help_text = _("The worker reads this in their points history.")

    def call_service(self, actor):
        data = self.cleaned_data
        return services.points_adjust(
            actor=actor,
            worker=data["worker"],
            points=data["points"],
            reason=data["reason"],
            request_key=data["submission_key"],
        ).entry


@admin.register(PointsEntry)
class PointsEntryAdmin(ServiceAdminMixin, ScopedAdmin):
    form = AdjustmentForm
    list_display = ["created_at", "masked_worker", "amount", "kind", "source", "reason", "actor"]
    list_filter = ["kind", "source"]
    list_select_related = ["account__worker", "actor"]
    search_fields = ["account__worker__name", "reason"]
    date_hierarchy = "created_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # The picker opens the workers' list, scoped and masked as everywhere; the
            # worker's page links here with ?worker=<id>.
            rel = PointsAccount._meta.get_field("worker").remote_field
            form.base_fields["worker"].widget = ForeignKeyRawIdWidget(rel, self.admin_site)
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["worker", "points", "reason", "submission_key"]
        return [
            "created_at",
            "masked_worker",
            "amount",
            "kind",
            "source",
            "source_id",
            "reason",
            "balance_after",
            "actor",
            "reverses",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # entries are never changed: add a reversing or adjusting entry

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.account.worker.masked_name


class PointsRuleForm(ServiceAdminForm):
    # The types activities registered (points.rules); the service refuses any other.
    activity_kind = forms.ChoiceField(
        label=_("activity type"),
        required=False,
        choices=lambda: [*BLANK_CHOICE_DASH, *rules.activity_kind_choices()],
    )

    class Meta:
        model = PointsRule
        fields = ["area", "event", "activity_kind", "points"]

    def call_service(self, actor):
        return services.points_rule_save(actor=actor, rule=self.instance)


@admin.register(PointsRule)
class PointsRuleAdmin(ServiceAdminMixin, ScopedAdmin):
    form = PointsRuleForm
    list_display = ["area", "event", "activity_kind_label", "points"]
    list_filter = ["event"]
    list_select_related = ["area"]

    @admin.display(description=_("activity type"), ordering="activity_kind")
    def activity_kind_label(self, obj):
        return rules.activity_kind_label(obj.activity_kind) if obj.activity_kind else None


# Rewards -----------------------------------------------------------------------------------


class RewardForm(ServiceAdminForm):
    class Meta:
        model = Reward
        fields = [
            "area",
            "name",
            "description",
            "points_price",
            "stock",
            "sponsor_kind",
            "sponsor",
            "pickup_stations",
            "valid_from",
            "valid_until",
            "active",
        ]

    def call_service(self, actor):
        return services.reward_save(
            actor=actor,
            reward=self.instance,
            pickup_stations=self.cleaned_data.get("pickup_stations"),
        )


@admin.register(Reward)
class RewardAdmin(ServiceAdminMixin, ScopedAdmin):
    form = RewardForm
    list_display = ["name", "area", "points_price", "stock", "sponsor", "valid_until", "active"]
    list_filter = ["active", "sponsor_kind"]
    list_select_related = ["area"]
    search_fields = ["name", "sponsor"]
    filter_horizontal = ["pickup_stations"]

    def has_delete_permission(self, request, obj=None):
        return False  # redemptions refer to it: stop offering it instead

    def save_related(self, request, form, formsets, change):
        pass  # reward_save set the pickup stations


def _hand_over(actor, redemption, reason) -> str:
    services.hand_over(actor=actor, pickup_code=redemption.pickup_code)
    return _("Handed over.")


def _cancel(actor, redemption, reason) -> str:
    services.redemption_cancel(redemption=redemption, actor=actor)
    return _("Cancelled: the points and the item are back.")


def _waiting(redemption) -> bool:
    return redemption.status == Redemption.Status.RESERVED


@admin.register(Redemption)
class RedemptionAdmin(PickupCounterMixin, RecordActionsMixin, ScopedAdmin):
    record_actions = [
        RecordAction("hand-over", _("Hand over"), run=_hand_over, shows=_waiting),
        RecordAction(
            "cancel", _("Cancel, returning points and stock"), run=_cancel, shows=_waiting
        ),
    ]
    list_display = [
        "created_at",
        "reward",
        "masked_worker",
        "station",
        "points",
        "status",
        "expires_at",
        "handed_over_at",
    ]
    list_filter = ["status", "station"]
    list_select_related = ["reward", "worker", "station"]
    search_fields = ["pickup_code", "reward__name"]
    fields = [
        "reward",
        "masked_worker",
        "station",
        "points",
        "status",
        "expires_at",
        "handed_over_at",
        "handed_over_by",
        "closed_reason",
    ]
    readonly_fields = fields
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False  # workers redeem on the phone

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label

    @admin.action(description=_("Cancel, returning points and stock"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        done = 0
        for redemption in queryset.filter(status=Redemption.Status.RESERVED):
            try:
                services.redemption_cancel(redemption=redemption, actor=request.user)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{redemption}: {error.message}", messages.WARNING)
        self.message_user(request, _("%(count)d cancelled.") % {"count": done})

    # The keeper's counter (areas.counter): a scanned or typed pickup code.
    counter_title = _("Hand over a reward")
    counter_template = "admin/points/redemption/hand_over.html"

    def counter_waiting(self, request, pickup_code):
        return selectors.redemption_at_counter(user=request.user, pickup_code=pickup_code)

    def counter_hand_over(self, request, pickup_code):
        return services.hand_over(actor=request.user, pickup_code=pickup_code)

    def counter_done_message(self, handed) -> str:
        return _("Hand over: %(item)s to %(worker)s.") % {
            "item": handed.reward.name,
            "worker": handed.worker.masked_name,
        }
