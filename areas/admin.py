from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdminMixin

from core.exceptions import ApplicationError

from . import access
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


@admin.register(StaffGrant)
class StaffGrantAdmin(ScopedAdmin):
    """Grants are read by the staff they concern; only system administrators change them,
    so nobody can widen their own reach."""

    list_display = ["user", "role", "area"]
    list_filter = ["role"]
    search_fields = ["user__username", "area__name", "area__code"]
    raw_id_fields = ["area"]
    filter_horizontal = ["stations"]
    list_select_related = ["user", "area"]

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
