"""Activities in the admin: organising (saved by activities.services), publishing and
cancelling, the printable attendance QR code, the roll call (点名) and taking an
attendance back."""

import segno
from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import ReadOnlyInline, ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from areas.record_actions import RecordAction, RecordActionsMixin
from core.exceptions import ApplicationError
from members.selectors import worker_for_phone

from . import selectors, services
from .models import Activity, RoleAppointment, SignUp, VolunteerService


class ActivityForm(ServiceAdminForm):
    audience = forms.MultipleChoiceField(
        label=_("for occupations"),
        choices=Activity._meta.get_field("audience").base_field.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: open to every worker."),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "description",
            "area",
            "party_org",
            "station",
            "address",
            "starts_at",
            "ends_at",
            "capacity",
            "audience",
            "points",
            "volunteer_hours",
        ]

    def call_service(self, actor):
        return services.activity_save(actor=actor, activity=self.instance)


PartyOrgModel = Activity._meta.get_field("party_org").related_model


class SignUpInline(ReadOnlyInline):
    model = SignUp
    fields = ["masked_worker", "status", "queued_at", "attended_at", "attendance_source"]
    readonly_fields = fields
    ordering = ["status", "queued_at"]

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label


class RollCallForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    walk_in_phones = forms.CharField(
        label=_("Walk-ins: their mobile phone numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line, for workers who came without signing up."),
    )

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (
                s.worker_id,
                f"{s.worker.masked_label} · {s.get_status_display()}",
            )
            for s in signups
        ]

    def clean_walk_in_phones(self):
        workers, unknown = [], []
        for line in self.cleaned_data["walk_in_phones"].splitlines():
            if not line.strip():
                continue
            worker = worker_for_phone(line)
            (workers if worker else unknown).append(worker or line.strip())
        if unknown:
            raise forms.ValidationError(
                _("No registered worker has these numbers: %(numbers)s.")
                % {"numbers": ", ".join(unknown)}
            )
        return workers


