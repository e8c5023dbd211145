"""Staff work on workers, enterprises and outlets. Personal data is masked here too: a
staff member with the may-unmask grant opens one record's full details by giving a reason,
which is logged (areas.audit), and sees them for UNMASK_MINUTES."""

import time

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import (
    ReadOnlyInline,
    ScopedAdmin,
    ServiceAdminForm,
    ServiceAdminMixin,
    area_filter_queryset,
)
from areas.audit import record_access
from areas.models import AccessLog
from areas.record_actions import RecordAction, RecordActionsMixin
from core.exceptions import ApplicationError
from core.masking import mask_phone
from ledgers.admin import LEDGER_ACTIONS, LedgerExportMixin

from . import selectors, services
from .models import Enterprise, Outlet, Worker, WorkerStatusChange

UNMASK_MINUTES = 10
PERSONAL_FIELDS = ["name", "phone", "id_number"]
SESSION_KEY = "members:unmasked-workers"  # {worker id: [unix time, reason given]}


def unmask_reason(request, worker: Worker) -> str | None:
    """The reason given for unmasking this worker, while the unmasking lasts."""
    opened = request.session.get(SESSION_KEY, {}).get(str(worker.pk))
    if opened is None or time.time() - opened[0] > UNMASK_MINUTES * 60:
        return None
    return opened[1]


def unmasked_in_session(request, worker: Worker) -> bool:
    return unmask_reason(request, worker) is not None


class AreaFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(a.pk, str(a)) for a in area_filter_queryset(request)]


# Enterprises and outlets -----------------------------------------------------------------


class EnterpriseForm(ServiceAdminForm):
    class Meta:
        model = Enterprise
        fields = ["name", "kind", "credit_code", "area", "instructor"]

    def call_service(self, actor):
        return services.enterprise_save(actor=actor, enterprise=self.instance)


@admin.register(Enterprise)
class EnterpriseAdmin(ServiceAdminMixin, ScopedAdmin):
    form = EnterpriseForm
    list_display = ["name", "kind", "credit_code", "area", "instructor"]
    list_filter = ["kind", ("area", AreaFilter)]
    search_fields = ["name", "credit_code"]
    list_select_related = ["area", "instructor"]
    autocomplete_fields = []


class OutletForm(ServiceAdminForm):
    class Meta:
        model = Outlet
        fields = [
            "enterprise",
            "name",
            "kind",
            "area",
            "address",
            "worker_count",
            "party_member_count",
            "surveyed_on",
            "contact_name",
            "contact_phone",
        ]

    def call_service(self, actor):
        return services.outlet_save(actor=actor, outlet=self.instance)


@admin.register(Outlet)
class OutletAdmin(LedgerExportMixin, ServiceAdminMixin, ScopedAdmin):
    form = OutletForm
    actions = LEDGER_ACTIONS
    ledger_key = "outlets"
    ledger_select_related = ["enterprise", "area"]
    ledger_personal_fields = ["contact_name", "contact_phone"]
    list_display = [
        "name",
        "enterprise",
        "kind",
        "area",
        "worker_count",
        "party_member_count",
        "surveyed_on",
        "masked_contact_phone",
    ]
    list_filter = ["kind", "enterprise", ("area", AreaFilter)]
    search_fields = ["name", "enterprise__name", "address"]
    list_select_related = ["enterprise", "area"]

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone)


# Workers ---------------------------------------------------------------------------------


