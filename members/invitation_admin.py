"""Invitations in the admin (喊你回家 召集令): campaigns with their funnel, batches of codes
(issue, mark sent, print the cards, export the links) and the invitations, read-only.
Imported by members.admin."""

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from areas import access
from areas.admin_mixins import ScopedAdmin, ServiceAdminForm, ServiceAdminMixin
from core.display import as_code
from core.exceptions import ApplicationError
from core.xlsx import government_xlsx

from . import selectors, services
from .invitation_links import invitation_qr_svg, invitation_url
from .models import Invitation, InvitationBatch, InvitationCampaign

CARDS_PER_PAGE = 400  # one print job; a 13,000-letter batch prints in pages


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


# Campaigns ---------------------------------------------------------------------------------


class CampaignForm(ServiceAdminForm):
    class Meta:
        model = InvitationCampaign
        fields = ["name", "area", "message", "starts_on", "ends_on"]

    def call_service(self, actor):
        return services.campaign_save(actor=actor, campaign=self.instance)


@admin.register(InvitationCampaign)
class CampaignAdmin(ServiceAdminMixin, ScopedAdmin):
    form = CampaignForm
    list_display = [
        "name",
        "area",
        "starts_on",
        "ends_on",
        "status",
        "sent",
        "opened",
        "registered",
    ]
    list_filter = ["status"]
    search_fields = ["name"]
    list_select_related = ["area"]
    readonly_fields = ["status", "funnel_table", "issue_link"]
    actions = ["close_selected"]

    def get_fields(self, request, obj=None):
        fields = list(CampaignForm.Meta.fields)
        if obj is not None:
            fields += ["status", "issue_link", "funnel_table"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # a campaign is closed; its funnel stays

    def get_queryset(self, request):
        invitations = "batches__invitations"
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_count=Count(
                    invitations, filter=Q(**{f"{invitations}__sent_at__isnull": False})
                ),
                opened_count=Count(
                    invitations, filter=Q(**{f"{invitations}__opened_at__isnull": False})
                ),
            )
        )

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj):
        return obj.sent_count

    @admin.display(description=_("opened"), ordering="opened_count")
    def opened(self, obj):
        return obj.opened_count

    @admin.display(description=_("registered"))
    def registered(self, obj):
        # One COUNT per row of the page (a page holds few campaigns); joined into the
        # annotation above it would multiply by the invitations.
        return obj.batches.aggregate(n=Count("invitations__registrations"))["n"]

    @admin.display(description=_("issue invitations"))
    def issue_link(self, obj):
        if obj is None or obj.pk is None or obj.status != obj.Status.ACTIVE:
            return "—"
        url = reverse("admin:members_invitationbatch_add") + f"?campaign={obj.pk}"
        return format_html('<a class="button" href="{}">{}</a>', url, _("Issue invitations…"))

    @admin.display(description=_("funnel per community"))
    def funnel_table(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = selectors.campaign_funnel(obj)
        if not rows:
            return _("No invitations issued yet.")
        lines = [*rows, *selectors.funnel_totals(rows)]
        header = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            _("community"),
            _("issued"),
            _("sent"),
            _("opened"),
            _("registered"),
            _("of which approved"),
            _("registered per 100 sent"),
        )
        body = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    line.community.name if line.community else _gettext("Total"),
                    line.issued,
                    line.sent,
                    line.opened,
                    _percent(line.opened_percent),
                    line.registered,
                    line.approved,
                    _percent(line.registered_percent),
                )
                for line in lines
            ),
        )
        return format_html('<table class="funnel">{}{}</table>', header, body)

    @admin.action(description=_("Close selected campaigns"))
    def close_selected(self, request, queryset):
        for campaign in queryset:
            try:
                services.campaign_close(actor=request.user, campaign=campaign)
                messages.success(request, _("%(name)s is closed.") % {"name": campaign})
            except ApplicationError as error:
                messages.warning(request, f"{campaign}: {error.message}")


# Batches ------------------------------------------------------------------------------------


