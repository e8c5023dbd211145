"""Ledgers in the admin: the import pages (upload → check with a progress bar → decide →
import) and the export actions every ledger's changelist carries (masked; unmasked with a
reason, logged)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import ScopedAdmin
from areas.audit import record_access
from areas.models import AccessLog, Area
from core.exceptions import ApplicationError

from . import registry, services
from .models import ImportJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 200


def xlsx_response(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.xlsx"'
    return response


def common_area(areas) -> Area | None:
    """The smallest area containing all of `areas` (the 填报单位 of an export)."""
    areas = list({a.pk: a for a in areas}.values())
    if not areas:
        return None
    candidate = areas[0]
    while candidate is not None and not all(candidate.contains(a) for a in areas):
        candidate = candidate.parent
    return candidate


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ledger"))
    area = forms.ModelChoiceField(
        label=_("For area"),
        queryset=Area.objects.none(),
        help_text=_("Communities named in the file are looked for in this area."),
    )
    file = forms.FileField(label=_("File (.xlsx)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (ledger.key, ledger.title) for ledger in registry.importable_ledgers()
        ]
        self.fields["area"].queryset = access.areas_reached(user, access.Purpose.WRITE).exclude(
            level__in=[Area.Level.PROVINCE]
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            services.check_upload_size(upload.size)
        except ApplicationError as refusal:
            raise forms.ValidationError(refusal.message) from None
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdmin):
    list_display = [
        "filename",
        "ledger_title",
        "area",
        "status",
        "total_rows",
        "error_rows",
        "written_rows",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["area", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False  # decided on the review page, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ledger"))
    def ledger_title(self, obj):
        try:
            return registry.ledger_for(obj.kind).title
        except ApplicationError:
            return obj.kind

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("upload/", view(self.upload_view), name="ledgers_importjob_upload"),
            path("<int:job_id>/review/", view(self.review_view), name="ledgers_importjob_review"),
            path("<int:job_id>/errors/", view(self.errors_view), name="ledgers_importjob_errors"),
            path(
                "template/<str:kind>/", view(self.template_view), name="ledgers_importjob_template"
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("admin:ledgers_importjob_upload")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:ledgers_importjob_review", int(object_id))

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_upload(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    area=form.cleaned_data["area"],
                    filename=upload.name,
                    content=upload.read(),
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
            else:
                return redirect("admin:ledgers_importjob_review", job.pk)
        return TemplateResponse(
            request,
            "admin/ledgers/importjob/upload.html",
            self._context(
                request,
                title=_("Import a ledger"),
                form=form,
                ledgers=registry.importable_ledgers(),
            ),
        )

    def _job(self, request, job_id) -> ImportJob:
        """The job, for those who may read what its ledger holds: a party-member import's
        preview and errors are party records (404 without the party-affairs flag)."""
        job = access.get_for_user(
            ImportJob.objects.select_related("area", "created_by"), request.user, pk=job_id
        )
        write = registry.ledger_for(job.kind).write_purpose
        if not access.can_in(request.user, job.area, access.READ_PURPOSE_OF.get(write, write)):
            raise Http404
        return job

    def review_view(self, request, job_id):
        job = self._job(request, job_id)
        ledger = registry.ledger_for(job.kind)
        if request.method == "POST":
            try:
                if request.POST.get("decision") == "cancel":
                    services.import_cancel(actor=request.user, job=job)
                    messages.info(request, _("The import was cancelled; nothing was imported."))
                else:
                    services.import_commit(
                        actor=request.user,
                        job=job,
                        skip_invalid=request.POST.get("decision") == "valid",
                    )
            except ApplicationError as error:
                messages.error(request, error.message)
            return redirect("admin:ledgers_importjob_review", job.pk)
        done = services.progress(job)
        return TemplateResponse(
            request,
            "admin/ledgers/importjob/review.html",
            self._context(
                request,
                title=_("Ledger import: %(file)s") % {"file": job.filename},
                job=job,
                ledger=ledger,
                done=done,
                percent=int(100 * done / job.total_rows) if job.total_rows else 0,
                errors=job.errors[:ERRORS_SHOWN],
                more_errors=max(job.error_rows - ERRORS_SHOWN, 0),
                can_decide=job.status == ImportJob.Status.CHECKED
                and access.can_in(request.user, job.area, ledger.write_purpose),
            ),
        )

    def errors_view(self, request, job_id):
        job = self._job(request, job_id)
        # The rows as typed, personal data in the clear: for those who could upload them.
        if not access.can_in(request.user, job.area, registry.ledger_for(job.kind).write_purpose):
            raise PermissionDenied
        if not job.errors or job.content is None:
            raise Http404(_("This import has no rows with errors to download."))
        return xlsx_response(services.error_rows_xlsx(job), "errors")

    def template_view(self, request, kind):
        try:
            ledger = registry.ledger_for(kind)
        except ApplicationError:
            raise Http404 from None
        return xlsx_response(services.template_xlsx(ledger, unit=""), ledger.key)


class UnmaskedExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the unmasked ledger?"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Written to the personal-data access log with your name."),
    )


LEDGER_ACTIONS = ["export_ledger", "export_ledger_unmasked"]


class LedgerExportMixin:
    """Changelist actions (list them in the admin's `actions`: LEDGER_ACTIONS) exporting the selected records as the ledger `ledger_key`:
    masked, or unmasked by staff with the may-unmask grant over every selected record,
    who give a reason that is logged with the number of rows."""

    ledger_key = ""
    ledger_area_path = "area"  # from a record to the Area its ledger line belongs to
    ledger_select_related: list[str] = []
    ledger_personal_fields: list[str] = []

    def _ledger_records(self, queryset):
        return queryset.select_related(*self.ledger_select_related).order_by("pk")

    def _unit(self, queryset) -> str:
        area_ids = queryset.order_by().values_list(f"{self.ledger_area_path}", flat=True)
        area = common_area(Area.objects.filter(pk__in=set(area_ids)).select_related("parent"))
        return area.full_name if area else ""

    def _nothing_to_export(self, request, queryset) -> bool:
        """Rows selected by id that the user cannot reach are not in the queryset: an export
        of none of them is refused, and nothing is logged, rather than a file of 0 rows."""
        if queryset.exists():
            return False
        messages.error(request, _("None of the selected rows can be exported."))
        return True

    @admin.action(description=_("Export the ledger (.xlsx, masked)"))
    def export_ledger(self, request, queryset):
        if self._nothing_to_export(request, queryset):
            return None
        ledger = registry.ledger_for(self.ledger_key)
        body = services.export_xlsx(
            ledger, self._ledger_records(queryset), unit=self._unit(queryset), unmasked=False
        )
        return xlsx_response(body, ledger.key)

    @admin.action(description=_("Export the ledger unmasked (.xlsx, logged)…"))
    def export_ledger_unmasked(self, request, queryset):
        if self._nothing_to_export(request, queryset):
            return None
        ledger = registry.ledger_for(self.ledger_key)
        total = queryset.count()
        if access.scope(queryset, request.user, ledger.unmask_purpose).count() != total:
            messages.error(
                request,
                _("You do not have access to unmasked personal data for all selected rows."),
            )
            return None
        form = UnmaskedExportForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            areas = Area.objects.filter(
                pk__in=set(queryset.order_by().values_list(self.ledger_area_path, flat=True))
            ).select_related("parent")
            record_access(
                actor=request.user,
                action=AccessLog.Action.EXPORT,
                reason=form.cleaned_data["reason"],
                area=common_area(areas),
                model=queryset.model,
                fields=self.ledger_personal_fields,
                row_count=total,
                object_repr=_gettext("%(ledger)s, %(n)d rows")
                % {"ledger": ledger.title, "n": total},
            )
            body = services.export_xlsx(
                ledger, self._ledger_records(queryset), unit=self._unit(queryset), unmasked=True
            )
            return xlsx_response(body, f"{ledger.key}-unmasked")
        return TemplateResponse(
            request,
            "admin/ledger_unmasked_export.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Export the unmasked ledger"),
                "form": form,
                "ledger": ledger,
                "count": total,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )
