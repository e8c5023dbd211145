from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from core.exceptions import ApplicationError

from . import access, object_grants, services
from .admin_mixins import ScopedAdmin
from .models import AccessLog, Area, StaffGrant
from .services import area_import_boundaries


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A FeatureCollection; each feature's properties carry the area's `code`."),
    )


@admin.register(Area)
class AreaAdmin(LeafletGeoAdminMixin, ScopedAdmin):
    list_display = ["name", "code", "level", "parent", "poster_links"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]
    readonly_fields = ["centre"]
    change_list_template = "admin/areas/area/change_list.html"

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
        the editing user reaches (the choke point), named after the kind."""
        fields = {
            cls.field_name(kind): forms.ModelMultipleChoiceField(
                label=kind.label,
                queryset=access.scope(
                    kind.model._default_manager.all(), user, access.Purpose.WRITE
                ),
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
    """Grants are read by the staff they concern; only system administrators change them,
    so nobody can widen their own reach."""

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

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser or (
            request.user.is_staff
            and bool(access.reach_of(request.user).prefixes[access.Purpose.WRITE])
        )


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    """Read-only: auditors and area staff see the log of their areas."""

    read_purpose = access.Purpose.AUDIT
    list_display = ["at", "actor", "action", "subject", "object_repr", "row_count", "reason"]
    list_filter = ["action", "subject", "at"]
    search_fields = ["actor__username", "object_repr", "reason"]
    date_hierarchy = "at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
