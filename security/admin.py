"""The admin of the three administrators: the audit log (the audit administrator reads it),
the duties (the system administrator reads them; a superuser assigns them at
installation), and the accounts admin restricted so no one but a superuser makes a
superuser or hands out Django permissions."""

from axes import admin as axes_admin
from axes.models import AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from areas.admin_mixins import LogAdminMixin
from areas.handover_admin import StaffHandoverAdminMixin
from areas.models import StaffProfile

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


# Second-factor devices hold the secrets behind each account's codes: nobody reads or
# edits them in the admin. A lost phone is the security administrator's "reset
# two-factor authentication" action on the account below.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


def permission_label(permission: Permission) -> str:
    """A Django permission as a Chinese admin reads it ("可修改：驿站"): its stored name is
    English ("Can change station"), written once when the tables were made."""
    action = permission.codename.split("_", 1)[0]
    actions = {
        "add": _("Can add"),
        "change": _("Can change"),
        "delete": _("Can delete"),
        "view": _("Can view"),
    }
    model = permission.content_type.model_class()
    if action not in actions or model is None:
        return str(permission)
    return _("%(action)s: %(model)s") % {
        "action": actions[action],
        "model": model._meta.verbose_name,
    }


class PermissionLabelsMixin:
    """Permissions offered as Chinese labels, and only those of models the admin shows
    (a permission on an internal table, e.g. the rollups' buckets, would grant nothing)."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.related_model is Permission and field is not None:
            shown = ContentType.objects.get_for_models(*admin.site._registry).values()
            field.queryset = field.queryset.filter(content_type__in=shown).select_related(
                "content_type"
            )
            field.label_from_instance = permission_label
        return field


# django-axes' login records: read by the security administrator, never acted on in bulk
# (the duty grants reading only), so no selection column, whose labels would read the
# library's English name of each record ("Access Log for … @ …").
class AccessLogAdmin(axes_admin.AccessLogAdmin):
    actions = None


admin.site.unregister(AccessLog)
admin.site.register(AccessLog, AccessLogAdmin)


_base_group_admin = type(admin.site._registry[Group])
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(PermissionLabelsMixin, _base_group_admin):
    pass


class StaffProfileInline(admin.StackedInline):
    """The position a staff member is known by (the admin's header shows it with their
    name), kept with the account by whoever keeps accounts."""

    model = StaffProfile
    can_delete = False
    max_num = 1
    fields = ["position"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("auth.view_user")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("auth.change_user")


_base_user_admin = type(admin.site._registry[User])
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(PermissionLabelsMixin, StaffHandoverAdminMixin, _base_user_admin):
    """Accounts, kept by the system administrator. Only a superuser sees the superuser
    flag, groups and per-user permissions: they would let an account step around the
    three duties. The security administrator resets a lost second factor here."""

    actions = [*(getattr(_base_user_admin, "actions", None) or []), "reset_second_factor"]
    inlines = [*(getattr(_base_user_admin, "inlines", None) or []), StaffProfileInline]

    def get_inlines(self, request, obj):
        # Adding an account is Django's two steps (a name and a password, then the rest):
        # the position is given on the second, with the other details.
        return self.inlines if obj is not None else []

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
