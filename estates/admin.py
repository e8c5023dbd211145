"""The estate quick pass in the admin. The community's staff (and a property company's
manager, for the estates their grant names) keep an estate and its gates, print the
gates' QR posters and issue new poster codes; they read the passes — masked, as the
worker agreed — and suspend one with a reason the worker reads, or reinstate it. The
entries at the gates and what is left of them (counts) are read only. A gate guard checks
passes on the phone (/m/guard/) and reads the entries at their gates here; they change
nothing."""

import segno
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas import access, references
from areas.admin_mixins import (
    LogAdminMixin,
    ScopedAdmin,
    ScopedInlineMixin,
    ServiceAdminForm,
    ServiceAdminMixin,
)
from areas.models import Area
from areas.record_actions import RecordAction, RecordActionsMixin
from core.admin_maps import MapAdminMixin
from core.masking import mask_name
from ledgers.admin import LEDGER_ACTIONS, LedgerExportMixin
from members.models import Occupation

from . import filters, services
from .models import EntryCount, EntryLog, Estate, EstatePass, Gate

# List filters ------------------------------------------------------------------------------


class CommunityListFilter(references.ScopedRelatedFieldListFilter):
    """The communities the user reaches (an estate's `area` is always a community)."""

    def field_choices(self, field, request, model_admin):
        rows = references.reachable(Area, request.user).filter(level=Area.Level.COMMUNITY)
        return [(row.pk, str(row)) for row in rows.order_by("code")]


class GateListFilter(references.ScopedRelatedFieldListFilter):
    """The gates the user reaches, named with their estate (one query, not one a gate)."""

    def field_choices(self, field, request, model_admin):
        rows = references.reachable(Gate, request.user).select_related("estate")
        return [(row.pk, str(row)) for row in rows.order_by("estate__name", "name")]


