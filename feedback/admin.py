"""Cases in the admin: staff record cases collected offline (a 小哥议事会, a street visit, a
12345 referral) and work each case on its own page — accept (研判), duplicate, refer to a
partner department, re-route (转办), decline, split into tasks, record tasks done,
resolve with an answer, write to the worker — each a button calling a service. A
district keeps its departments, categories, rules and its own calendar days."""

import re

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from areas import access, references
from areas.admin_mixins import (
    DistrictCatalogueAdminMixin,
    DistrictCatalogueFilter,
    DistrictFieldMixin,
    ReadOnlyInline,
    ScopedAdmin,
    ServiceAdminForm,
    ServiceAdminMixin,
)
from areas.models import Area
from areas.record_actions import RecordAction, RecordActionForm, RecordActionsMixin
from core import private_files
from core.display import as_code
from ledgers.admin import LEDGER_ACTIONS, LedgerExportMixin

from . import selectors, services
from .forms import PhotosField
from .models import (
    CalendarDay,
    Case,
    CaseHop,
    CaseMessage,
    CaseNotice,
    CasePhoto,
    CaseStatusChange,
    CaseTask,
    FeedbackCategory,
    FeedbackRules,
    PartnerDepartment,
    PartnerSystem,
    Priority,
)
from .services import routing

PHOTO_HELP = _(
    "JPEG, PNG or WebP, up to 8 MB each, at most 4. Location and camera details are removed."
)


# Catalogues: a district's own rows beside the platform's ---------------------------------


