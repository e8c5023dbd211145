"""Party work in the admin: organisations, party members, three-management assignments and
collaboration feedback. Only staff with the party-affairs flag see any of it
(read_purpose PARTY); changing it takes PARTY_WRITE. Every save is a service call, so a
refusal shows by its field with what was typed kept."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import ReadOnlyInline, ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from areas.models import Area
from areas.record_actions import RecordAction, RecordActionForm, RecordActionsMixin
from core.exceptions import ApplicationError
from core.forms import PhoneDateInput
from ledgers.admin import LEDGER_ACTIONS, LedgerExportMixin
from members.models import COMMUNITY_LEVEL_VALUES
from members.selectors import DISTRICT_CODE_DIGITS

from . import selectors, services
from .models import (
    CollaborationFeedback,
    ContactStatusChange,
    ManagementAssignment,
    PartyMember,
    PartyOrg,
)


class PartyAdmin(ServiceAdminMixin, ScopedAdmin):
    read_purpose = access.Purpose.PARTY
    write_purpose = access.Purpose.PARTY_WRITE

    def has_delete_permission(self, request, obj=None):
        return False  # party records end (with a date and a reason); they are not deleted


# Organisations ------------------------------------------------------------------------------


class PartyOrgForm(ServiceAdminForm):
    class Meta:
        model = PartyOrg
        fields = ["name", "kind", "parent", "area", "secretary", "contact_phone"]

    def call_service(self, actor):
        return services.party_org_save(actor=actor, org=self.instance)


@admin.register(PartyOrg)
class PartyOrgAdmin(PartyAdmin):
    form = PartyOrgForm
    list_display = ["name", "kind", "area", "parent", "community_level", "secretary"]
    list_filter = ["kind"]
    search_fields = ["name", "secretary"]
    list_select_related = ["area", "parent"]

    @admin.display(description=_("can take fallback management"), boolean=True)
    def community_level(self, obj):
        return obj.is_community_level


# Members ------------------------------------------------------------------------------------


class PartyMemberForm(ServiceAdminForm):
    class Meta:
        model = PartyMember
        fields = [
            "worker",
            "membership_org",
            "membership_org_name",
            "membership_org_place",
            "registration",
            "standing",
            "joined_on",
            "revealed_on",
            "reported_on",
            "reported_to",
        ]

    def call_service(self, actor):
        return services.party_member_save(actor=actor, member=self.instance)


class AssignmentInline(ReadOnlyInline):
    model = ManagementAssignment
    fields = ["kind", "org", "started_on", "ended_on", "end_reason", "agreement_ref"]
    readonly_fields = fields
    verbose_name_plural = _("three-management assignments (三管)")


class ContactHistoryInline(ReadOnlyInline):
    model = ContactStatusChange
    fields = ["event", "on", "note", "actor"]
    readonly_fields = fields


class ActiveFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Active")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(ended_on__isnull=self.value() == "yes")
        return queryset


class CoverageGapFilter(admin.SimpleListFilter):
    """The coverage report's gaps as a changelist filter (the admin index links here)."""

    title = _("three-management gap")
    parameter_name = "gap"

    def lookups(self, request, model_admin):
        return [
            ("fallback", _("No fallback management")),
            ("direct", _("No direct management")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "fallback":
            ids = selectors.active_members(user=request.user).filter(has_fallback=False)
        elif self.value() == "direct":
            ids = selectors.active_members(user=request.user).filter(
                has_direct=False, membership_org__isnull=False
            )
        else:
            return queryset
        return queryset.filter(pk__in=ids.values("pk"))


class EndMembershipForm(forms.Form):
    ended_on = forms.DateField(label=_("Ends on"), initial=timezone.localdate)
    reason = forms.CharField(
        label=_("Why the membership here ends"),
        help_text=_("For example: transferred to another branch, moved away, deceased."),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# A member's workflow on their own page (issue 14 §5) --------------------------------------


class ReportForm(RecordActionForm):
    """到社区报到, recorded by staff: the community (one of the member's district where the
    user keeps party records) and the day."""

    reported_to = forms.ModelChoiceField(label=_("Community reported to"), queryset=None)
    reported_on = forms.DateField(
        label=_("Reported on"), initial=timezone.localdate, widget=PhoneDateInput()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        area = self.obj.worker.area
        communities = access.scope(
            Area.objects.filter(
                level__in=COMMUNITY_LEVEL_VALUES,
                code__startswith=area.code[:DISTRICT_CODE_DIGITS],
            ),
            self.user,
            access.Purpose.PARTY_WRITE,
        ).order_by("code")
        self.fields["reported_to"].queryset = communities
        if communities.filter(pk=area.pk).exists():
            self.fields["reported_to"].initial = area.pk


class ContactEventForm(RecordActionForm):
    on = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=PhoneDateInput())
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: how you tried to reach them, or how they were found."),
    )


class EndMembershipActionForm(RecordActionForm, EndMembershipForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].widget = PhoneDateInput()


def _report(actor, member, asked) -> str:
    member = services.party_member_report(
        actor=actor, member=member, community=asked["reported_to"], on=asked["reported_on"]
    )
    return _("Recorded: reported to %(community)s on %(day)s.") % {
        "community": member.reported_to,
        "day": member.reported_on,
    }


def _lost(actor, member, asked) -> str:
    services.party_member_set_lost_contact(
        actor=actor, member=member, lost=True, on=asked["on"], note=asked["note"]
    )
    return _("Marked as lost contact (失联).")


def _found(actor, member, asked) -> str:
    services.party_member_set_lost_contact(
        actor=actor, member=member, lost=False, on=asked["on"], note=asked["note"]
    )
    return _("Marked as found again (双找).")


def _end(actor, member, asked) -> str:
    services.party_member_end(
        actor=actor, member=member, on=asked["ended_on"], reason=asked["reason"]
    )
    return _("The membership here has ended, and its three-management assignments with it.")


def _active(member) -> bool:
    return member.ended_on is None


@admin.register(PartyMember)
class PartyMemberAdmin(RecordActionsMixin, LedgerExportMixin, PartyAdmin):
    record_actions = [
        RecordAction(
            "report",
            _("Record reporting to the community (报到)…"),
            run=_report,
            form=ReportForm,
            shows=lambda m: _active(m) and m.revealed_on is not None and m.reported_on is None,
        ),
        RecordAction(
            "lost-contact",
            _("Mark as lost contact (失联)…"),
            run=_lost,
            form=ContactEventForm,
            shows=lambda m: _active(m) and not m.lost_contact,
        ),
        RecordAction(
            "found",
            _("Mark as found again (双找)…"),
            run=_found,
            form=ContactEventForm,
            shows=lambda m: _active(m) and m.lost_contact,
        ),
        RecordAction(
            "end",
            _("End the membership here…"),
            run=_end,
            form=EndMembershipActionForm,
            shows=_active,
            explanation=_(
                "The membership is no longer managed here. The record stays, with the date "
                "and your reason; every active three-management assignment ends on the same "
                "day."
            ),
        ),
    ]
    ledger_key = "party_members"
    ledger_area_path = "worker__area"
    ledger_select_related = ["worker__area", "membership_org"]
    ledger_personal_fields = ["name", "phone", "party_membership"]
    form = PartyMemberForm
    raw_id_fields = ["worker"]
    inlines = [AssignmentInline, ContactHistoryInline]
    list_display = [
        "masked_worker",
        "area",
        "membership_org_display",
        "registration",
        "standing",
        "lost_contact",
        "revealed_on",
        "reported_on",
        "ended_on",
    ]
    list_filter = [ActiveFilter, CoverageGapFilter, "registration", "standing", "lost_contact"]
    list_select_related = ["worker__area", "membership_org"]
    search_fields = ["worker__name", "membership_org_name"]
    actions = ["mark_lost_contact", "mark_found", "end_membership", *LEDGER_ACTIONS]

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_name

    @admin.display(description=_("work community"))
    def area(self, obj):
        return obj.worker.area

    @admin.display(description=_("membership branch"))
    def membership_org_display(self, obj):
        return obj.membership_org_display

    def _set_lost(self, request, queryset, lost: bool):
        done = 0
        for member in queryset:
            try:
                services.party_member_set_lost_contact(
                    actor=request.user, member=member, lost=lost, on=timezone.localdate()
                )
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{member}: {error.message}", messages.WARNING)
        if done:
            self.message_user(request, _("%(count)d updated.") % {"count": done})

    @admin.action(description=_("Mark as lost contact today (失联)"), permissions=["change"])
    def mark_lost_contact(self, request, queryset):
        self._set_lost(request, queryset, True)

    @admin.action(description=_("Mark as found again today (双找)"), permissions=["change"])
    def mark_found(self, request, queryset):
        self._set_lost(request, queryset, False)

    @admin.action(
        description=_("End the membership here (with its assignments)…"), permissions=["change"]
    )
    def end_membership(self, request, queryset):
        members = list(queryset.filter(ended_on__isnull=True).select_related("worker__area"))
        form = EndMembershipForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for member in members:
                try:
                    services.party_member_end(
                        actor=request.user,
                        member=member,
                        on=form.cleaned_data["ended_on"],
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except ApplicationError as error:
                    self.message_user(request, f"{member}: {error.message}", messages.ERROR)
            if done:
                self.message_user(request, _("%(count)d memberships ended here.") % {"count": done})
            return None
        return TemplateResponse(
            request,
            "admin/party/partymember/end.html",
            {
                **self.admin_site.each_context(request),
                "title": _("End membership here"),
                "form": form,
                "members": members,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )


# Three-management ------------------------------------------------------------------------


class AssignmentForm(ServiceAdminForm):
    """Adding starts an assignment (assignment_start); changing one only ends it."""

    class Meta:
        model = ManagementAssignment
        fields = [
            "member",
            "org",
            "kind",
            "started_on",
            "agreement_ref",
            "feedback_every_months",
            "ended_on",
            "end_reason",
        ]

    def validate_unique(self):
        # The service checks one-active-per-kind and the collaborative agreement itself,
        # naming the assignment already active (the model's generic constraint message
        # would not); the database constraints still stand behind it.
        pass

    def call_service(self, actor):
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.assignment_start(
                actor=actor,
                member=data["member"],
                org=data["org"],
                kind=data["kind"],
                started_on=data["started_on"],
                agreement_ref=data.get("agreement_ref", ""),
                feedback_every_months=data.get("feedback_every_months"),
            )
        if data.get("ended_on"):
            return services.assignment_end(
                actor=actor,
                assignment=self.instance,
                on=data["ended_on"],
                reason=data.get("end_reason", ""),
            )
        return self.instance


class FeedbackInline(ReadOnlyInline):
    model = CollaborationFeedback
    fields = ["on", "summary", "recorded_by"]
    readonly_fields = fields


class FeedbackOverdueFilter(admin.SimpleListFilter):
    title = _("collaboration feedback")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            overdue = selectors.overdue_collaborations(user=request.user)
            return queryset.filter(pk__in=overdue.values("pk"))
        return queryset


@admin.register(ManagementAssignment)
class AssignmentAdmin(PartyAdmin):
    form = AssignmentForm
    raw_id_fields = ["member"]
    inlines = [FeedbackInline]
    list_display = [
        "member",
        "kind",
        "org",
        "started_on",
        "ended_on",
        "feedback_due_on",
    ]
    list_filter = ["kind", ActiveFilter, FeedbackOverdueFilter]
    list_select_related = ["member__worker", "org"]

    def get_queryset(self, request):
        return selectors.with_feedback_due(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["ended_on", "end_reason"]
        started = ["member", "org", "kind", "started_on", "agreement_ref", "feedback_every_months"]
        return started + (["ended_on", "end_reason"] if obj.ended_on else [])

    @admin.display(description=_("feedback due"), ordering="feedback_due_on")
    def feedback_due_on(self, obj):
        return obj.feedback_due_on


class FeedbackForm(ServiceAdminForm):
    class Meta:
        model = CollaborationFeedback
        fields = ["assignment", "on", "summary"]

    def call_service(self, actor):
        data = self.cleaned_data
        return services.feedback_record(
            actor=actor, assignment=data["assignment"], on=data["on"], summary=data["summary"]
        )


@admin.register(CollaborationFeedback)
class FeedbackAdmin(PartyAdmin):
    form = FeedbackForm
    raw_id_fields = ["assignment"]
    list_display = ["assignment", "on", "recorded_by"]
    list_select_related = ["assignment__org", "assignment__member__worker", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # recorded, not edited
