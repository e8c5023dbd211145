"""Account deletion requests (PIPL art. 47) in the admin: staff of the worker's community
see the requests of their areas, nearest deadline first (linked from the admin index's
work queue), and complete them — every app anonymises its rows (services.worker_erase) —
or refuse them with a reason the worker reads on their phone. Nothing here is typed in:
the worker asks on /m/me/delete/. Imported by members.admin."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas.admin_mixins import ScopedAdmin
from core.exceptions import ApplicationError

from . import services
from .models import DeletionRequest


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason the worker will read"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ScopedAdmin):
    list_display = [
        "worker",
        "community",
        "created_at",
        "deadline",
        "status",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    list_select_related = ["worker__area", "decided_by"]
    ordering = ["due_on", "pk"]
    actions = ["complete_selected", "refuse_selected"]
    fields = [
        "worker",
        "status",
        "note",
        "created_at",
        "due_on",
        "decided_by",
        "decided_at",
        "refusal_reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # the worker asks on their phone

    def has_delete_permission(self, request, obj=None):
        return False  # the request is the record that it was answered

    @admin.display(description=_("community"), ordering="worker__area__code")
    def community(self, obj):
        return obj.worker.area.name

    @admin.display(description=_("to be handled by"), ordering="due_on")
    def deadline(self, obj):
        if obj.overdue:
            return format_html('<strong class="overdue">{} ({})</strong>', obj.due_on, _("late"))
        return obj.due_on

    @admin.action(
        description=_("Delete the selected workers' accounts (cannot be undone)"),
        permissions=["change"],
    )
    def complete_selected(self, request, queryset):
        done = 0
        for deletion in queryset.filter(status=DeletionRequest.Status.PENDING):
            try:
                services.deletion_request_complete(actor=request.user, request=deletion)
                done += 1
            except ApplicationError as error:
                messages.error(request, f"{deletion.worker}: {error.message}")
        messages.success(request, _("%(n)d accounts deleted.") % {"n": done})

    @admin.action(
        description=_("Refuse the selected requests with a reason…"), permissions=["change"]
    )
    def refuse_selected(self, request, queryset):
        pending = queryset.filter(status=DeletionRequest.Status.PENDING)
        form = RefuseForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for deletion in pending:
                try:
                    services.deletion_request_refuse(
                        actor=request.user, request=deletion, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except ApplicationError as error:
                    messages.error(request, f"{deletion.worker}: {error.message}")
            messages.success(request, _("%(n)d requests refused.") % {"n": done})
            return None
        return TemplateResponse(
            request,
            "admin/members/deletionrequest/refuse.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Refuse account deletion requests"),
                "form": form,
                "requests": pending.select_related("worker__area"),
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )
