"""Points in the admin: the ledger (read only: entries are never changed), accounts with
their balances, staff adjustments (a new entry with a reason), and the area's rules."""

import uuid

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from areas.admin_mixins import ReadOnlyInline, ScopedAdmin, ServiceAdminForm, ServiceAdminMixin

from . import services
from .models import PointsAccount, PointsEntry, PointsRule


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
        return f"{obj.worker.masked_name} {obj.worker.masked_phone}"

    @admin.display(description=_("work community"))
    def area(self, obj):
        return obj.worker.area


class AdjustmentForm(ServiceAdminForm):
    """Adding an entry in the admin is a staff adjustment (补录, 更正)."""

    points = forms.IntegerField(
        label=_("Points (negative to take away)"),
        help_text=_("For example 20 for a paper ledger's points, -5 to correct a mistake."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)

    class Meta:
        model = PointsEntry
        fields = ["account", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reason" in self.fields:  # the add form (an existing entry shows read only)
            self.fields["reason"].help_text = _("The worker reads this in their points history.")

    def call_service(self, actor):
        data = self.cleaned_data
        return services.points_adjust(
            actor=actor,
            worker=data["account"].worker,
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
    raw_id_fields = ["account"]
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["account", "points", "reason", "submission_key"]
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
    class Meta:
        model = PointsRule
        fields = ["area", "event", "activity_kind", "points"]

    def call_service(self, actor):
        return services.points_rule_save(actor=actor, rule=self.instance)


@admin.register(PointsRule)
class PointsRuleAdmin(ServiceAdminMixin, ScopedAdmin):
    form = PointsRuleForm
    list_display = ["area", "event", "activity_kind", "points"]
    list_filter = ["event"]
    list_select_related = ["area"]
