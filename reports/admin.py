"""The 大屏's display tokens in the admin: staff of an area make one for a screen (the
token is shown once, on the page that follows), see when each was last used, and revoke
them. Scoped like every tenant-owned admin (areas.admin_mixins): staff of A see and revoke
A's tokens only; a read-only viewer sees them and changes nothing."""

from django.contrib import admin, messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from areas.admin_mixins import ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from core.exceptions import ApplicationError

from .display_tokens import display_token_create, display_token_revoke
from .models import DisplayToken


class DisplayTokenForm(ServiceAdminForm):
    class Meta:
        model = DisplayToken
        fields = ["area", "label"]

    made_token = ""  # the token, for the one page that shows it

    def call_service(self, actor):
        row, self.made_token = display_token_create(
            actor=actor, area=self.cleaned_data["area"], label=self.cleaned_data["label"]
        )
        return row


@admin.register(DisplayToken)
class DisplayTokenAdmin(ServiceAdminMixin, ScopedAdmin):
    form = DisplayTokenForm
    list_display = ["label", "area", "state", "last_used_at", "created_by", "created_at"]
    list_select_related = ["area", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["label"]
    raw_id_fields = ["area"]
    readonly_fields = ["area", "label", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]
    ordering = ["-created_at"]

    def get_readonly_fields(self, request, obj=None):
        # A token is made once and then only revoked: nothing on it is edited.
        return self.readonly_fields if obj is not None else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ["area", "label"]

    def has_change_permission(self, request, obj=None):
        # The list's revoke action needs it; a token's own page is read-only.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the list keeps who made which screen's token

    @admin.display(description=_("state"))
    def state(self, obj):
        return _("Revoked") if obj.revoked_at else _("In use")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                display_token_revoke(actor=request.user, token=token)
            except ApplicationError as refusal:
                self.message_user(request, f"{token}: {refusal.message}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d token revoked: its screen shows a refusal at its next refresh.",
                "%(count)d tokens revoked: their screens show a refusal at their next refresh.",
                revoked,
            )
            % {"count": revoked},
            messages.SUCCESS,
        )

    def response_add(self, request, obj, post_url_continue=None):
        """The token, once: it is not kept (only its SHA-256 is), so this page is the only
        place it appears. Rendered, not redirected to, so it never sits in a session."""
        token = getattr(obj, "_made_token", "")
        path = reverse("dashboard-screen", args=[obj.area.code])
        screen_url = request.build_absolute_uri(f"{path}?{urlencode({'token': token})}")
        response = render(
            request,
            "admin/reports/displaytoken/made.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Screen link made"),
                "token": obj,
                "screen_url": screen_url,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj._made_token = form.made_token
        return obj