class BatchForm(ServiceAdminForm):
    count = forms.IntegerField(
        label=_("how many invitations"),
        required=False,
        min_value=1,
        max_value=services.MAX_BATCH_SIZE,
        help_text=_("For letters, posters or a group link. Leave empty when you list recipients."),
    )
    recipients = forms.CharField(
        label=_("recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "张三 13812345678"}),
        help_text=_("Personal invitations: one person a line, name and mobile number."),
    )

    class Meta:
        model = InvitationBatch
        fields = ["campaign", "community", "channel", "note"]

    def call_service(self, actor):
        # A bad recipients list is refused by field (ServiceAdminForm shows it there).
        recipients = services.parse_recipients(self.cleaned_data.get("recipients", ""))
        return services.invitations_issue(
            actor=actor,
            campaign=self.instance.campaign,
            community=self.instance.community,
            channel=self.instance.channel,
            count=self.cleaned_data.get("count") or 0,
            recipients=recipients,
            note=self.instance.note,
        )


@admin.register(InvitationBatch)
class BatchAdmin(ServiceAdminMixin, ScopedAdmin):
    form = BatchForm
    list_display = [
        "campaign",
        "community",
        "channel",
        "note",
        "size",
        "sent_at",
        "opened",
        "registered",
        "cards_link",
    ]
    list_filter = ["channel", "campaign"]
    list_select_related = ["campaign", "community"]
    search_fields = ["note", "campaign__name", "community__name"]
    actions = ["mark_sent_selected", "export_xlsx"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invitation_count=Count("invitations", distinct=True),
                opened_count=Count(
                    "invitations", filter=Q(invitations__opened_at__isnull=False), distinct=True
                ),
                registered_count=Count("invitations__registrations", distinct=True),
            )
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["campaign", "community", "channel", "count", "recipients", "note"]
        return ["campaign", "community", "channel", "note", "size", "sent_at", "cards_link"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("channel", InvitationBatch.Channel.LETTER)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "campaign":
            kwargs["queryset"] = access.scope(
                InvitationCampaign.objects.filter(status=InvitationCampaign.Status.ACTIVE),
                request.user,
                access.Purpose.WRITE,
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # issued codes may be in letters already: they are never taken back

    @admin.display(description=_("invitations"), ordering="invitation_count")
    def size(self, obj):
        return obj.invitation_count  # annotated in get_queryset (list and change page)

    @admin.display(description=_("opened"), ordering="opened_count")
    def opened(self, obj):
        return obj.opened_count

    @admin.display(description=_("registered"), ordering="registered_count")
    def registered(self, obj):
        return obj.registered_count

    @admin.display(description=_("print"))
    def cards_link(self, obj):
        if obj is None or obj.pk is None:
            return ""
        url = reverse("admin:members_invitationbatch_cards", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Invitation cards"))

    @admin.action(description=_("Mark selected batches as sent"))
    def mark_sent_selected(self, request, queryset):
        for batch in queryset:
            try:
                marked = services.batch_mark_sent(actor=request.user, batch=batch)
                messages.success(
                    request,
                    _("%(batch)s: %(n)d invitations marked sent.") % {"batch": batch, "n": marked},
                )
            except ApplicationError as error:
                messages.warning(request, f"{batch}: {error.message}")

    @admin.action(description=_("Export codes and links (.xlsx)"))
    def export_xlsx(self, request, queryset):
        invitations = (
            selectors.invitation_list(user=request.user)
            .filter(batch__in=queryset)
            .order_by("batch", "pk")
        )
        rows = (
            (
                inv.code,
                invitation_url(request, inv.code),
                inv.batch.campaign.name,
                inv.batch.community.name,
                inv.batch.get_channel_display(),
                inv.masked_recipient,
                _datetime(inv.sent_at),
                _datetime(inv.opened_at),
                inv.open_count,
            )
            for inv in invitations.iterator(chunk_size=2000)
        )
        body = government_xlsx(
            title=_gettext("Invitation codes and links"),
            unit=", ".join(sorted({str(b.campaign.area.name) for b in queryset})),
            columns=[
                _gettext("Code"),
                _gettext("Link"),
                _gettext("Campaign"),
                _gettext("Community"),
                _gettext("Channel"),
                _gettext("Recipient"),
                _gettext("Sent at"),
                _gettext("First opened at"),
                _gettext("Times opened"),
            ],
            rows=rows,
            widths=[12, 46, 20, 16, 14, 18, 18, 18, 10],
        )
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="invitations-{stamp}.xlsx"'
        return response

    def get_urls(self):
        return [
            path(
                "<int:batch_id>/cards/",
                self.admin_site.admin_view(self.cards_view),
                name="members_invitationbatch_cards",
            ),
            *super().get_urls(),
        ]

    def cards_view(self, request, batch_id):
        """Printable invitation cards: campaign, message, QR code, link and the code to
        type, eight to an A4 page, CARDS_PER_PAGE per print job."""
        batch = access.get_for_user(
            selectors.batch_list(user=request.user), request.user, pk=batch_id
        )
        page = Paginator(batch.invitations.order_by("pk"), CARDS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        cards = []
        for invitation in page:
            url = invitation_url(request, invitation.code)
            cards.append({"invitation": invitation, "url": url, "qr_svg": invitation_qr_svg(url)})
        return TemplateResponse(
            request,
            "admin/members/invitationbatch/cards.html",
            {"batch": batch, "campaign": batch.campaign, "cards": cards, "page": page},
        )


def _datetime(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# Invitations (read-only) ----------------------------------------------------------------


class OpenedFilter(admin.SimpleListFilter):
    title = _("opened")
    parameter_name = "opened"

    def lookups(self, request, model_admin):
        return [("yes", _("Opened")), ("no", _("Not opened"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(opened_at__isnull=self.value() == "no")
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    list_display = [
        "code_shown",
        "batch",
        "masked_recipient",
        "sent_at",
        "opened_at",
        "open_count",
        "registrations",
    ]
    list_filter = [OpenedFilter, "batch__channel", "batch__campaign"]
    list_select_related = ["batch__campaign", "batch__community"]
    search_fields = ["=code"]
    search_help_text = _("The invitation's code, as printed.")
    fields = ["code_shown", "batch", "masked_recipient", "sent_at", "opened_at", "open_count"]
    readonly_fields = fields

    @admin.display(description=Invitation._meta.get_field("code").verbose_name, ordering="code")
    def code_shown(self, obj):
        return as_code(obj.code)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(registration_count=Count("registrations"))

    def get_search_results(self, request, queryset, search_term):
        code = services.normalize_code(search_term)
        return (queryset.filter(code=code), False) if code else (queryset, False)

    def has_add_permission(self, request):
        return False  # issued in batches

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def masked_recipient(self, obj):
        return obj.masked_recipient

    @admin.display(description=_("registrations"), ordering="registration_count")
    def registrations(self, obj):
        return obj.registration_count