class DistrictCatalogueAdmin(DistrictCatalogueAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    """Categories and holidays: the platform's rows and each district's own."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner_department":
            kwargs["queryset"] = access.scope(
                PartnerDepartment.objects.filter(active=True), request.user, access.Purpose.WRITE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CategoryForm(ServiceAdminForm):
    class Meta:
        model = FeedbackCategory
        fields = [
            "area",
            "kind",
            "code",
            "name",
            "hint",
            "responsible",
            "partner_department",
            "days_urgent",
            "days_normal",
            "days_low",
            "on_public_map",
            "order",
            "active",
        ]
        help_texts = {
            "code": _(
                "To take over one of the platform's categories in your district, use its code."
            ),
        }

    def call_service(self, actor):
        return services.category_save(actor=actor, category=self.instance)


@admin.register(FeedbackCategory)
class FeedbackCategoryAdmin(DistrictCatalogueAdmin):
    form = CategoryForm
    list_display = [
        "name",
        "kind",
        "code_shown",
        "area",
        "responsible",
        "deadlines",
        "on_public_map",
        "active",
    ]
    list_filter = ["kind", "responsible", "active"]

    def has_delete_permission(self, request, obj=None):
        return False  # cases name it: turn it off instead (offered)

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, obj):
        return as_code(obj.code)

    @admin.display(description=_("working days: urgent / normal / low"))
    def deadlines(self, obj):
        return f"{obj.days_urgent} / {obj.days_normal} / {obj.days_low}"


class CalendarDayForm(ServiceAdminForm):
    class Meta:
        model = CalendarDay
        fields = ["area", "date", "working", "name"]

    def call_service(self, actor):
        return services.calendar_day_save(actor=actor, day=self.instance)


@admin.register(CalendarDay)
class CalendarDayAdmin(DistrictCatalogueAdmin):
    """The national calendar (loaded from chinesecalendar; `manage.py load_official_calendar
    <year>` each November) and a district's own days, which win on the same date."""

    form = CalendarDayForm
    list_display = ["date", "weekday", "name", "working", "area"]
    list_filter = ["working"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return date_format(obj.date, "l")

    def has_delete_permission(self, request, obj=None):
        return obj is not None and self.has_change_permission(request, obj)


class DepartmentForm(ServiceAdminForm):
    class Meta:
        model = PartnerDepartment
        fields = ["area", "sector", "name", "duty_phone", "active"]

    def call_service(self, actor):
        return services.department_save(actor=actor, department=self.instance)


@admin.register(PartnerDepartment)
class PartnerDepartmentAdmin(DistrictFieldMixin, ServiceAdminMixin, ScopedAdmin):
    form = DepartmentForm
    list_display = ["name", "sector", "area", "active"]
    list_filter = ["sector", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # cases name it: set it inactive instead


class RulesForm(ServiceAdminForm):
    class Meta:
        model = FeedbackRules
        fields = ["area", "close_after_days", "duty_phone"]

    def call_service(self, actor):
        return services.rules_save(actor=actor, rules=self.instance)


@admin.register(FeedbackRules)
class FeedbackRulesAdmin(DistrictFieldMixin, ServiceAdminMixin, ScopedAdmin):
    form = RulesForm
    list_display = ["area", "close_after_days", "updated_at"]
    list_select_related = ["area"]

    def get_changeform_initial_data(self, request):
        from django.conf import settings

        initial = super().get_changeform_initial_data(request)
        initial.setdefault("close_after_days", settings.FEEDBACK_CLOSE_AFTER_DAYS)
        return initial


# Cases ------------------------------------------------------------------------------------


class CaseForm(ServiceAdminForm):
    """Adding here is recording a case collected offline (services.case_record)."""

    photos = PhotosField(label=_("Photos (optional)"), required=False, help_text=PHOTO_HELP)

    class Meta:
        model = Case
        fields = [
            "kind",
            "category",
            "text",
            "priority",
            "source",
            "source_note",
            "reporter",
            "station",
            "area",
        ]
        help_texts = {
            "reporter": _("The worker who raised it, if they are registered (optional)."),
            "station": _("Where it was raised, if at a station: the case goes to its community."),
            "area": _("Otherwise, the community (or street) it is about."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" not in self.fields:
            return  # a case's own page: everything is read only
        self.fields["area"].required = False
        self.fields["source"].choices = [
            (value, label)
            for value, label in Case.Source.choices
            if value not in (Case.Source.PHONE, Case.Source.PARTNER)
        ]

    def call_service(self, actor):
        data = self.cleaned_data
        return services.case_record(
            actor=actor,
            kind=data.get("kind", ""),
            category=data.get("category"),
            text=data.get("text", ""),
            source=data.get("source", ""),
            source_note=data.get("source_note", ""),
            priority=data.get("priority") or Priority.NORMAL,
            area=data.get("area"),
            place=routing.Place(station=data.get("station")),
            reporter=data.get("reporter"),
            photos=data.get("photos") or [],
        )


class PhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = ["shown", "role", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def shown(self, obj):
        url = private_files.url_for(obj.image.name)
        return format_html('<a href="{0}"><img src="{0}" alt="" style="max-width:240px"></a>', url)


class TaskInline(ReadOnlyInline):
    model = CaseTask
    fields = ["description", "unit", "department", "due_at", "status", "late", "result", "done_at"]
    readonly_fields = fields
    verbose_name_plural = _("tasks (任务分解)")


class HopInline(ReadOnlyInline):
    model = CaseHop
    fields = ["at", "rule", "to_area", "to_department", "reason", "actor"]
    readonly_fields = fields
    verbose_name_plural = _("routing")


class MessageInline(ReadOnlyInline):
    model = CaseMessage
    fields = ["at", "who", "text", "asks_reporter"]
    readonly_fields = fields
    verbose_name_plural = _("conversation with the worker")

    @admin.display(description=_("from"))
    def who(self, obj):
        if obj.from_staff:
            return obj.author.get_username()
        return obj.case.reporter.masked_label if obj.case.reporter_id else _("Worker")


class StatusChangeInline(ReadOnlyInline):
    model = CaseStatusChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")


class CategoryFilter(DistrictCatalogueFilter):
    catalogue = FeedbackCategory


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [
            ("now", _("Overdue now")),
            ("late", _("Was overdue at some point")),
            ("escalated", _("Escalated")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "now":
            return queryset.filter(
                status__in=Case.OPEN, paused_since__isnull=True, due_at__lt=timezone.now()
            )
        if self.value() == "late":
            return queryset.filter(late=True)
        if self.value() == "escalated":
            return queryset.filter(escalations__gt=0)
        return queryset


# Record actions: each a form asked first, then a service. -----------------------------------


class AcceptForm(RecordActionForm):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    note = forms.CharField(
        label=_("Note (研判)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].initial = self.obj.priority


def _accept(actor, case, asked) -> str:
    services.case_accept(actor=actor, case=case, priority=asked["priority"], note=asked["note"])
    return _("Accepted. The worker is told, and earns the district's points for a verified case.")


CASE_NUMBER = re.compile(r"^\s*#?\s*(\d{1,12})\s*$")


class DuplicateForm(RecordActionForm):
    original = forms.CharField(
        label=_("Number of the case it repeats"), max_length=14, help_text=_("e.g. #123")
    )

    def clean_original(self):
        match = CASE_NUMBER.match(self.cleaned_data["original"])
        found = None
        if match:
            found = access.scope(Case.objects.all(), self.user).filter(pk=int(match[1])).first()
        if found is None:
            raise forms.ValidationError(_("There is no such case in your areas."))
        return found


def _duplicate(actor, case, asked) -> str:
    services.case_mark_duplicate(actor=actor, case=case, original=asked["original"])
    return _("Marked as a duplicate: the worker follows the original case.")


class ReferForm(RecordActionForm):
    department = forms.ModelChoiceField(
        label=_("Partner department"), queryset=PartnerDepartment.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason the worker reads"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = access.scope(
            PartnerDepartment.objects.filter(active=True, area__code=self.obj.area.district_code),
            self.user,
        )


def _refer(actor, case, asked) -> str:
    services.case_refer(
        actor=actor, case=case, department=asked["department"], reason=asked["reason"]
    )
    return _("Referred: the department is told; the district follows its work.")


class RerouteForm(RecordActionForm):
    area = forms.ModelChoiceField(label=_("To"), queryset=Area.objects.none())
    reason = forms.CharField(
        label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reached = access.areas_reached(self.user).filter(
            level__in=[Area.Level.COMMUNITY, Area.Level.STREET],
            code__startswith=self.obj.area.district_code[:6],
        )
        # The street above the case is always offered: a community hands a case up to its
        # street, which re-routes it further.
        above = (
            Q(pk=self.obj.area.parent_id)
            if self.obj.area.level == Area.Level.COMMUNITY
            else Q(pk__in=[])
        )
        self.fields["area"].queryset = Area.objects.filter(
            Q(pk__in=reached.values("pk")) | above
        ).exclude(pk=self.obj.area_id)


def _reroute(actor, case, asked) -> str:
    services.case_reroute(actor=actor, case=case, area=asked["area"], reason=asked["reason"])
    return _("Re-routed (转办): the unit there is told.")


def _decline(actor, case, reason) -> str:
    services.case_decline(actor=actor, case=case, reason=reason)
    return _("Declined: the worker reads your reason.")


class TaskForm(RecordActionForm):
    description = forms.CharField(label=_("What to do"), max_length=200)
    unit = forms.ModelChoiceField(
        label=_("Unit (an area)"), queryset=Area.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("…or a partner department"),
        queryset=PartnerDepartment.objects.none(),
        required=False,
    )
    working_days_given = forms.IntegerField(
        label=_("Working days"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=_("Empty: the category's deadline for the case's priority."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        district = self.obj.area.district_code[:6]
        self.fields["unit"].queryset = (
            access.areas_reached(self.user)
            .filter(code__startswith=district)
            .exclude(level__in=[Area.Level.PROVINCE, Area.Level.CITY])
        )
        self.fields["department"].queryset = access.scope(
            PartnerDepartment.objects.filter(active=True, area__code__startswith=district),
            self.user,
        )


def _add_task(actor, case, asked) -> str:
    services.task_add(
        actor=actor,
        case=case,
        description=asked["description"],
        unit=asked["unit"],
        department=asked["department"],
        working_days_given=asked["working_days_given"],
    )
    return _("Task added; the case is being worked on.")


class FinishTaskForm(RecordActionForm):
    task = forms.ModelChoiceField(label=_("Task"), queryset=CaseTask.objects.none())
    result = forms.CharField(
        label=_("What was done"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    cancelled = forms.BooleanField(label=_("Not done: cancelled (say why above)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = self.obj.tasks.filter(status=CaseTask.Status.OPEN)


def _finish_task(actor, case, asked) -> str:
    services.task_finish(
        actor=actor, task=asked["task"], result=asked["result"], cancelled=asked["cancelled"]
    )
    return _("Task recorded.")


class ResolveForm(RecordActionForm):
    answer = forms.CharField(
        label=_("Answer the worker reads"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = PhotosField(
        label=_("Photos of the fix (optional)"), required=False, help_text=PHOTO_HELP
    )


def _resolve(actor, case, asked) -> str:
    services.case_resolve(actor=actor, case=case, answer=asked["answer"], photos=asked["photos"])
    return _("Resolved: the worker is asked whether it is fixed.")


class MessageForm(RecordActionForm):
    text = forms.CharField(
        label=_("Message to the worker"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    asks_reporter = forms.BooleanField(
        label=_("A question: stop the deadline until the worker answers"), required=False
    )


def _message(actor, case, asked) -> str:
    services.case_message_staff(
        actor=actor, case=case, text=asked["text"], asks_reporter=asked["asks_reporter"]
    )
    return _("Sent. The worker reads it as from your unit.")


def _publish(actor, case, reason) -> str:
    services.case_publish(actor=actor, case=case)
    return _("Published on the district's page of answers (你提的建议，我们这样办).")


def _unpublish(actor, case, reason) -> str:
    services.case_unpublish(actor=actor, case=case)
    return _("Taken off the district's page of answers.")


def _may_publish(case) -> bool:
    return (
        case.public
        and case.published_at is None
        and case.status not in (Case.Status.SUBMITTED, Case.Status.DECLINED, Case.Status.DUPLICATE)
    )


def _in(*statuses):
    return lambda case: case.status in statuses


S = Case.Status
TRIAGE = (S.SUBMITTED,)  # as services.handling.TRIAGE
WORKING = (S.ACCEPTED, S.REFERRED, S.IN_PROGRESS)


@admin.register(Case)
class CaseAdmin(RecordActionsMixin, LedgerExportMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "accept", _("Accept (研判)"), run=_accept, shows=_in(S.SUBMITTED), form=AcceptForm
        ),
        RecordAction("task", _("Add a task…"), run=_add_task, shows=_in(*WORKING), form=TaskForm),
        RecordAction(
            "finish-task",
            _("Record a task done…"),
            run=_finish_task,
            shows=lambda case: case.status in WORKING and case.tasks.filter(status="open").exists(),
            form=FinishTaskForm,
        ),
        RecordAction(
            "resolve",
            _("Resolve with an answer…"),
            run=_resolve,
            shows=_in(*WORKING),
            form=ResolveForm,
        ),
        RecordAction(
            "message",
            _("Write to the worker…"),
            run=_message,
            shows=lambda case: (
                case.reporter_id is not None and case.status in (S.SUBMITTED, *WORKING, S.RESOLVED)
            ),
            form=MessageForm,
        ),
        RecordAction(
            "refer",
            _("Refer to a partner department…"),
            run=_refer,
            shows=_in(S.SUBMITTED, *WORKING),
            form=ReferForm,
        ),
        RecordAction(
            "reroute",
            _("Re-route (转办)…"),
            run=_reroute,
            shows=_in(S.SUBMITTED, *WORKING),
            form=RerouteForm,
        ),
        RecordAction(
            "duplicate",
            _("Same as another case…"),
            run=_duplicate,
            shows=_in(*TRIAGE),
            form=DuplicateForm,
        ),
        RecordAction(
            "publish",
            _("Publish with its answer"),
            run=_publish,
            shows=_may_publish,
            confirm=True,
            explanation=_(
                "The case, its answer, its progress and the tasks done appear on the "
                "district's public page, without the worker's name. The worker agreed to it."
            ),
        ),
        RecordAction(
            "unpublish",
            _("Take off the public page"),
            run=_unpublish,
            shows=lambda case: case.published_at is not None,
        ),
        RecordAction(
            "decline",
            _("Decline with a reason…"),
            run=_decline,
            shows=_in(*TRIAGE),
            reason_label=_("Reason the worker reads"),
        ),
    ]
    form = CaseForm
    ledger_key = "feedback"
    ledger_select_related = ["category", "area", "responsible_area", "department", "reporter"]
    ledger_personal_fields = ["reporter__name"]
    actions = LEDGER_ACTIONS
    list_display = [
        "number_shown",
        "created_at",
        "kind",
        "category",
        "text",
        "area",
        "unit",
        "status",
        "deadline",
        "followers_shown",
    ]
    list_filter = ["status", "kind", "source", OverdueFilter, CategoryFilter, "priority"]
    list_select_related = ["category", "area", "responsible_area", "department"]
    search_fields = ["text", "source_note"]
    raw_id_fields = ["reporter", "station", "area"]
    date_hierarchy = "created_at"
    inlines = [PhotoInline, TaskInline, MessageInline, HopInline, StatusChangeInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("category", "area", "responsible_area", "department", "reporter")
            .annotate(follower_count=Count("followers", distinct=True))
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*CaseForm.Meta.fields, "photos"]
        return [
            "number_shown",
            "kind",
            "category",
            "text",
            "priority",
            "who",
            "source",
            "source_note",
            "place_shown",
            "area",
            "unit",
            "status",
            "status_reason",
            "deadline",
            "answer",
            "satisfied",
            "reopen_count",
            "public",
            "published_at",
            "followers_shown",
            "created_at",
            "timeline",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_change_permission(self, request, obj=None):
        # Decided by its buttons, never edited (may_act_on asks without a record).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # declined or closed, never deleted: its history stays

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = references.district_catalogue_seen_by(
                FeedbackCategory.objects.filter(active=True), request.user
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("case"), ordering="pk")
    def number_shown(self, obj):
        return obj.number

    @admin.display(description=_("reported by"))
    def who(self, obj):
        return obj.reporter.masked_label if obj.reporter_id else "—"

    @admin.display(description=_("responsible unit"))
    def unit(self, obj):
        return str(obj.department or obj.responsible_area)

    @admin.display(description=_("workers with the same problem"), ordering="follower_count")
    def followers_shown(self, obj):
        return getattr(obj, "follower_count", None) or obj.followers.count()

    @admin.display(description=_("place"))
    def place_shown(self, obj):
        parts = []
        if obj.station_id:
            parts.append(str(obj.station))
        if obj.location is not None:
            parts.append(f"{obj.location.y:.5f}, {obj.location.x:.5f}")
        if obj.place_note:
            parts.append(obj.place_note)
        return " · ".join(parts) or "—"

    @admin.display(description=_("due by"), ordering="due_at")
    def deadline(self, obj):
        when = timezone.localtime(obj.due_at).strftime("%Y-%m-%d %H:%M")
        if obj.paused_since:
            return format_html(
                "{} <span class='ws-badge'>{}</span>", when, _("waiting for the worker")
            )
        if obj.is_overdue:
            return format_html("{} <strong class='ws-overdue'>{}</strong>", when, _("overdue"))
        return when

    @admin.display(description=_("timeline"))
    def timeline(self, obj):
        steps = selectors.timeline(obj, for_staff=True)
        return format_html(
            "<ol class='ws-timeline'>{}</ol>",
            format_html_join(
                "",
                "<li><time>{}</time> {} <small>{}</small></li>",
                (
                    (timezone.localtime(step.at).strftime("%Y-%m-%d %H:%M"), step.text, step.who)
                    for step in steps
                ),
            ),
        )


def _mark_read(actor, notice, reason) -> str:
    services.notice_read(actor=actor, notice=notice)
    return _("Marked as read for your unit.")


@admin.register(CaseNotice)
class CaseNoticeAdmin(RecordActionsMixin, ScopedAdmin):
    """What units are told (reopened, overdue, escalated, referred): read here, then the
    case acted on. Marked read for the whole unit."""

    record_actions = [
        RecordAction("read", _("Mark as read"), run=_mark_read, shows=lambda n: n.read_at is None),
    ]
    list_display = ["created_at", "kind", "text", "area", "department", "case_link", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    list_select_related = ["area", "department", "case"]
    actions = ["mark_read"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("case"))
    def case_link(self, obj):
        url = reverse("admin:feedback_case_change", args=[obj.case_id])
        return format_html('<a href="{}">{}</a>', url, obj.case.number)

    @admin.action(description=_("Mark the selected notices as read"))
    def mark_read(self, request, queryset):
        done = 0
        for notice in queryset.filter(read_at__isnull=True):
            if access.can_write(request.user, notice):
                services.notice_read(actor=request.user, notice=notice)
                done += 1
        self.message_user(request, _("%(n)d notice(s) marked as read.") % {"n": done})


class PartnerSystemForm(ServiceAdminForm):
    class Meta:
        model = PartnerSystem
        fields = ["area", "name"]

    made_key = ""  # the key, for the one page that shows it

    def call_service(self, actor):
        partner, self.made_key = services.partner_create(
            actor=actor, area=self.cleaned_data.get("area"), name=self.cleaned_data.get("name", "")
        )
        return partner


@admin.register(PartnerSystem)
class PartnerSystemAdmin(ServiceAdminMixin, ScopedAdmin):
    """Systems that exchange cases over Open311 (a 12345 hotline): made with a key shown
    once; turned off (never deleted) when the key may have leaked."""

    form = PartnerSystemForm
    list_display = [
        "name",
        "area",
        "key_shown",
        "active",
        "last_used_at",
        "created_by",
        "created_at",
    ]
    list_select_related = ["area", "created_by"]
    list_filter = ["active"]
    actions = ["turn_off"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["area", "name"]
        return ["name", "area", "key_shown", "active", "last_used_at", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # turned off, not deleted: the cases it posted name it

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "area":
            kwargs["queryset"] = access.areas_reached(request.user, access.Purpose.WRITE).filter(
                level__in=[Area.Level.CITY, Area.Level.DISTRICT]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("key begins"))
    def key_shown(self, obj):
        return as_code(f"{obj.key_hint}…")

    @admin.action(
        description=_("Turn the selected systems off (their keys stop working)"),
        permissions=["change"],
    )
    def turn_off(self, request, queryset):
        done = 0
        for partner in queryset.filter(active=True):
            services.partner_turn_off(actor=request.user, partner=partner)
            done += 1
        self.message_user(request, _("%(n)d system(s) turned off.") % {"n": done})

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        obj._made_key = form.made_key
        return obj

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: only its SHA-256 is kept. Rendered, not redirected to, so it never
        sits in a session."""
        response = render(
            request,
            "admin/feedback/partnersystem/made.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("API key made"),
                "partner": obj,
                "key": getattr(obj, "_made_key", ""),
                "endpoint": request.build_absolute_uri(reverse("open311-requests", args=["json"])),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
