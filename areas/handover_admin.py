"""The accounts admin's "leaves: hand over the work" page (issue 12 §7): a preview of the
open work the account holds (areas.handover, counts only — the administrator who keeps
accounts reads no business data), the colleagues who could take it over, and one button
that calls areas.services.staff_deactivate. Mixed into the User admin wherever that is
customised (security.admin.AccountAdmin)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError

from . import handover, services


class SuccessorForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=gettext_lazy("Colleague who takes over"),
        queryset=get_user_model().objects.none(),
        help_text=gettext_lazy("Only colleagues who reach the same areas are listed."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        candidates = services.staff_successors_for(user)
        self.fields["successor"].queryset = get_user_model().objects.filter(
            pk__in=[c.pk for c in candidates]
        )


class StaffHandoverAdminMixin:
    """Adds the page (admin:auth_user_hand_over) and an action that opens it for the one
    account selected."""

    def get_urls(self):
        extra = [
            path(
                "<int:user_id>/hand-over/",
                self.admin_site.admin_view(self.hand_over_view),
                name="auth_user_hand_over",
            )
        ]
        return extra + super().get_urls()

    def get_actions(self, request):
        actions = super().get_actions(request)
        if request.user.has_perm("auth.change_user"):
            action = type(self).hand_over_and_deactivate
            actions["hand_over_and_deactivate"] = (
                action,
                "hand_over_and_deactivate",
                action.short_description,
            )
        return actions

    @admin.action(description=gettext_lazy("Leaves: hand over the work and close the account"))
    def hand_over_and_deactivate(self, request, queryset):
        if queryset.count() != 1:
            messages.warning(request, _("Choose one account at a time."))
            return None
        return redirect("admin:auth_user_hand_over", user_id=queryset.get().pk)

    def hand_over_view(self, request, user_id):
        if not request.user.has_perm("auth.change_user"):
            raise PermissionDenied
        leaving = get_object_or_404(self.get_queryset(request), pk=user_id)
        form = SuccessorForm(request.POST or None, user=leaving)
        if request.method == "POST" and form.is_valid():
            try:
                moved = services.staff_deactivate(
                    actor=request.user, user=leaving, successor=form.cleaned_data["successor"]
                )
            except ApplicationError as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("%(name)s's account is closed; %(n)d items of open work moved to %(to)s.")
                    % {
                        "name": leaving.get_username(),
                        "n": sum(moved.values()),
                        "to": form.cleaned_data["successor"].get_username(),
                    },
                )
                return redirect(reverse("admin:auth_user_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(name)s leaves: hand over the work") % {"name": leaving.get_username()},
            "leaving": leaving,
            "open_work": handover.preview(leaving),
            "form": form,
        }
        return render(request, "admin/areas/staff_handover.html", context)
