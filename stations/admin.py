import datetime as dt
import uuid

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import (
    ScopedAdmin,
    ScopedInlineMixin,
    ServiceAdminForm,
    ServiceAdminMixin,
    area_filter_queryset,
)
from areas.record_actions import RecordAction, RecordActionsMixin
from core import photos
from core.admin_maps import MapAdminMixin
from core.display import as_code
from core.exceptions import ApplicationError

from . import exports, selectors, services
from .models import (
    Brand,
    CheckIn,
    Facility,
    Inspection,
    OpeningException,
    OpeningPeriod,
    Standard,
    StandardItem,
    Station,
    StationFacility,
    StationPhoto,
)


class AreaListFilter(admin.SimpleListFilter):
    """Streets and communities the user reaches; picking one shows everything under it."""

    title = _("area")
    parameter_name = "area_code"

    def lookups(self, request, model_admin):
        areas = area_filter_queryset(request).filter(level__in=["district", "street", "community"])
        return [
            (a.code, f"{'· ' * (['district', 'street', 'community'].index(a.level))}{a.name}")
            for a in areas[:300]
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        area = access.areas_reached(request.user).filter(code=self.value()).first()
        if area is None:
            return queryset.none()
        path = queryset.model.scope_area_path  # a station's area, a check-in's station's
        return queryset.filter(**{f"{path}__code__startswith": area.prefix})


class FacilityListFilter(admin.SimpleListFilter):
    title = _("facility")
    parameter_name = "facility"

    def lookups(self, request, model_admin):
        return [(f.code, f.name) for f in Facility.objects.all()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                station_facilities__facility__code=self.value(), station_facilities__available=True
            )
        return queryset


class ComplianceListFilter(admin.SimpleListFilter):
    title = _("standard (六有)")
    parameter_name = "compliance"

    def lookups(self, request, model_admin):
        return [("no", _("Not compliant or never inspected")), ("yes", _("Compliant"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(compliant=True)
        if self.value() == "no":
            return queryset.filter(Q(compliant=False) | Q(compliant__isnull=True))
        return queryset


class StationFacilityInline(ScopedInlineMixin, admin.TabularInline):
    model = StationFacility
    extra = 0


class OpeningPeriodInline(ScopedInlineMixin, admin.TabularInline):
    model = OpeningPeriod
    extra = 0


class OpeningExceptionInline(ScopedInlineMixin, admin.TabularInline):
    model = OpeningException
    extra = 0


class StationPhotoForm(forms.ModelForm):
    class Meta:
        model = StationPhoto
        fields = ["image", "caption", "order"]

    def clean_image(self):
        """The service's photo check, here: a refused photo shows by its field instead of
        failing when the station is saved."""
        image = self.cleaned_data.get("image")
        if image is not None and not getattr(image, "_committed", False):
            try:
                photos.photo_clean(image)
            except ApplicationError as refusal:
                raise forms.ValidationError(refusal.message) from None
            image.seek(0)
        return image


class StationPhotoInline(ScopedInlineMixin, admin.TabularInline):
    model = StationPhoto
    form = StationPhotoForm
    extra = 0
    fields = ["image", "caption", "order"]


# A station's workflow on its own page (issue 14 §5) --------------------------------------


def _not_closed(station) -> bool:
    return station.status != Station.Status.CLOSED


def _closed_today(station) -> bool:
    """Closed for the rest of today by a dated exception (the keeper's tap, or the
    community's): what services.station_closed_today sets and removes."""
    return OpeningException.objects.filter(
        station=station, date=timezone.localdate(), closed=True
    ).exists()


def _rotate_poster_key(actor, station, asked) -> str:
    services.station_rotate_poster_key(actor=actor, station=station)
    return _("New poster code issued: print the new poster and put it up.")


def _close(actor, station, asked) -> str:
    services.station_close(actor=actor, station=station)
    return _("Closed for good: the station has left the workers' map.")


def _closed_for_today(actor, station, asked) -> str:
    services.station_closed_today(actor=actor, station=station, closed=True)
    return _("%(name)s is marked closed for today: the workers' map says so now.") % {
        "name": station.name
    }


def _open_again_today(actor, station, asked) -> str:
    services.station_closed_today(actor=actor, station=station, closed=False)
    return _("%(name)s is open again today by its opening hours.") % {"name": station.name}


@admin.register(Station)
class StationAdmin(RecordActionsMixin, MapAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "poster",
            _("Print poster"),
            link=lambda station: reverse("station-poster", args=[station.pk]),
            shows=_not_closed,
            new_tab=True,
        ),
        RecordAction(
            "new-poster-code",
            _("Issue a new poster code…"),
            run=_rotate_poster_key,
            shows=_not_closed,
            confirm=True,
            explanation=_(
                "Posters printed so far stop checking in: scanned, they open a page saying "
                "the poster is out of date, which still leads to the station. Print the new "
                "poster and put it up in place of the old ones."
            ),
        ),
        RecordAction(
            "closed-today",
            _("Closed today"),
            run=_closed_for_today,
            shows=lambda s: s.status == Station.Status.OPEN and not _closed_today(s),
        ),
        RecordAction(
            "open-today",
            _("Open again today"),
            run=_open_again_today,
            shows=lambda s: s.status == Station.Status.OPEN and _closed_today(s),
        ),
        RecordAction(
            "close",
            _("Close the station for good…"),
            run=_close,
            shows=_not_closed,
            confirm=True,
            explanation=_(
                "The station leaves the workers' map and its posters no longer lead to it. "
                "Its records (inspections, check-ins) stay. To close it only for a while, "
                "set its status to temporarily closed instead."
            ),
        ),
    ]
    list_display = [
        "name",
        "brand",
        "area",
        "status",
        "compliant",
        "last_inspected_on",
        "poster_link",
    ]
    list_filter = [AreaListFilter, "brand", "status", FacilityListFilter, ComplianceListFilter]
    search_fields = ["name", "address", "name_initials"]
    list_select_related = ["brand", "area"]
    autocomplete_fields = []
    raw_id_fields = ["area"]
    readonly_fields = [
        "keeper_names",
        "initials",
        "compliant",
        "last_inspected_on",
        "poster_link",
    ]
    inlines = [
        StationFacilityInline,
        OpeningPeriodInline,
        OpeningExceptionInline,
        StationPhotoInline,
    ]
    actions = ["export_poi_xlsx", "export_poi_csv", "rotate_poster_keys"]
    fieldsets = [
        (None, {"fields": ["name", "brand", "area", "address", "location", "status"]}),
        (_("Host and contact"), {"fields": ["host_kind", "host_name", "phone", "keeper_names"]}),
        (_("Service"), {"fields": ["always_open", "capacity", "description"]}),
        (
            _("Derived"),
            {"fields": ["initials", "compliant", "last_inspected_on", "poster_link"]},
        ),
    ]

    @admin.display(description=Station._meta.get_field("name_initials").verbose_name)
    def initials(self, obj):
        return as_code(obj.name_initials)

    @admin.display(description=_("keepers"))
    def keeper_names(self, obj):
        names = [u.get_full_name() or u.username for u in obj.keepers] if obj.pk else []
        return "、".join(names) or _("None yet: give a staff member a station keeper grant.")

    @admin.display(description=_("poster"))
    def poster_link(self, obj):
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">{}</a>',
            reverse("station-poster", args=[obj.pk]),
            _("Print poster"),
        )

    def save_model(self, request, obj, form, change):
        # The service checks access and keeps derived fields (pinyin initials) right.
        services.station_save(actor=request.user, station=obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted.delete()
        for instance in instances:
            if isinstance(instance, StationPhoto) and instance._state.adding:
                services.station_add_photo(
                    actor=request.user,
                    station=form.instance,
                    upload=instance.image.file,
                    caption=instance.caption,
                )
            else:
                instance.save()
        formset.save_m2m()

    def _poi_queryset(self, queryset):
        return (
            queryset.select_related("brand", "area")
            .prefetch_related(selectors.facility_prefetch(), "opening_periods")
            .order_by("area__code", "name")
        )

    @admin.action(description=_("Export selected stations as a POI list (Excel)"))
    def export_poi_xlsx(self, request, queryset):
        body = exports.poi_xlsx(
            self._poi_queryset(queryset),
            title=_("Station POI list"),
            unit=", ".join(
                sorted(
                    {
                        str(a)
                        for a in access.areas_reached(request.user).filter(
                            level__in=["city", "district"]
                        )[:3]
                    }
                )
            ),
        )
        response = HttpResponse(
            body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="stations-poi.xlsx"'
        return response

    @admin.action(description=_("Export selected stations as a POI list (CSV)"))
    def export_poi_csv(self, request, queryset):
        response = HttpResponse(
            exports.poi_csv(self._poi_queryset(queryset)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="stations-poi.csv"'
        return response

    @admin.action(
        description=_("Issue new poster codes (old posters stop checking in)"),
        permissions=["change"],  # read-only roles may export but not rotate
    )
    def rotate_poster_keys(self, request, queryset):
        done = 0
        for station in queryset:
            try:
                services.station_rotate_poster_key(actor=request.user, station=station)
                done += 1
            except PermissionDenied:
                messages.error(
                    request,
                    _("%(station)s: you may not change this station.") % {"station": station},
                )
        messages.success(request, _("%(n)d stations have new poster codes.") % {"n": done})


class StandardItemInline(ScopedInlineMixin, admin.TabularInline):
    model = StandardItem
    extra = 0


@admin.register(Standard)
class StandardAdmin(ScopedAdmin):
    list_display = ["area", "name", "active"]
    list_filter = ["active"]
    raw_id_fields = ["area"]
    inlines = [StandardItemInline]


class InspectionForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["station", "inspected_on", "items_met", "note"]

    def clean(self):
        cleaned = super().clean()
        station, inspected_on = cleaned.get("station"), cleaned.get("inspected_on")
        if station and inspected_on:
            try:
                services.inspection_check(
                    station=station,
                    inspected_on=inspected_on,
                    items_met_ids=[i.pk for i in cleaned.get("items_met") or []],
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@admin.register(Inspection)
class InspectionAdmin(ScopedAdmin):
    list_display = ["station", "inspected_on", "inspector", "compliant"]
    list_filter = ["compliant"]
    search_fields = ["station__name"]
    list_select_related = ["station", "inspector"]
    raw_id_fields = ["station"]
    readonly_fields = ["inspector", "standard", "compliant"]
    fields = ["station", "inspected_on", "items_met", "note", "standard", "inspector", "compliant"]

    form = InspectionForm

    # Inspections are records: a new one supersedes an old one; none is edited or deleted,
    # so a station's standing always matches its latest inspection.
    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        recorded = services.inspection_record(
            actor=request.user,
            station=form.cleaned_data["station"],
            inspected_on=form.cleaned_data["inspected_on"],
            items_met_ids=[i.pk for i in form.cleaned_data["items_met"]],
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = recorded.pk
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        pass  # inspection_record already set the requirements met


class CatalogueAdmin(admin.ModelAdmin):
    """Catalogues shared by all districts: every staff member with a grant reads them, a
    superuser changes them. The three administrators (security/) hold no grant and do not
    see them: their duties stay apart from the business."""

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, obj):
        return as_code(obj.code)

    def has_module_permission(self, request):
        # Anyone who reads stations; not an auditor, who reads only the audit log.
        return request.user.is_staff and access.reach_of(request.user).can_read_anything()

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(Facility)
class FacilityAdmin(CatalogueAdmin):
    list_display = ["name", "code_shown", "icon", "order"]


@admin.register(Brand)
class BrandAdmin(CatalogueAdmin):
    list_display = ["name", "code_shown", "is_partner_merchant"]


# Check-ins ---------------------------------------------------------------------------------


class CheckInForm(ServiceAdminForm):
    """The keeper records a visit: a worker by their phone number, or a count of visitors
    who gave no name."""

    worker_phone = forms.CharField(
        label=_("Worker's mobile phone"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to record visitors without names."),
    )
    services = forms.MultipleChoiceField(
        label=_("services used"),
        choices=CheckIn.Service.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # Made when the form is shown: a double-clicked save records the visit once.
    submission_key = forms.UUIDField(
        label=_("Submission key"), widget=forms.HiddenInput, initial=uuid.uuid4
    )

    class Meta:
        model = CheckIn
        fields = ["station", "worker_phone", "visitors", "services"]

    def call_service(self, actor):
        data = self.cleaned_data
        check_in, created = services.visit_record(
            actor=actor,
            station=data["station"],
            worker_phone=data.get("worker_phone") or "",
            visitors=data["visitors"],
            services=data.get("services") or [],
            client_key=data["submission_key"],
        )
        check_in.is_earlier_visit = not created
        return check_in


class CheckInDateFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("7d", _("Last 7 days")), ("30d", _("Last 30 days"))]

    def queryset(self, request, queryset):
        days = {"today": 0, "7d": 6, "30d": 29}.get(self.value())
        if days is None:
            return queryset
        since = timezone.localdate() - dt.timedelta(days=days)
        return queryset.filter(at__date__gte=since)


@admin.register(CheckIn)
class CheckInAdmin(ServiceAdminMixin, ScopedAdmin):
    """Check-ins are records: read by staff of the area and keepers of the station, added
    by keepers (a visit, a visitor count), never changed or deleted."""

    form = CheckInForm
    list_display = [
        "at",
        "station",
        "who",
        "visitors",
        "services_used",
        "distance_m",
        "far_away",
        "source",
    ]
    list_filter = [CheckInDateFilter, "source", "far_away", AreaListFilter]
    list_select_related = ["station", "worker"]
    readonly_fields = ["who", "services_used", "distance_m", "far_away", "source", "recorded_by"]
    date_hierarchy = "at"
    search_fields = ["station__name"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["station", "worker_phone", "visitors", "services", "submission_key"]
        return ["station", "at", "who", "visitors", "services_used", *self.readonly_fields[2:]]

    def has_add_permission(self, request):
        # Keepers record visits at their stations (station grants, no area grant).
        return request.user.is_staff and access.reach_of(request.user).can_write_anything()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("worker"))
    def who(self, obj):
        if obj.worker_id is None:
            return _("Visitors without names")
        return obj.worker.masked_label

    @admin.display(description=_("services used"))
    def services_used(self, obj):
        return "、".join(obj.service_labels)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "is_earlier_visit", False):
            self.message_user(
                request,
                _("This worker had already checked in here within 30 minutes: it counts once."),
                messages.INFO,
            )
        return super().response_add(request, obj, post_url_continue)