class WorkerForm(ServiceAdminForm):
    """Staff-assisted registration (add) and corrections (change). Which personal fields
    are on the form depends on the user's grants (WorkerAdmin.get_fields)."""

    worker_consented = forms.BooleanField(
        label=_("The worker has read the privacy notice and agrees"),
        required=False,
        help_text=_("Read the notice to them or let them read it at the station first."),
    )
    sensitive_consented = forms.BooleanField(
        label=_("The worker also agrees to record their political status"),
        required=False,
    )

    class Meta:
        model = Worker
        fields = "__all__"

    def call_service(self, actor):
        given = [name for name in services.DETAIL_FIELDS if name in self.cleaned_data]
        details = services.WorkerDetails(**{name: self.cleaned_data[name] for name in given})
        if self.instance.pk is None:
            if not self.cleaned_data.get("worker_consented"):
                raise services.refuse(
                    "worker_consented", _("The worker must agree to the privacy notice first.")
                )
            worker, _created = services.worker_register(
                details=details,
                source=Worker.Source.STAFF,
                notice_version=services.PRIVACY_NOTICE_VERSION,
                sensitive_consent=bool(self.cleaned_data.get("sensitive_consented")),
                actor=actor,
            )
            return worker
        changed = [name for name in given if name in self.changed_data]
        return services.worker_update(
            actor=actor, worker=self.instance, details=details, given=changed
        )


