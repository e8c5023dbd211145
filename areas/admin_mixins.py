"""Admin classes for tenant-owned models: grants, not Django model permissions, decide.

Every ModelAdmin of a tenant-owned model inherits ScopedAdmin, so the changelist, the
change form, the foreign-key choices and every save go through areas.access.
"""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError

from . import access, references
from .models import Area


class ScopedChoicesMixin:
    """Form choices of a tenant-owned related model (and of staff accounts) offer only the
    rows the user may write to or name (areas.references): no other district's row is
    offered, and one typed in by id is "not a valid choice", as a missing one is."""

    def _limit_to_writable(self, db_field, request, kwargs) -> dict:
        related = db_field.remote_field.model
        if "queryset" not in kwargs and references.is_tenant_or_staff(related):
            kwargs["queryset"] = references.reachable(
                related, request.user, references.write_purpose_of(related)
            )
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limit_to_writable(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._limit_to_writable(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedAdminMixin(ScopedChoicesMixin):
    # What reading this model's rows takes: READ for most, PARTY for party records,
    # AUDIT for the access log.
    read_purpose = access.Purpose.READ
    write_purpose = access.Purpose.WRITE  # PARTY_WRITE for party records

    def get_queryset(self, request):
        return access.scope(super().get_queryset(request), request.user, self.read_purpose)

    def get_changeform_initial_data(self, request):
        """A new record starts with every choice the user has only one of already chosen:
        a keeper's station, a community worker's community (issue 14 §5). The choices are
        the form's own, scoped as above, so nothing out of reach is ever preselected."""
        initial = super().get_changeform_initial_data(request)
        for name, field in self.get_form(request).base_fields.items():
            if name in initial or not isinstance(field, forms.ModelChoiceField):
                continue
            if isinstance(field, forms.ModelMultipleChoiceField):
                continue
            only = list(field.queryset.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                initial[name] = only[0]
        return initial

    # Permissions come from grants. Django's own model permissions are not used for
    # tenant-owned data: "staff of A" is an area grant, not a per-model checkbox.
    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and access.reaches_rows_of(request.user, self.model, self.read_purpose)
        )

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        # New rows belong to an area, so adding takes an area-level write grant; a station
        # keeper changes their stations but does not open new ones.
        reach = access.reach_of(request.user)
        return request.user.is_staff and (
            reach.everything or bool(reach.prefixes[self.write_purpose])
        )

    def has_change_permission(self, request, obj=None):
        if not (
            request.user.is_staff
            and access.reaches_rows_of(request.user, self.model, self.write_purpose)
        ):
            return False
        return obj is None or access.can_write(request.user, obj, self.write_purpose)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def get_list_filter(self, request):
        # Filter options by a related row list only rows the user may name.
        return references.scoped_list_filters(self.model, super().get_list_filter(request))

    def get_search_results(self, request, queryset, search_term):
        # Personal data (a worker's name or phone, through any path) is matched the way its
        # app registered (areas.references): whole values only where the user may not
        # unmask, so a masked name cannot be recovered letter by letter from any changelist.
        plain, personal = references.split_search_fields(
            self.model, self.get_search_fields(request)
        )
        if not personal or not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        try:
            q = references.personal_search_q(personal, search_term, request.user)
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
            return queryset.none(), False
        if plain:
            by_plain = copy.copy(self)
            by_plain.search_fields = plain
            matched, _dup = super(ScopedAdminMixin, by_plain).get_search_results(
                request, queryset, search_term
            )
            q |= Q(pk__in=matched.values("pk"))
        return queryset.filter(q), False

    def save_model(self, request, obj, form, change):
        # The API's rule (access.require_write_to): a row the user may change, staying in
        # its area (a keeper's station), or written into an area they may write in.
        try:
            access.require_write_to(request.user, obj, self.write_purpose)
        except Http404:
            raise PermissionDenied from None
        super().save_model(request, obj, form, change)


class ScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedInlineMixin(ScopedChoicesMixin):
    """Inlines of a scoped parent: editable exactly when the parent is; their choices
    scoped as the parent's are."""

    def has_view_permission(self, request, obj=None):
        return access.reach_of(request.user).can_read_anything()

    def has_add_permission(self, request, obj=None):
        return obj is None or access.can_write(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None or access.can_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class LogAdminMixin:
    """A log in the admin (the personal-data access log, the security audit log): read by
    whoever may read it, never added to, changed or deleted there — entries are written by
    the code that acts, and the database keeps them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """A history shown under its record (status changes, contact logs, feedback): read by
    whoever may open the record, never added, changed or deleted in place — each entry is
    written by a service."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True


def area_filter_queryset(request):
    """The areas shown in a changelist's area filter: only those the user reaches."""
    return access.areas_reached(request.user).exclude(level=Area.Level.PROVINCE)


class ServiceAdminForm(forms.ModelForm):
    """An admin form whose save is a service call.

    The call is made at the end of validation, after the model's own checks, so a
    refusal (ApplicationError) shows by the fields with everything the user typed still
    in the form. The admin's change view wraps validation and saving in one transaction;
    `ServiceAdminMixin.save_model` then has nothing left to do. Subclasses implement
    `call_service(actor)` and return the saved instance.
    """

    actor = None  # set per request by ServiceAdminMixin.get_form

    def call_service(self, actor):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.instance = self.call_service(self.actor)
        except ApplicationError as exc:
            for field, messages in exc.fields.items():
                self.add_error(field if field in self.fields else None, messages)
            if not exc.fields:
                self.add_error(None, exc.message)


class ServiceAdminMixin:
    """For admins whose form is a ServiceAdminForm."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        pass  # saved by the service while the form was validated


class DistrictFieldMixin:
    """A row kept per district (its rules, its departments, its own catalogue rows): the
    `area` choice offers the districts the user writes in."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = access.areas_reached(request.user, access.Purpose.WRITE).filter(
                level=Area.Level.DISTRICT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class DistrictCatalogueAdminMixin(DistrictFieldMixin):
    """A catalogue kept per district beside the platform's own rows (no area) — wish and
    feedback categories, holidays: the platform's rows are read by all staff and changed by
    a superuser; a district's own are read by the staff working in it
    (references.district_catalogue_seen_by) and changed by those who write there."""

    def get_queryset(self, request):
        return references.district_catalogue_seen_by(
            super().get_queryset(request), request.user
        ).select_related("area")

    def has_module_permission(self, request):
        return request.user.is_staff and access.reach_of(request.user).can_read_anything()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_staff and access.reach_of(request.user).can_write_anything()

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return self.has_add_permission(request)
        if obj.area_id is None:
            return request.user.is_superuser
        return access.can_write_in(request.user, obj.area)


class DistrictCatalogueFilter(admin.SimpleListFilter):
    """A changelist filter by a row of such a catalogue (a record's category): the options
    are the platform's rows and those of the districts the user works in. Subclasses name
    the catalogue's model."""

    title = gettext_lazy("category")
    parameter_name = "category"
    catalogue: type | None = None

    def lookups(self, request, model_admin):
        rows = references.district_catalogue_seen_by(self.catalogue.objects.all(), request.user)
        return [(row.pk, row.name) for row in rows]

    def queryset(self, request, queryset):
        if self.value() and str(self.value()).isdigit():
            return queryset.filter(**{f"{self.parameter_name}_id": int(self.value())})
        return queryset
