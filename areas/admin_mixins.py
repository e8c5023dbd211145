"""Admin classes for tenant-owned models: grants, not Django model permissions, decide.

Every ModelAdmin of a tenant-owned model inherits ScopedAdmin, so the changelist, the
change form, the foreign-key choices and every save go through areas.access.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from . import access
from .models import Area


class ScopedAdminMixin:
    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user)

    # Permissions come from grants. Django's own model permissions are not used for
    # tenant-owned data: "staff of A" is an area grant, not a per-model checkbox.
    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and (access.reach_of(request.user).can_read_anything())
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        # New rows belong to an area, so adding takes an area-level write grant; a station
        # keeper changes their stations but does not open new ones.
        reach = access.reach_of(request.user)
        return request.user.is_staff and (
            reach.everything or bool(reach.prefixes[access.Purpose.WRITE])
        )

    def has_change_permission(self, request, obj=None):
        if not (request.user.is_staff and access.reach_of(request.user).can_write_anything()):
            return False
        return obj is None or access.can_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def _limit_to_writable(self, db_field, request, kwargs) -> dict:
        """A tenant-owned related model offers only the rows the user may write to."""
        related = db_field.remote_field.model
        if hasattr(related, "scope_area_path"):
            kwargs["queryset"] = access.scope(
                related._default_manager.all(), request.user, access.Purpose.WRITE
            )
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limit_to_writable(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limit_to_writable(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        area = access.area_of(obj)
        if area is None or not access.can_write_in(request.user, area):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedInlineMixin:
    """Inlines of a scoped parent: editable exactly when the parent is."""

    def has_view_permission(self, request, obj=None):
        return access.reach_of(request.user).can_read_anything()

    def has_add_permission(self, request, obj=None):
        return obj is None or access.can_write(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or access.can_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


def area_filter_queryset(request):
    """The areas shown in a changelist's area filter: only those the user reaches."""
    return access.areas_reached(request.user).exclude(level=Area.Level.PROVINCE)