class StatusHistoryInline(ReadOnlyInline):
    model = WorkerStatusChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("registration history")


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the worker will read"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(forms.Form):
    """Which of the two selected records stays; the other is folded into it."""

    kept = forms.TypedChoiceField(
        label=_("Keep this record"), coerce=int, widget=forms.RadioSelect, choices=[]
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].choices = [(w.pk, str(w.pk)) for w in workers]


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = _("possible duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("yes", _("Same name in the same community"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return selectors.possible_duplicates(queryset).order_by("area", "name", "created_at")
        return queryset


class UnmaskForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need the full details?"), max_length=200)


def _approve(actor, worker, reason) -> str:
    services.worker_approve(actor=actor, worker=worker)
    return _("Approved: the worker is told on their phone.")


def _return(actor, worker, reason) -> str:
    services.worker_reject(actor=actor, worker=worker, reason=reason)
    return _("Returned: the worker reads your reason on their phone and can correct it.")


def _waiting_for_review(worker) -> bool:
    return worker.status in services.REVIEWABLE and not worker.erased_at


def _mergeable(worker) -> bool:
    return worker.status != Worker.Status.MERGED and not worker.erased_at


@admin.register(Worker)
class WorkerAdmin(RecordActionsMixin, LedgerExportMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction("approve", _("Approve"), run=_approve, shows=_waiting_for_review),
        RecordAction(
            "return",
            _("Return with a reason…"),
            run=_return,
            shows=_waiting_for_review,
            reason_label=_("Reason the worker reads"),
            explanation=_(
                "The registration goes back to the worker, who sees your reason on their "
                "phone and can correct and resubmit it."
            ),
        ),
        RecordAction(
            "merge",
            _("Merge with another record…"),
            view="merge_from_record_view",
            shows=_mergeable,
        ),
    ]
    form = WorkerForm
    ledger_key = "workers"
    ledger_select_related = ["area", "enterprise", "outlet", "residence_area"]
    ledger_personal_fields = PERSONAL_FIELDS
    inlines = [StatusHistoryInline]
    list_display = [
        "masked_name",
        "masked_phone",
        "occupation",
        "enterprise",
        "area",
        "status",
        "source",
        "created_at",
    ]
    list_filter = [
        "status",
        PossibleDuplicateFilter,
        "occupation",
        "source",
        ("area", AreaFilter),
        "enterprise",
    ]
    list_select_related = ["area", "enterprise"]
    search_fields = ["name"]  # replaced by get_search_results (phone, ID, name)
    search_help_text = _(
        "A full phone number, ID number or name finds the person (part of a name only where "
        "you may see names unmasked)."
    )
    actions = ["approve_selected", "reject_selected", "merge_selected", *LEDGER_ACTIONS]
    ordering = ["-created_at"]

    # Which fields the form shows ------------------------------------------------------

    def may_unmask(self, request, obj) -> bool:
        return obj is not None and access.can_in(request.user, obj.area, access.Purpose.UNMASK)

    def may_see_party(self, request, obj) -> bool:
        area = obj.area if obj is not None else None
        if area is None:
            return access.reach_of(request.user).reaches_any(access.Purpose.PARTY_WRITE)
        return access.can_in(request.user, area, access.Purpose.PARTY_WRITE)

    def get_fields(self, request, obj=None):
        fields = []
        if obj is None or unmasked_in_session(request, obj):
            fields += PERSONAL_FIELDS
        else:
            fields += ["masked_name", "masked_phone", "masked_id_number", "unmask_link"]
        fields += [
            name
            for name in services.DETAIL_FIELDS
            if name not in PERSONAL_FIELDS and name != "political_status"
        ]
        if self.may_see_party(request, obj) and (obj is None or obj.sensitive_consent_at):
            fields.append("political_status")
        if obj is None:
            fields.append("worker_consented")
            if self.may_see_party(request, obj):
                fields.append("sensitive_consented")
        else:
            fields += ["status", "status_reason", "source", "privacy_notice_version"]
        return fields

    def has_change_permission(self, request, obj=None):
        # A deleted account has nothing left to correct (services.worker_erase).
        if obj is not None and obj.erased_at:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["masked_name", "masked_phone", "masked_id_number", "unmask_link"]
        if obj is not None:
            readonly += ["status", "status_reason", "source", "privacy_notice_version"]
        return readonly

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj):
        return obj.masked_phone

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("full details"))
    def unmask_link(self, obj):
        if obj is None or obj.pk is None:
            return ""
        url = reverse("admin:members_worker_unmask", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Show full details (logged)"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        worker = self.get_object(request, object_id)
        reason = unmask_reason(request, worker) if worker is not None else None
        if reason is not None and request.method == "GET":
            # Every showing of the unmasked record is logged, with the reason given.
            record_access(
                actor=request.user,
                action=AccessLog.Action.VIEW,
                reason=reason,
                area=worker.area,
                obj=worker,
                fields=PERSONAL_FIELDS,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # Search: full phone / full ID (blind index) / part of a name ----------------------

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        try:
            return selectors.worker_search(queryset, search_term, user=request.user), False
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
            return queryset.none(), False

    # Review ---------------------------------------------------------------------------

    @admin.action(description=_("Approve selected registrations"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done, refused = 0, []
        for worker in queryset.filter(status=Worker.Status.PENDING):
            try:
                services.worker_approve(actor=request.user, worker=worker)
                done += 1
            except ApplicationError as exc:
                refused.append(f"{worker}: {exc.message}")
        skipped = queryset.exclude(status=Worker.Status.PENDING).count()
        messages.success(request, _("%(n)d registrations approved.") % {"n": done})
        if skipped:
            messages.warning(
                request,
                _("%(n)d were not waiting for review and were left as they are.") % {"n": skipped},
            )
        for line in refused:
            messages.error(request, line)

    @admin.action(
        description=_("Return selected registrations with a reason…"), permissions=["change"]
    )
    def reject_selected(self, request, queryset):
        pending = queryset.filter(status=Worker.Status.PENDING)
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            for worker in pending:
                services.worker_reject(
                    actor=request.user, worker=worker, reason=form.cleaned_data["reason"]
                )
            messages.success(request, _("%(n)d registrations returned.") % {"n": pending.count()})
            return None
        return TemplateResponse(
            request,
            "admin/members/worker/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Return registrations"),
                "form": form,
                "workers": pending,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Merge two records of the same person…"), permissions=["change"])
    def merge_selected(self, request, queryset):
        workers = list(queryset.select_related("area", "enterprise").order_by("created_at"))
        if len(workers) != 2:
            messages.error(
                request,
                _("Select exactly two records of the same person to merge (you selected %(n)d).")
                % {"n": len(workers)},
            )
            return None
        form = MergeForm(request.POST if "kept" in request.POST else None, workers=workers)
        if form.is_bound and form.is_valid():
            kept_pk = form.cleaned_data["kept"]
            kept = next(w for w in workers if w.pk == kept_pk)
            duplicate = next(w for w in workers if w.pk != kept_pk)
            if merged := self._merge(request, duplicate=duplicate, kept=kept):
                return merged
        return TemplateResponse(
            request,
            "admin/members/worker/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge two records of the same person"),
                "form": form,
                "workers": workers,
                "selected": [w.pk for w in workers],
                "opts": self.model._meta,
            },
        )

    def _merge(self, request, *, duplicate, kept):
        """Merge, then the kept record's page; or None with the refusal shown."""
        try:
            kept = services.worker_merge(actor=request.user, duplicate=duplicate, kept=kept)
        except ApplicationError as error:
            messages.error(request, error.message)
            return None
        messages.success(
            request,
            _("Merged: %(duplicate)s now leads to %(kept)s.")
            % {"duplicate": duplicate, "kept": kept},
        )
        return redirect(reverse("admin:members_worker_change", args=[kept.pk]))

    def merge_from_record_view(self, request, worker, action):
        """The same merge from the worker's own page (issue 14 §5): find the other record
        of the same person among those the user may change — by its full phone number, ID
        number or name, or among the records with the same name — compare the two, choose
        the one that stays, and services.worker_merge does the rest."""
        partners = selectors.merge_partners(user=request.user, worker=worker)
        source = request.POST if request.method == "POST" else request.GET
        other = None
        if source.get("other"):
            chosen = str(source["other"]).strip()
            other = partners.filter(pk=chosen).first() if chosen.isdigit() else None
            if other is None:  # gone, merged meanwhile, or never the user's to change
                messages.error(
                    request, _("That record cannot be merged here: choose one from the list.")
                )
        if other is None:
            query = request.GET.get("q", "").strip()
            found = None
            if query:
                try:
                    found = list(selectors.worker_search(partners, query, user=request.user)[:20])
                except ApplicationError as refusal:
                    messages.error(request, refusal.message)
                    found = []
            return self.record_action_page(
                request,
                worker,
                action,
                template="admin/members/worker/merge_with.html",
                query=query,
                found=found,
                candidates=selectors.merge_candidates(user=request.user, worker=worker),
            )
        workers = [worker, other]
        form = MergeForm(request.POST if request.method == "POST" else None, workers=workers)
        if form.is_bound and form.is_valid():
            keeps_this = form.cleaned_data["kept"] == worker.pk
            kept, duplicate = (worker, other) if keeps_this else (other, worker)
            if merged := self._merge(request, duplicate=duplicate, kept=kept):
                return merged
        return self.record_action_page(
            request,
            worker,
            action,
            template="admin/members/worker/merge_with.html",
            other=other,
            workers=workers,
            form=form,
        )

    # Unmasking ------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<int:worker_id>/unmask/",
                self.admin_site.admin_view(self.unmask_view),
                name="members_worker_unmask",
            ),
            *super().get_urls(),
        ]

    def unmask_view(self, request, worker_id):
        worker = access.get_for_user(Worker.objects.all(), request.user, pk=worker_id)
        change_url = reverse("admin:members_worker_change", args=[worker.pk])
        if not self.may_unmask(request, worker):
            messages.error(request, _("You do not have access to unmasked personal data here."))
            return redirect(change_url)
        form = UnmaskForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # Logged when the change page shows the record (change_view).
            opened = request.session.get(SESSION_KEY, {})
            opened[str(worker.pk)] = [time.time(), form.cleaned_data["reason"].strip()]
            request.session[SESSION_KEY] = opened
            return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/members/worker/unmask.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Show full details"),
                "form": form,
                "worker": worker,
                "minutes": UNMASK_MINUTES,
                "opts": self.model._meta,
            },
        )


# The contact-pairing and invitation admins live in their own modules; importing them
# registers them.
from . import (  # noqa: E402,F401
    contact_admin,
    inbox_admin,
    invitation_admin,
    privacy_admin,
    transfer_admin,
)