class RollCallDueFilter(admin.SimpleListFilter):
    title = _("roll call")
    parameter_name = "roll_call"

    def lookups(self, request, model_admin):
        return [("due", _("Due (no attendance recorded yet)"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            due = selectors.without_attendance(user=request.user)
            return queryset.filter(pk__in=due.values("pk"))
        return queryset


def _publish(actor, activity, reason) -> str:
    services.activity_publish(actor=actor, activity=activity)
    return _("Published: workers see it on their phones.")


def _cancel_activity(actor, activity, reason) -> str:
    services.activity_cancel(actor=actor, activity=activity)
    return _("Cancelled.")


def _roll_call_due(activity) -> bool:
    """The roll call is taken once attendance opens (services.attendance_roll_call), and
    may be completed afterwards."""
    opens, _closes = services.attendance_window(activity)
    return activity.status == Activity.Status.PUBLISHED and timezone.now() >= opens


def _qr_useful(activity) -> bool:
    """The QR code is printed before and shown during the activity, until attendance
    closes (services.attend_by_qr refuses it after)."""
    _opens, closes = services.attendance_window(activity)
    return activity.status == Activity.Status.PUBLISHED and timezone.now() <= closes


@admin.register(Activity)
class ActivityAdmin(RecordActionsMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "publish",
            _("Publish"),
            run=_publish,
            shows=lambda a: a.status == Activity.Status.DRAFT,
        ),
        RecordAction(
            "roll-call",
            _("Roll call"),
            link=lambda a: reverse("admin:activities_activity_roll_call", args=[a.pk]),
            shows=_roll_call_due,
        ),
        RecordAction(
            "qr",
            _("QR code"),
            link=lambda a: reverse("admin:activities_activity_qr", args=[a.pk]),
            shows=_qr_useful,
            new_tab=True,
        ),
        RecordAction(
            "cancel",
            _("Cancel the activity"),
            run=_cancel_activity,
            shows=lambda a: a.status != Activity.Status.CANCELLED,
        ),
    ]
    form = ActivityForm
    inlines = [SignUpInline]
    list_display = [
        "title",
        "kind",
        "starts_at",
        "venue",
        "area",
        "status",
        "places",
        "waiting",
        "links",
    ]
    list_filter = ["status", RollCallDueFilter, "kind"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    actions = ["publish_selected", "cancel_selected"]
    readonly_fields = ["status"]

    def get_queryset(self, request):
        return selectors.activity_list(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "party_org":
            # Party organisations are party records: offered only to party-affairs staff.
            field.queryset = access.scope(
                PartyOrgModel.objects.all(), request.user, access.Purpose.PARTY
            )
        return field

    def has_delete_permission(self, request, obj=None):
        return False  # cancelled, never deleted: sign-ups and points refer to it

    @admin.display(description=_("places taken"))
    def places(self, obj):
        return f"{obj.places_taken}/{obj.capacity}" if obj.capacity else obj.places_taken

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        return obj.waiting

    @admin.display(description=_("attendance"))
    def links(self, obj):
        # The record's own buttons, where the activity's state allows them (the pages
        # check who may use them).
        shown = [
            (self.record_action_url(obj, action), action.label)
            for action in self.record_actions
            if action.link is not None and action.shows(obj)
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', shown) or "—"

    def _each(self, request, queryset, service, done_message):
        done = 0
        for activity in queryset:
            try:
                service(actor=request.user, activity=activity)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{activity}: {error.message}", messages.WARNING)
        if done:
            self.message_user(request, done_message % {"count": done})

    @admin.action(description=_("Publish selected activities"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._each(request, queryset, services.activity_publish, _("%(count)d published."))

    @admin.action(description=_("Cancel selected activities"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        self._each(request, queryset, services.activity_cancel, _("%(count)d cancelled."))

    def get_urls(self):
        return [
            path(
                "<int:activity_id>/qr/",
                self.admin_site.admin_view(self.qr_view),
                name="activities_activity_qr",
            ),
            path(
                "<int:activity_id>/roll-call/",
                self.admin_site.admin_view(self.roll_call_view),
                name="activities_activity_roll_call",
            ),
            *super().get_urls(),
        ]

    def qr_view(self, request, activity_id):
        """A printable page with the attendance QR code, to show at the venue: for the
        organisers (those who may act on the activity), while it can take attendance."""
        activity = access.get_for_user(Activity.objects.all(), request.user, pk=activity_id)
        if refused := self.record_action_refusal(request, activity, "qr"):
            return refused
        url = request.build_absolute_uri(reverse("mobile-attend", args=[activity.attendance_key]))
        opens, closes = services.attendance_window(activity)
        return TemplateResponse(
            request,
            "activities/attendance_qr.html",
            {
                "activity": activity,
                "url": url,
                "qr_svg": segno.make(url, error="m").svg_inline(scale=8, border=2),
                "opens": opens,
                "closes": closes,
            },
        )

    def roll_call_view(self, request, activity_id):
        activity = access.get_for_user(
            Activity.objects.select_related("area"), request.user, pk=activity_id
        )
        if refused := self.record_action_refusal(request, activity, "roll-call"):
            return refused
        signups = list(
            activity.signups.exclude(status=SignUp.Status.CANCELLED)
            .select_related("worker")
            .order_by("status", "queued_at")
        )
        form = RollCallForm(request.POST or None, signups=signups)
        if request.method == "POST" and form.is_valid():
            chosen = set(form.cleaned_data["present"])
            present = [s.worker for s in signups if s.worker_id in chosen]
            present += form.cleaned_data["walk_in_phones"]
            try:
                marked = services.attendance_roll_call(
                    actor=request.user, activity=activity, workers=present
                )
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request, _("%(count)d attendances recorded.") % {"count": len(marked)}
                )
                return redirect(reverse("admin:activities_activity_change", args=[activity.pk]))
        return TemplateResponse(
            request,
            "admin/activities/activity/roll_call.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Roll call (点名)"),
                "activity": activity,
                "form": form,
                "attended": [s for s in signups if s.status == SignUp.Status.ATTENDED],
                "opts": self.model._meta,
            },
        )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the attendance is taken back (the worker reads it)"), max_length=200
    )


@admin.register(SignUp)
class SignUpAdmin(ScopedAdmin):
    list_display = [
        "activity",
        "masked_worker",
        "status",
        "queued_at",
        "attended_at",
        "attendance_source",
    ]
    list_filter = ["status", "attendance_source"]
    list_select_related = ["activity", "worker"]
    search_fields = ["activity__title"]
    actions = ["revoke_selected"]
    fields = [
        "activity",
        "masked_worker",
        "status",
        "queued_at",
        "attended_at",
        "attendance_source",
        "attendance_recorded_by",
        "revoked_reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # workers sign up on the phone; organisers use the roll call

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label

    @admin.action(description=_("Take the attendance back…"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        attended = list(queryset.filter(status=SignUp.Status.ATTENDED).select_related("worker"))
        form = RevokeForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            for signup in attended:
                services.attendance_revoke(
                    actor=request.user, signup=signup, reason=form.cleaned_data["reason"]
                )
            self.message_user(
                request, _("%(count)d attendances taken back.") % {"count": len(attended)}
            )
            return None
        return TemplateResponse(
            request,
            "admin/activities/signup/revoke.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Take attendance back"),
                "form": form,
                "signups": attended,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )


# Volunteer roles and services -------------------------------------------------------------


class RoleAppointmentForm(ServiceAdminForm):
    """Adding appoints (role_appoint); changing an appointment only ends it."""

    class Meta:
        model = RoleAppointment
        fields = ["worker", "role", "area", "started_on", "note", "ended_on"]

    def validate_unique(self):
        pass  # role_appoint names the appointment already held; the constraint stands behind

    def call_service(self, actor):
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.role_appoint(
                actor=actor,
                worker=data["worker"],
                role=data["role"],
                area=data["area"],
                started_on=data["started_on"],
                note=data.get("note", ""),
            )
        if data.get("ended_on"):
            return services.role_end(actor=actor, appointment=self.instance, on=data["ended_on"])
        return self.instance


@admin.register(RoleAppointment)
class RoleAppointmentAdmin(ServiceAdminMixin, ScopedAdmin):
    form = RoleAppointmentForm
    list_display = ["masked_worker", "role", "area", "started_on", "ended_on"]
    list_filter = ["role"]
    list_select_related = ["worker", "area"]
    raw_id_fields = ["worker"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["ended_on"]
        fixed = ["worker", "role", "area", "started_on", "note"]
        return fixed + (["ended_on"] if obj.ended_on else [])

    def has_delete_permission(self, request, obj=None):
        return False  # appointments end; the record stays

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label


class ServiceRecordForm(ServiceAdminForm):
    """Adding here is the organiser recording a service they saw (verified at once)."""

    class Meta:
        model = VolunteerService
        fields = ["worker", "kind", "area", "served_on", "hours", "description"]

    def call_service(self, actor):
        data = self.cleaned_data
        return services.service_record(actor=actor, **{k: data[k] for k in self.Meta.fields})


class RejectServiceForm(forms.Form):
    reason = forms.CharField(label=_("Reason the worker will read"), max_length=200)


def _verify(actor, service, reason) -> str:
    services.service_verify(actor=actor, service=service)
    return _("Verified: the hours count and earn their points.")


def _not_accept(actor, service, reason) -> str:
    services.service_reject(actor=actor, service=service, reason=reason)
    return _("Not accepted: the worker reads your reason on their phone.")


def _reported(service) -> bool:
    return service.status == VolunteerService.Status.REPORTED


@admin.register(VolunteerService)
class VolunteerServiceAdmin(RecordActionsMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction("verify", _("Verify"), run=_verify, shows=_reported),
        RecordAction(
            "not-accept",
            _("Do not accept…"),
            run=_not_accept,
            shows=_reported,
            reason_label=_("Reason the worker reads"),
        ),
    ]
    form = ServiceRecordForm
    list_display = [
        "served_on",
        "masked_worker",
        "kind",
        "hours",
        "area",
        "source",
        "status",
        "description",
    ]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["worker", "area"]
    raw_id_fields = ["worker"]
    actions = ["verify_selected", "reject_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "worker",
            "kind",
            "area",
            "served_on",
            "hours",
            "description",
            "activity",
            "source",
            "status",
            "decided_by",
            "decided_at",
            "reject_reason",
        ]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or ServiceRecordForm.Meta.fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def masked_worker(self, obj):
        return obj.worker.masked_label

    @admin.action(description=_("Verify selected services"), permissions=["change"])
    def verify_selected(self, request, queryset):
        done = 0
        for service in queryset.filter(status=VolunteerService.Status.REPORTED):
            services.service_verify(actor=request.user, service=service)
            done += 1
        self.message_user(request, _("%(count)d verified.") % {"count": done})

    @admin.action(description=_("Do not accept selected services…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        reported = list(queryset.filter(status=VolunteerService.Status.REPORTED))
        form = RejectServiceForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            for service in reported:
                services.service_reject(
                    actor=request.user, service=service, reason=form.cleaned_data["reason"]
                )
            self.message_user(request, _("%(count)d not accepted.") % {"count": len(reported)})
            return None
        return TemplateResponse(
            request,
            "admin/activities/volunteerservice/reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Do not accept volunteer services"),
                "form": form,
                "services": reported,
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )
