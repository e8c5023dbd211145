"""Workflow actions as buttons on a record's own admin page (issue 14 §5): approve or
return a registration, hand over or cancel a redemption… not only as changelist actions.

An admin lists its `record_actions`; each names the service call it makes and when it
shows (the record's state). A button shows only to those who may change the record (the
choke point, through the admin's own permission) and only when the action applies; the
action's URL checks both again, so a button copied from another page does nothing. An
action that needs a reason asks for it on a page of its own first.

    class WorkerAdmin(RecordActionsMixin, ScopedAdmin):
        record_actions = [
            RecordAction("approve", _("Approve"), run=..., shows=lambda obj: obj.status == ...),
        ]
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError

from . import access


def always(obj) -> bool:
    return True


@dataclass(frozen=True)
class RecordAction:
    name: str  # in the URL: /admin/<app>/<model>/<id>/do/<name>/
    label: str  # the button: "通过"
    # (actor, obj, reason) → what to tell the user; refuses with ApplicationError.
    run: Callable[[object, object, str], str]
    shows: Callable[[object], bool] = always  # the record's state allows it
    reason_label: str = ""  # asked for first when set (a reason the worker reads)
    # Shown to the user on the page that asks for the reason.
    explanation: str = ""


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecordActionsMixin:
    record_actions: list[RecordAction] = []
    change_form_template = "admin/record_actions_change_form.html"

    def _record_action_url_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_record_action"

    def get_urls(self):
        return [
            path(
                "<path:object_id>/do/<str:action>/",
                self.admin_site.admin_view(self.record_action_view),
                name=self._record_action_url_name(),
            ),
            *super().get_urls(),
        ]

    def may_act_on(self, request, obj) -> bool:
        """Who may press a record's buttons: whoever may change this model's rows and
        write to this record's area — also where the record's page itself is read only
        (a volunteer service is decided by its actions, never edited)."""
        purpose = getattr(self, "write_purpose", access.Purpose.WRITE)
        return self.has_change_permission(request, None) and access.can_write(
            request.user, obj, purpose
        )

    def record_actions_for(self, request, obj) -> list[dict]:
        if obj is None or not self.may_act_on(request, obj):
            return []
        return [
            {
                "label": action.label,
                "asks_reason": bool(action.reason_label),
                "url": reverse(
                    f"admin:{self._record_action_url_name()}", args=[obj.pk, action.name]
                ),
            }
            for action in self.record_actions
            if action.shows(obj)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "record_actions": self.record_actions_for(request, obj),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def record_action_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)  # through the admin's scoped queryset
        chosen = next((a for a in self.record_actions if a.name == action), None)
        if obj is None or chosen is None:
            raise Http404
        if not self.may_act_on(request, obj):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]
        )
        if not chosen.shows(obj):
            messages.warning(request, _("This cannot be done to the record as it is now."))
            return redirect(change_url)
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and (not chosen.reason_label or form.is_valid()):
            reason = form.cleaned_data["reason"] if chosen.reason_label else ""
            try:
                messages.success(request, chosen.run(request.user, obj, reason))
            except ApplicationError as refusal:
                if not chosen.reason_label:
                    messages.error(request, refusal.message)
                    return redirect(change_url)
                form.add_error(None, refusal.message)
            else:
                return redirect(change_url)
        if chosen.reason_label:
            form.fields["reason"].label = chosen.reason_label
        return TemplateResponse(
            request,
            "admin/record_action.html",
            {
                **self.admin_site.each_context(request),
                "title": chosen.label,
                "action": chosen,
                "form": form if chosen.reason_label else None,
                "obj": obj,
                "opts": self.opts,
                "change_url": change_url,
            },
        )
