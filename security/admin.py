"""The admin of the three administrators: the audit log (the audit administrator reads it),
the duties (the system administrator reads them; a superuser assigns them at
installation), and the accounts admin restricted so no one but a superuser makes a
superuser or hands out Django permissions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from areas.admin_mixins import LogAdminMixin
from areas.handover_admin import StaffHandoverAdminMixin

from . import duties, services
from .forms import SecurityLoginForm
from .models import AdminDuty, SecurityEvent

User = get_user_model()

admin.site.login_form = SecurityLoginForm


@admin.register(SecurityEvent)
class SecurityEventAdmin(LogAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "username", "ip_address", "target"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "target", "ip_address"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]


class AdminDutyForm(forms.ModelForm):
    class Meta:
        model = AdminDuty
        fields = ["user", "duty"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") is not None and cleaned.get("duty"):
            refusal = services.duty_refusal(user=cleaned["user"], duty=cleaned["duty"])
            if refusal:
                self.add_error("user", refusal)
        return cleaned


@admin.register(AdminDuty)
class AdminDutyAdmin(admin.ModelAdmin):
    form = AdminDutyForm
    list_display = ["user", "duty", "created_at"]
    list_filter = ["duty"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        # The form asked the same rules; the service writes (and makes the account staff).
        services.duty_assign(actor=request.user, user=obj.user, duty=obj.duty)

    # Only a superuser (at installation) assigns duties: the system administrator cannot
    # make themselves the auditor of their own work.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


_base_user_admin = type(admin.site._registry[User])
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(StaffHandoverAdminMixin, _base_user_admin):
    """Accounts, kept by the system administrator. Only a superuser sees the superuser
    flag, groups and per-user permissions: they would let an account step around the
    three duties. The security administrator resets a lost second factor here."""

    actions = [*(getattr(_base_user_admin, "actions", None) or []), "reset_second_factor"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        hidden = {"is_superuser", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_queryset(self, request):
        accounts = super().get_queryset(request)
        if request.user.is_superuser:
            return accounts
        return accounts.filter(is_superuser=False)

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._is_security(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or self._is_security(request)

    @staticmethod
    def _is_security(request) -> bool:
        return duties.duty_of(request.user) == duties.Duty.SECURITY

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not (request.user.is_superuser or self._is_security(request)):
            actions.pop("reset_second_factor", None)
        return actions

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_second_factor(self, request, queryset):
        for account in queryset:
            services.second_factor_reset(actor=request.user, user=account, request=request)
        messages.success(
            request,
            _("%(n)d accounts set up two-factor authentication again at their next login.")
            % {"n": queryset.count()},
        )
