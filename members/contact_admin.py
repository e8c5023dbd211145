"""Contact pairing (结对联系) in the admin. Staff see the pairs in their areas;
"?mine=uncontacted" is their own list of workers not yet contacted this month (linked from
the admin index). Imported by members.admin."""

from django.contrib import admin
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from areas.admin_mixins import ReadOnlyInline, ScopedAdmin, ServiceAdminForm, ServiceAdminMixin

from . import selectors, services
from .models import ContactLog, ContactPair


class ContactPairForm(ServiceAdminForm):
    """Adding pairs a worker (contact_pair_start); changing a pair only ends it."""

    class Meta:
        model = ContactPair
        fields = ["worker", "staff", "grid_worker", "started_on", "ended_on"]

    def validate_unique(self):
        pass  # one active pair per worker: the service names the existing pair

    def call_service(self, actor):
        data = self.cleaned_data
        if self.instance.pk is None:
            return services.contact_pair_start(
                actor=actor,
                worker=data["worker"],
                staff=data.get("staff"),
                grid_worker=data.get("grid_worker"),
                started_on=data["started_on"],
            )
        if data.get("ended_on"):
            return services.contact_pair_end(actor=actor, pair=self.instance, on=data["ended_on"])
        return self.instance


class MineFilter(admin.SimpleListFilter):
    title = _("my pairs")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [
            ("all", _("Kept by me")),
            ("uncontacted", _("Kept by me, not contacted this month")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset.filter(staff=request.user)
        if self.value() == "uncontacted":
            uncontacted = selectors.uncontacted_this_month(user=request.user)
            return queryset.filter(pk__in=uncontacted.values("pk"))
        return queryset


class ContactLogInline(ReadOnlyInline):
    """Contacts are logged through "Contact logs › add" (the service checks the date)."""

    model = ContactLog
    fields = ["on", "kind", "note", "recorded_by"]
    readonly_fields = fields


@admin.register(ContactPair)
class ContactPairAdmin(ServiceAdminMixin, ScopedAdmin):
    form = ContactPairForm
    raw_id_fields = ["worker", "grid_worker"]
    inlines = [ContactLogInline]
    list_display = [
        "worker",
        "contact_person",
        "started_on",
        "ended_on",
        "last_contact_on",
        "uncontacted_month",
    ]
    list_filter = [MineFilter]
    list_select_related = ["worker", "staff", "grid_worker"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_contact_on=Max("logs__on"))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["ended_on"]
        return ["worker", "staff", "grid_worker", "started_on"] + (
            ["ended_on"] if obj.ended_on else []
        )

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("contact person"))
    def contact_person(self, obj):
        return obj.contact_person

    @admin.display(description=_("last contact"), ordering="last_contact_on")
    def last_contact_on(self, obj):
        return obj.last_contact_on


class ContactLogForm(ServiceAdminForm):
    class Meta:
        model = ContactLog
        fields = ["pair", "kind", "on", "note"]

    def call_service(self, actor):
        data = self.cleaned_data
        return services.contact_log_record(
            actor=actor,
            pair=data["pair"],
            kind=data["kind"],
            on=data["on"],
            note=data.get("note", ""),
        )


@admin.register(ContactLog)
class ContactLogAdmin(ServiceAdminMixin, ScopedAdmin):
    form = ContactLogForm
    raw_id_fields = ["pair"]
    list_display = ["pair", "kind", "on", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["pair__worker", "pair__staff", "pair__grid_worker", "recorded_by"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)  # logged, not edited

    def has_delete_permission(self, request, obj=None):
        return False
