from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_maps import MapAdminMixin
from core.exceptions import ApplicationError

from . import access, grant_checks, object_grants, services
from .admin_mixins import LogAdminMixin, ScopedAdmin
from .models import AccessLog, Area, StaffGrant
from .services import area_import_boundaries


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A FeatureCollection; each feature's properties carry the area's `code`."),
    )


@admin.register(Area)
class AreaAdmin(MapAdminMixin, ScopedAdmin):
    list_display = ["name", "code", "level", "parent", "poster_links"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["centre"]
    change_list_template = "admin/areas/area/change_list.html"

    # The system administrator browses the whole tree to place grants (the raw-id lookup of
    # the grant form), without reaching anything that hangs off it.
    def get_queryset(self, request):
        if request.user.has_perm("areas.view_area"):
            return Area.objects.select_related("parent")
        return super().get_queryset(request)

    def has_module_permission(self, request):
        return request.user.has_perm("areas.view_area") or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("areas.view_area") or super().has_view_permission(request, obj)

    @admin.display(description=_("station posters"))
    def poster_links(self, obj):
        """Bulk posters for a street or district: a printable page, or a ZIP of files."""
        if obj.level not in (Area.Level.DISTRICT, Area.Level.STREET):
            return ""
        url = reverse("station-bulk-posters")
        return format_html(
            '<a href="{}?area={}" target="_blank">{}</a> · <a href="{}?area={}&file=zip">ZIP</a>',
            url,
            obj.code,
            _("Print"),
            url,
            obj.code,
        )

    def get_urls(self):
        extra = [
            path(
                "import-boundaries/",
                self.admin_site.admin_view(self.import_boundaries_view),
                name="areas_area_import_boundaries",
            )
        ]
        return extra + super().get_urls()

    def import_boundaries_view(self, request):
        if not self.has_change_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = BoundaryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = area_import_boundaries(
                    data=form.cleaned_data["file"].read(), user=request.user
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("%(n)d boundaries imported.") % {"n": count})
                return redirect("admin:areas_area_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import boundaries"),
            "opts": self.model._meta,
        }
        return render(request, "admin/areas/area/import_boundaries.html", context)


class StaffGrantForm(forms.ModelForm):
    """The grant, and for roles that name particular objects (a keeper's stations) one
    field per registered kind (areas.object_grants), offered through the choke point."""

    class Meta:
        model = StaffGrant
        fields = ["user", "area", "role", "party_affairs", "may_unmask"]

    @classmethod
    def for_user(cls, user):
        """The admin's form class with a field per registered kind, its choices the objects
        the editing user reaches (the choke point; every object for the system
        administrator, who manages grants without reaching business data), named after
        the kind."""

        def objects_offered(kind):
            objects = kind.model._default_manager.all()
            if grant_checks.may_manage_grants(user):
                return objects
            return access.scope(objects, user, access.Purpose.WRITE)

        fields = {
            cls.field_name(kind): forms.ModelMultipleChoiceField(
                label=kind.label,
                queryset=objects_offered(kind),
                required=False,
                widget=FilteredSelectMultiple(kind.label, is_stacked=False),
                help_text=_(
                    "Only for the roles that name them; they must lie in the grant's area."
                ),
            )
            for kind in object_grants.kinds()
        }
        return type(cls.__name__, (cls,), fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for kind in object_grants.kinds():
                named = self.instance.granted_objects.filter(kind=kind.key)
                self.initial[self.field_name(kind)] = list(
                    named.values_list("object_id", flat=True)
                )

    @staticmethod
    def field_name(kind) -> str:
        return "objects_" + kind.key.replace(".", "_")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("user") is not None:
            for refusal in grant_checks.refusals(cleaned["user"]):
                self.add_error("user", refusal)
        role, area = cleaned.get("role"), cleaned.get("area")
        if role and area:
            for kind in object_grants.kinds():
                name = self.field_name(kind)
                try:
                    services.grant_objects_check(
                        role=role, area=area, kind=kind.key, objects=cleaned.get(name) or []
                    )
                except ApplicationError as refusal:
                    self.add_error(name, refusal.message)
        return cleaned

    def save_objects(self, grant) -> None:
        for kind in object_grants.kinds():
            objects = self.cleaned_data.get(self.field_name(kind)) or []
            services.grant_objects_set(grant=grant, kind=kind.key, objects=objects)


@admin.register(StaffGrant)
class StaffGrantAdmin(ScopedAdmin):
    """Grants are read by the staff of the areas they concern; only the system
    administrator (the duty's permission, security.duties) changes them, so nobody can
    widen their own reach, and the system administrator holds no grant of their own."""

    form = StaffGrantForm
    list_display = ["user", "role", "area"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__name", "area__code"]
    raw_id_fields = ["area"]
    list_select_related = ["user", "area"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StaffGrantForm.for_user(request.user)
        return super().get_form(request, obj, change=change, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.save_objects(form.instance)

    def get_queryset(self, request):
        if grant_checks.may_manage_grants(request.user):
            return StaffGrant.objects.all()
        return super().get_queryset(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if grant_checks.may_manage_grants(request.user):
            if db_field.name == "user":
                kwargs["queryset"] = get_user_model().objects.filter(
                    is_active=True, is_superuser=False
                )
            elif db_field.name == "area":
                kwargs["queryset"] = Area.objects.all()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return request.user.has_perm("areas.add_staffgrant")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("areas.change_staffgrant")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("areas.delete_staffgrant")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("areas.view_staffgrant") or super().has_view_permission(
            request, obj
        )

    def has_module_permission(self, request):
        return request.user.has_perm("areas.view_staffgrant") or (
            request.user.is_staff
            and bool(access.reach_of(request.user).prefixes[access.Purpose.WRITE])
        )


@admin.register(AccessLog)
class AccessLogAdmin(LogAdminMixin, ScopedAdmin):
    """Read-only: auditors and area staff see the log of their areas, the audit
    administrator (security.duties) all of it."""

    read_purpose = access.Purpose.AUDIT
    list_display = ["at", "actor", "action", "subject", "object_repr", "row_count", "reason"]
    list_filter = ["action", "subject", "at"]
    search_fields = ["actor__username", "object_repr", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def get_queryset(self, request):
        if request.user.has_perm("areas.view_accesslog"):
            return AccessLog.objects.all()
        return super().get_queryset(request)

    def has_module_permission(self, request):
        return request.user.has_perm("areas.view_accesslog") or super().has_module_permission(
            request
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("areas.view_accesslog") or super().has_view_permission(
            request, obj
        )
