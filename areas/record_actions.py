"""Workflow actions as buttons on a record's own admin page (issue 14 §5): approve or
return a registration, hand over or cancel a redemption… not only as changelist actions.

An admin lists its `record_actions`; each names the service call it makes and when it
shows (the record's state). A button shows only to those who may change the record (the
choke point, through the admin's own permission) and only when the action applies; the
action's URL checks both again, so a button copied from another page does nothing.

What a button does, by what the action declares:
- nothing more: it posts at once (approve);
- `confirm`: a page of its own first, with the `explanation` and one button (close a
  station for good);
- `reason_label`: a page asking for a reason first (one the worker reads, usually);
- `form`: a page asking for a small form of its own first (a date and a reason); the
  form gets the user and the record, so its choices come from the choke point;
- `view`: pages of its own (a merge: find the other record, then compare and choose),
  reached only after the checks;
- `link`: a plain link to a page that exists already (a roll call, a poster). That page
  checks again (`record_action_refusal`) where it is this admin's own.

    class WorkerAdmin(RecordActionsMixin, ScopedAdmin):
        record_actions = [
            RecordAction("approve", _("Approve"), run=..., shows=lambda obj: obj.status == ...),
        ]
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError
from core.forms import show_refusal

from . import access


def always(obj) -> bool:
    return True


@dataclass(frozen=True)
class RecordAction:
    name: str  # in the URL: /admin/<app>/<model>/<id>/do/<name>/
    label: str  # the button: "通过"
    # (actor, obj, asked) → what to tell the user; refuses with ApplicationError. `asked` is
    # the reason (reason_label), the form's cleaned data (form), else "".
    run: Callable[[object, object, Any], str] | None = None
    shows: Callable[[object], bool] = always  # the record's state allows it
    reason_label: str = ""  # asked for first when set (a reason the worker reads)
    # Shown to the user on the page that asks first.
    explanation: str = ""
    confirm: bool = False  # asked to confirm on a page of its own first
    # A RecordActionForm subclass asked first (its fields named as the service's refusals
    # name them, so a refusal shows by its field).
    form: type[forms.Form] | None = None
    # The name of the admin's method (request, obj, action) → response: an action with
    # pages of its own, reached only after the checks (as Django names changelist actions).
    view: str = ""
    link: Callable[[object], str] | None = None  # obj → the URL of an existing page
    new_tab: bool = False  # a link opened beside the record (a poster to print)

    @property
    def asks_first(self) -> bool:
        """Does the button lead to a page (GET) rather than post at once?"""
        return bool(self.confirm or self.reason_label or self.form or self.view or self.link)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecordActionForm(forms.Form):
    """The small form an action asks for first: it knows who is acting and on what, so its
    choices are taken through the choke point (areas.access) for that user."""

    def __init__(self, *args, user, obj, **kwargs):
        self.user, self.obj = user, obj
        super().__init__(*args, **kwargs)


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

    def record_action_url(self, obj, action: RecordAction) -> str:
        if action.link is not None:
            return action.link(obj)
        return reverse(f"admin:{self._record_action_url_name()}", args=[obj.pk, action.name])

    def record_actions_for(self, request, obj) -> list[dict]:
        if obj is None or not self.may_act_on(request, obj):
            return []
        return [
            {
                "name": action.name,
                "label": action.label,
                "asks_first": action.asks_first,
                "new_tab": action.new_tab,
                "url": self.record_action_url(obj, action),
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

    def _change_url(self, obj) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])

    def record_action_refusal(self, request, obj, name: str) -> HttpResponse | None:
        """The action URL's checks, for a page a link action leads to (a roll call): 403
        for those who may not act on the record, and back to the record with a plain
        message when the action does not apply to it as it is now; None when it may go on."""
        chosen = next(a for a in self.record_actions if a.name == name)
        if not self.may_act_on(request, obj):
            raise PermissionDenied
        if not chosen.shows(obj):
            messages.warning(request, _("This cannot be done to the record as it is now."))
            return redirect(self._change_url(obj))
        return None

    def record_action_page(self, request, obj, action: RecordAction, **context):
        """The page an action asks on first (a reason, a form, a confirmation, a choice)."""
        return TemplateResponse(
            request,
            context.pop("template", "admin/record_action.html"),
            {
                **self.admin_site.each_context(request),
                "title": action.label,
                "action": action,
                "obj": obj,
                "opts": self.opts,
                "change_url": self._change_url(obj),
                **context,
            },
        )

    def _record_action_form(self, request, obj, action: RecordAction):
        data = request.POST if request.method == "POST" else None
        if action.form is not None:
            files = request.FILES if data is not None else None  # a photo, for one
            return action.form(data, files, user=request.user, obj=obj)
        if action.reason_label:
            form = ReasonForm(data)
            form.fields["reason"].label = action.reason_label
            return form
        return None

    def record_action_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)  # through the admin's scoped queryset
        chosen = next((a for a in self.record_actions if a.name == action), None)
        if obj is None or chosen is None:
            raise Http404
        if not self.may_act_on(request, obj):
            raise PermissionDenied
        change_url = self._change_url(obj)
        if not chosen.shows(obj):
            messages.warning(request, _("This cannot be done to the record as it is now."))
            return redirect(change_url)
        if chosen.link is not None:
            return redirect(chosen.link(obj))  # the page itself, which checks again
        if chosen.view:
            return getattr(self, chosen.view)(request, obj, chosen)
        form = self._record_action_form(request, obj, chosen)
        if request.method == "POST" and (form is None or form.is_valid()):
            if form is None:
                asked = ""
            elif chosen.form is not None:
                asked = form.cleaned_data
            else:
                asked = form.cleaned_data["reason"]
            try:
                messages.success(request, chosen.run(request.user, obj, asked))
            except ApplicationError as refusal:
                if form is None:
                    messages.error(request, refusal.message)
                    return redirect(change_url)
                show_refusal(form, refusal)
            else:
                return redirect(change_url)
        return self.record_action_page(request, obj, chosen, form=form)