class ObjectionListFilter(admin.SimpleListFilter):
    title = _("objected to")
    parameter_name = "contested"

    def lookups(self, request, model_admin):
        return [("yes", _("Suspended, and the worker objected")), ("no", _("No objection waiting"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return filters.objection_waiting(queryset, self.value() == "yes")
        return queryset


# Gate posters ------------------------------------------------------------------------------


def gate_poster(request, gate: Gate) -> dict:
    """One gate's poster: the QR code of its signed token (services.gate_token), inline SVG."""
    url = request.build_absolute_uri(
        reverse("mobile-estate-gate", args=[services.gate_token(gate)])
    )
    return {
        "gate": gate,
        "url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#111"),
    }


def posters_page(request, estate: Estate, gates) -> TemplateResponse:
    """A4 pages to print, one a gate (templates/estates/gate_posters.html)."""
    return TemplateResponse(
        request,
        "estates/gate_posters.html",
        {"estate": estate, "posters": [gate_poster(request, gate) for gate in gates]},
    )


# Estates and their gates -------------------------------------------------------------------


class EstateForm(ServiceAdminForm):
    occupations = forms.MultipleChoiceField(
        label=_("occupations let in"),
        choices=Occupation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to let in every occupation."),
    )

    class Meta:
        model = Estate
        fields = [
            "name",
            "area",
            "address",
            "location",
            "property_company",
            "pass_days",
            "occupations",
            "entry_from",
            "entry_until",
            "entry_log_days",
            "active",
        ]

    def call_service(self, actor):
        return services.estate_save(actor=actor, estate=self.instance)


class GateInline(ScopedInlineMixin, admin.TabularInline):
    model = Gate
    fields = ["name", "active", "poster_link"]
    readonly_fields = ["poster_link"]
    extra = 0
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False  # its entries name it: close it instead

    @admin.display(description=_("poster"))
    def poster_link(self, obj):
        if obj is None or obj.pk is None or not (obj.active and obj.estate.active):
            return "—"  # a closed gate's poster leads nowhere
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:estates_gate_poster", args=[obj.pk]),
            _("Print poster"),
        )


@admin.register(Estate)
class EstateAdmin(RecordActionsMixin, MapAdminMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "posters",
            _("Print gate posters"),
            link=lambda estate: reverse("admin:estates_estate_posters", args=[estate.pk]),
            shows=lambda estate: estate.active,
            new_tab=True,
        ),
    ]
    form = EstateForm
    inlines = [GateInline]
    list_display = [
        "name",
        "area",
        "property_company",
        "pass_days",
        "active",
        "gates_shown",
    ]
    list_filter = ["active", ("area", CommunityListFilter)]
    list_select_related = ["area"]
    search_fields = ["name", "property_company"]
    fieldsets = [
        (None, {"fields": ["name", "area", "address", "location"]}),
        (
            _("The pass"),
            {
                "fields": [
                    "property_company",
                    "pass_days",
                    "occupations",
                    "entry_from",
                    "entry_until",
                    "entry_log_days",
                    "active",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(gate_count=Count("gates"))

    def get_readonly_fields(self, request, obj=None):
        # A property company's manager changes their estate, which stays in its community.
        if obj is not None and not access.can_write_in(request.user, obj.area):
            return ["area"]
        return []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = access.areas_reached(request.user, access.Purpose.WRITE).filter(
                level=Area.Level.COMMUNITY
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # its passes and entries name it: stop taking passes instead

    def save_formset(self, request, form, formset, change):
        for gate in formset.save(commit=False):
            services.gate_save(actor=request.user, gate=gate)
        formset.save_m2m()

    @admin.display(description=_("gates"), ordering="gate_count")
    def gates_shown(self, obj):
        return obj.gate_count

    def get_urls(self):
        return [
            path(
                "<int:estate_id>/posters/",
                self.admin_site.admin_view(self.posters_view),
                name="estates_estate_posters",
            ),
            *super().get_urls(),
        ]

    def posters_view(self, request, estate_id):
        """Every open gate's poster, to print: for those who may act on the estate."""
        estate = access.get_for_user(Estate.objects.all(), request.user, pk=estate_id)
        if refused := self.record_action_refusal(request, estate, "posters"):
            return refused
        return posters_page(request, estate, estate.gates.filter(active=True).order_by("name"))


class GateForm(ServiceAdminForm):
    class Meta:
        model = Gate
        fields = ["estate", "name", "active"]

    def call_service(self, actor):
        return services.gate_save(actor=actor, gate=self.instance)


def _new_poster_code(actor, gate, asked) -> str:
    services.gate_rotate_poster_key(actor=actor, gate=gate)
    return _("New poster code issued: print the new poster and put it up.")


@admin.register(Gate)
class GateAdmin(RecordActionsMixin, ServiceAdminMixin, ScopedAdmin):
    """An estate's gates: read by whoever reaches them (a guard, their own gates); added,
    changed and given a new poster code by those who may change the estate."""

    record_actions = [
        RecordAction(
            "poster",
            _("Print poster"),
            link=lambda gate: reverse("admin:estates_gate_poster", args=[gate.pk]),
            shows=lambda gate: gate.active and gate.estate.active,
            new_tab=True,
        ),
        RecordAction(
            "new-poster-code",
            _("Issue a new poster code…"),
            run=_new_poster_code,
            confirm=True,
            explanation=_(
                "The gate's posters printed so far stop working: scanned, they say the code "
                "is out of date. Print the new poster and put it up in place of the old one."
            ),
        ),
    ]
    form = GateForm
    list_display = ["name", "estate", "active"]
    list_filter = ["active", "estate"]
    list_select_related = ["estate"]
    search_fields = ["name", "estate__name"]

    def get_readonly_fields(self, request, obj=None):
        return ["estate"] if obj is not None else []  # a gate stays with its estate

    def _writes_estates(self, request, obj=None) -> bool:
        if obj is not None:
            return access.can_write(request.user, obj.estate)
        return access.reaches_rows_of(request.user, Estate, access.Purpose.WRITE)

    def has_add_permission(self, request):
        # A manager adds gates to their estates; a guard adds none.
        return request.user.is_staff and self._writes_estates(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._writes_estates(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # its entries name it: close it instead

    def may_act_on(self, request, obj) -> bool:
        return super().may_act_on(request, obj) and self._writes_estates(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:gate_id>/poster/",
                self.admin_site.admin_view(self.poster_view),
                name="estates_gate_poster",
            ),
            *super().get_urls(),
        ]

    def poster_view(self, request, gate_id):
        gate = access.get_for_user(Gate.objects.select_related("estate"), request.user, pk=gate_id)
        if refused := self.record_action_refusal(request, gate, "poster"):
            return refused
        return posters_page(request, gate.estate, [gate])


# Passes ------------------------------------------------------------------------------------


def _suspend(actor, estate_pass, reason) -> str:
    services.pass_suspend(actor=actor, estate_pass=estate_pass, reason=reason)
    return _("Suspended: the worker reads your reason and may object.")


def _answer_objection(actor, estate_pass, answer) -> str:
    services.pass_objection_answer(actor=actor, estate_pass=estate_pass, answer=answer)
    return _("Answered: the pass stays suspended, and the worker reads your answer.")


def _reinstate(actor, estate_pass, asked) -> str:
    services.pass_reinstate(actor=actor, estate_pass=estate_pass)
    return _("Reinstated: the pass works again, and the worker is told.")


@admin.register(EstatePass)
class EstatePassAdmin(RecordActionsMixin, ScopedAdmin):
    """A worker's passes: made by their consent on the phone, read here masked — the
    property company sees what the worker agreed to, never the phone number or the full
    name — and never edited; suspended with a reason, or reinstated."""

    record_actions = [
        RecordAction(
            "suspend",
            _("Suspend (with reason)…"),
            run=_suspend,
            shows=lambda estate_pass: estate_pass.status == EstatePass.Status.ACTIVE,
            reason_label=_("Why the pass is suspended (the worker reads it)"),
            explanation=_(
                "The pass stops letting the worker in at once. They read your reason on "
                "their phone and may object; the community sees the objection."
            ),
        ),
        RecordAction(
            "answer",
            _("Answer the objection (keep it suspended)…"),
            run=_answer_objection,
            shows=lambda estate_pass: estate_pass.objection_waiting,
            reason_label=_("Your answer (the worker reads it)"),
            explanation=_(
                "The worker objected to the suspension. Reinstate the pass if they are "
                "right; otherwise answer here and the pass stays suspended."
            ),
        ),
        RecordAction(
            "reinstate",
            _("Reinstate"),
            run=_reinstate,
            shows=lambda estate_pass: estate_pass.status == EstatePass.Status.SUSPENDED,
            confirm=True,
            explanation=_("The pass lets the worker in again until it lapses; they are told."),
        ),
    ]
    list_display = [
        "who",
        "estate",
        "occupation",
        "employer",
        "status",
        "authorised_at",
        "expires_at",
        "objected",
    ]
    list_filter = ["status", ObjectionListFilter, "estate"]
    list_select_related = ["estate"]
    search_fields = ["employer", "platform"]
    date_hierarchy = "authorised_at"
    fields = [
        "estate",
        "who",
        "employer",
        "platform",
        "occupation",
        "status",
        "authorised_at",
        "expires_at",
        "last_shown_at",
        "suspended_reason",
        "suspended_at",
        "suspended_by",
        "contest_text",
        "contested_at",
        "contest_answer",
        "contest_answered_at",
        "consent_version",
        "consent_text",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # a worker authorises an estate on the phone

    def has_change_permission(self, request, obj=None):
        # Decided by its buttons, never edited (may_act_on asks without a record).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # the worker deletes it (withdrawing consent), or it lapses

    @admin.display(description=_("name (masked)"))
    def who(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("objection waiting"), boolean=True)
    def objected(self, obj):
        return obj.objection_waiting


# Entries -----------------------------------------------------------------------------------


@admin.register(EntryLog)
class EntryLogAdmin(LogAdminMixin, LedgerExportMixin, ScopedAdmin):
    """Every check at a gate, whatever the answer: written by the guard's check, kept the
    estate's days, then counted (EntryCount). Selected entries export as the property
    company's ledger (小区快速通行登记台账), masked unless unmasking is granted and logged."""

    ledger_key = "estate_entries"
    ledger_area_path = "estate__area"
    ledger_select_related = ["estate", "gate", "estate_pass"]
    ledger_personal_fields = ["estate_pass__name"]
    actions = LEDGER_ACTIONS

    list_display = [
        "at",
        "estate",
        "gate_name",
        "outcome",
        "occupation",
        "who",
        "seconds_at_gate",
    ]
    list_filter = ["outcome", "estate", ("gate", GateListFilter)]
    list_select_related = ["estate", "gate", "estate_pass"]
    date_hierarchy = "at"
    fields = [
        "at",
        "estate",
        "gate_name",
        "outcome",
        "occupation",
        "who",
        "seconds_at_gate",
        "checked_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("gate"), ordering="gate__name")
    def gate_name(self, obj):
        return obj.gate.name

    @admin.display(description=_("name (masked)"))
    def who(self, obj):
        return mask_name(obj.estate_pass.name) if obj.estate_pass_id else "—"


@admin.register(EntryCount)
class EntryCountAdmin(LogAdminMixin, ScopedAdmin):
    """What is left of entries after their estate's days: how many, per gate, day and
    outcome."""

    list_display = ["day", "estate", "gate_name", "outcome", "count"]
    list_filter = ["outcome", "estate", ("gate", GateListFilter)]
    list_select_related = ["estate", "gate"]
    date_hierarchy = "day"
    fields = ["day", "estate", "gate_name", "outcome", "count"]
    readonly_fields = fields

    @admin.display(description=_("gate"), ordering="gate__name")
    def gate_name(self, obj):
        return obj.gate.name
