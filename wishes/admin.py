"""Micro-wishes in the admin: staff record wishes collected in person (a street interview,
a 小哥议事会, a visit), the community reviews each on its own page (publish, or return with
a reason the worker reads), and a district keeps its own categories and rules. Donors keep
their own profiles on the phone: staff of their district or street verify organisations;
the community sees each wish's claims and cancels one that is stuck, saying why."""

import re

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from areas.admin_mixins import (
    DistrictCatalogueAdminMixin,
    DistrictCatalogueFilter,
    DistrictFieldMixin,
    ReadOnlyInline,
    ScopedAdmin,
    ServiceAdminForm,
    ServiceAdminMixin,
)
from areas.counter import PickupCounterMixin
from areas.record_actions import RecordAction, RecordActionForm, RecordActionsMixin
from core import private_files
from core.display import as_code
from core.masking import mask_phone
from ledgers.admin import LEDGER_ACTIONS, LedgerExportMixin

from . import selectors, services
from .models import (
    Claim,
    ClaimLine,
    Donor,
    Story,
    Wish,
    WishCategory,
    WishItem,
    WishPhoto,
    WishRules,
    WishStatusChange,
)

# One item of a collective wish per line: its name, how many, and what one is worth.
ITEM_LINE = re.compile(
    r"^(?P<name>.+?)[\s×xX*,，]+(?P<quantity>\d+)[\s×xX*,，]+(?P<value>\d+(\.\d{1,2})?)$"
)


def parse_items(text: str) -> list[tuple[str, int, str]]:
    """ "电动车头盔 20 80" per line → [("电动车头盔", 20, "80")]; refuses a line it cannot read,
    naming it."""
    items = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = ITEM_LINE.match(line)
        if match is None:
            raise forms.ValidationError(
                _("Line %(n)d is not “name quantity value”: %(line)s")
                % {"n": number, "line": line[:40]}
            )
        items.append((match["name"].strip(), int(match["quantity"]), match["value"]))
    return items


class WishForm(ServiceAdminForm):
    """Adding here is recording a wish collected in person (services.wish_record)."""

    items_text = forms.CharField(
        label=_("Items (a collective wish)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name, quantity, value of one in yuan — e.g. 电动车头盔 20 80."),
    )
    consent_given = forms.BooleanField(
        label=_("The worker (or the outlet) agreed that the wish is published, masked"),
        error_messages={"required": _("Ask for consent first: only agreed wishes are kept.")},
    )
    story_consent = forms.BooleanField(
        label=_("…and to a public follow-up story with a photo"), required=False
    )
    photo = forms.ImageField(
        label=_("A photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 8 MB. Location and camera details are removed."),
    )

    class Meta:
        model = Wish
        fields = ["worker", "outlet", "station", "area", "category", "text", "value", "source"]
        help_texts = {
            "worker": _("A worker's own wish: the worker. Leave empty for a collective wish."),
            "area": _("A collective wish's community (the outlet's or station's if empty)."),
            "value": _("A worker's own wish; a collective wish adds up its items."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" not in self.fields:
            return  # a recorded wish's own page: everything is read only
        self.fields["value"].required = False
        self.fields["area"].required = False
        self.fields["source"].choices = [
            (value, label) for value, label in Wish.Source.choices if value != Wish.Source.PHONE
        ]

    def clean_items_text(self):
        return parse_items(self.cleaned_data.get("items_text", ""))

    def call_service(self, actor):
        data = self.cleaned_data
        return services.wish_record(
            actor=actor,
            collected=services.CollectedWish(
                category=data.get("category"),
                text=data.get("text", ""),
                source=data.get("source", ""),
                worker=data.get("worker"),
                value=data.get("value"),
                outlet=data.get("outlet"),
                station=data.get("station"),
                area=data.get("area"),
                items=data.get("items_text") or [],
                story_consent=data.get("story_consent", False),
                photo=data.get("photo"),
            ),
        )


class ItemInline(ReadOnlyInline):
    model = WishItem
    fields = ["name", "quantity", "unit_value"]
    readonly_fields = fields


class PhotoInline(ReadOnlyInline):
    model = WishPhoto
    fields = ["shown", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("photo"))
    def shown(self, obj):
        url = private_files.url_for(obj.image.name)
        return format_html('<a href="{0}"><img src="{0}" alt="" style="max-width:240px"></a>', url)


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ["created_at", "donor", "status", "deadline", "message", "release_reason"]
    readonly_fields = fields
    verbose_name_plural = _("claims")


class StatusChangeInline(ReadOnlyInline):
    model = WishStatusChange
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    verbose_name_plural = _("history")


class CategoryFilter(DistrictCatalogueFilter):
    catalogue = WishCategory


def _categories_reached(user):
    return selectors.categories_seen_by(user)


def _publish(actor, wish, reason) -> str:
    services.wish_publish(actor=actor, wish=wish)
    return _("Published: donors can see it, masked, and claim it.")


def _return(actor, wish, reason) -> str:
    services.wish_return(actor=actor, wish=wish, reason=reason)
    return _("Returned: the worker reads your reason.")


def _waiting(wish) -> bool:
    return wish.status == Wish.Status.SUBMITTED


@admin.register(Wish)
class WishAdmin(RecordActionsMixin, LedgerExportMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction("publish", _("Publish"), run=_publish, shows=_waiting),
        RecordAction(
            "return",
            _("Return with a reason…"),
            run=_return,
            shows=_waiting,
            reason_label=_("Reason the worker reads"),
            explanation=_(
                "The wish goes back to the worker, who reads your reason on their phone."
            ),
        ),
    ]
    form = WishForm
    ledger_key = "wishes"
    ledger_select_related = ["worker", "outlet__enterprise", "station", "area", "category"]
    ledger_personal_fields = ["worker__name"]
    actions = LEDGER_ACTIONS
    list_display = [
        "created_at",
        "who",
        "category",
        "text",
        "value",
        "area",
        "source",
        "status",
    ]
    list_filter = ["status", "kind", "source", CategoryFilter]
    list_select_related = ["worker", "outlet", "station", "area", "category"]
    search_fields = ["text"]
    raw_id_fields = ["worker", "outlet", "station", "area"]
    date_hierarchy = "created_at"
    inlines = [ItemInline, PhotoInline, ClaimInline, StatusChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("worker", "category", "area")

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                *WishForm.Meta.fields,
                "items_text",
                "consent_given",
                "story_consent",
                "photo",
            ]
        return [
            "kind",
            "who",
            "category",
            "text",
            "value",
            "area",
            "source",
            "status",
            "status_reason",
            "published_at",
            "merged_into",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.kind == Wish.Kind.INDIVIDUAL:  # a worker's own wish has no item lines
            return [inline for inline in self.inlines if inline is not ItemInline]
        return self.inlines

    def has_change_permission(self, request, obj=None):
        # Decided by its buttons, never edited (may_act_on asks without a record).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn or returned, never deleted: its history stays

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = _categories_reached(request.user).filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("whose wish"))
    def who(self, obj):
        if obj.worker_id:
            return obj.worker.masked_label
        return str(obj.outlet or obj.station)


class CategoryForm(ServiceAdminForm):
    class Meta:
        model = WishCategory
        fields = ["area", "code", "name", "order", "active"]

    def call_service(self, actor):
        return services.category_save(actor=actor, category=self.instance)


@admin.register(WishCategory)
class WishCategoryAdmin(DistrictCatalogueAdminMixin, ServiceAdminMixin, admin.ModelAdmin):
    """The platform's categories and each district's own (areas.admin_mixins)."""

    form = CategoryForm
    list_display = ["name", "code_shown", "area", "order", "active"]
    list_filter = ["active"]

    @admin.display(description=_("code"), ordering="code")
    def code_shown(self, obj):
        return as_code(obj.code)

    def has_delete_permission(self, request, obj=None):
        return False  # wishes name it: turn it off instead (offered)


class RulesForm(ServiceAdminForm):
    class Meta:
        model = WishRules
        fields = [
            "area",
            "value_cap",
            "open_wishes_per_worker",
            "claim_days",
            "open_claims_per_donor",
        ]

    def call_service(self, actor):
        return services.rules_save(actor=actor, rules=self.instance)


@admin.register(WishRules)
class WishRulesAdmin(DistrictFieldMixin, ServiceAdminMixin, ScopedAdmin):
    form = RulesForm
    list_display = [
        "area",
        "value_cap",
        "open_wishes_per_worker",
        "claim_days",
        "open_claims_per_donor",
        "updated_at",
    ]
    list_select_related = ["area"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        rules = services.default_rules()
        initial.setdefault("value_cap", rules.value_cap)
        initial.setdefault("open_wishes_per_worker", rules.open_wishes_per_worker)
        initial.setdefault("claim_days", rules.claim_days)
        initial.setdefault("open_claims_per_donor", rules.open_claims_per_donor)
        return initial


# Donors and claims ---------------------------------------------------------------------------


def _verify(actor, donor, reason) -> str:
    services.donor_verify(actor=actor, donor=donor)
    return _("Verified: its claims count as the organisation's and its name is shown.")


def _unverify(actor, donor, reason) -> str:
    services.donor_verification_withdraw(actor=actor, donor=donor)
    return _("Verification withdrawn: it is shown as a volunteer again.")


def _waiting_organisation(donor) -> bool:
    return (
        donor.kind == Donor.Kind.ORGANISATION
        and donor.verified_at is None
        and donor.erased_at is None
    )


@admin.register(Donor)
class DonorAdmin(RecordActionsMixin, ScopedAdmin):
    """Donors keep their profiles themselves on the phone: staff read them and verify an
    organisation (never edit one: a changed profile is verified again)."""

    record_actions = [
        RecordAction(
            "verify",
            _("Verify the organisation"),
            run=_verify,
            shows=_waiting_organisation,
            confirm=True,
            explanation=_(
                "Check that the organisation exists and that the contact person speaks for "
                "it (a call, a letter, a visit). Its name is then shown to workers."
            ),
        ),
        RecordAction(
            "unverify",
            _("Withdraw the verification"),
            run=_unverify,
            shows=lambda donor: donor.verified_at is not None,
            confirm=True,
        ),
    ]
    list_display = [
        "name",
        "kind",
        "organisation_kind",
        "contact_name",
        "phone_shown",
        "area",
        "verified_at",
    ]
    list_filter = ["kind", "organisation_kind", ("verified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["area"]
    search_fields = ["name", "contact_name"]
    fields = [
        "kind",
        "organisation_kind",
        "name",
        "contact_name",
        "phone_shown",
        "area",
        "consented_at",
        "verified_at",
        "verified_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = []

    @admin.display(description=_("mobile phone"))
    def phone_shown(self, obj):
        return mask_phone(obj.phone)

    def has_add_permission(self, request):
        return False  # a donor signs in on the phone and gives their own profile

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


def _cancel(actor, claim, reason) -> str:
    services.claim_cancel(claim=claim, actor=actor, reason=reason)
    return _("Cancelled: the wish is back on the wall and the donor reads your reason.")


def _deliver(actor, claim, reason) -> str:
    services.claim_deliver(actor=actor, claim=claim)
    return _("Recorded: you delivered it. The worker (or you, with a photo) confirms it came true.")


class HandoverPhotoForm(RecordActionForm):
    photo = forms.ImageField(
        label=_("Photo of the handover"),
        help_text=_("JPEG, PNG or WebP, up to 8 MB. Location and camera details are removed."),
    )


def _confirm_with_photo(actor, claim, asked) -> str:
    services.claim_confirm_by_staff(actor=actor, claim=claim, photo=asked["photo"])
    return _("Recorded: the wish came true.")


def _waiting_for_handover(claim) -> bool:
    return claim.status == Claim.Status.CLAIMED


def _may_come_true(claim) -> bool:
    return claim.status in (Claim.Status.CLAIMED, Claim.Status.HANDED_OVER)


class ClaimLineInline(ReadOnlyInline):
    model = ClaimLine
    fields = ["item", "quantity"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(PickupCounterMixin, RecordActionsMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "deliver",
            _("We delivered it ourselves"),
            run=_deliver,
            shows=_waiting_for_handover,
            confirm=True,
            explanation=_(
                "For a worker who could not come to the station: you took the gift to them."
            ),
        ),
        RecordAction(
            "confirm",
            _("It came true (with a photo)…"),
            run=_confirm_with_photo,
            shows=_may_come_true,
            form=HandoverPhotoForm,
            explanation=_(
                "For a collective wish, or a worker without a smartphone: a photo of the "
                "handover confirms it."
            ),
        ),
        RecordAction(
            "cancel",
            _("Cancel the claim…"),
            run=_cancel,
            shows=_waiting_for_handover,
            reason_label=_("Reason the donor reads"),
            explanation=_(
                "For a donor who cannot be reached or cannot give after all: the wish goes "
                "back on the wall for others."
            ),
        ),
    ]
    list_display = ["created_at", "wish", "donor", "station", "status", "deadline"]
    list_filter = ["status", "whole", "donor_kind"]
    list_select_related = ["wish", "donor", "station"]
    search_fields = ["wish__text", "donor__name", "pickup_code"]
    date_hierarchy = "created_at"
    fields = [
        "wish",
        "donor",
        "whole",
        "donor_kind",
        "station",
        "status",
        "deadline",
        "message",
        "handed_over_at",
        "handed_over_by",
        "delivered_by_staff",
        "fulfilled_at",
        "confirmed_by",
        "photo_shown",
        "thanks",
        "released_at",
        "release_reason",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [ClaimLineInline]

    @admin.display(description=_("photo of the handover"))
    def photo_shown(self, obj):
        if not obj.fulfilment_photo:
            return "—"
        url = private_files.url_for(obj.fulfilment_photo.name)
        return format_html('<a href="{0}"><img src="{0}" alt="" style="max-width:240px"></a>', url)

    def has_add_permission(self, request):
        return False  # donors claim on the wall

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    # The keeper's counter (areas.counter): a scanned or typed pickup code.
    counter_title = _("Hand over a micro-wish")
    counter_template = "admin/wishes/claim/hand_over.html"

    def counter_waiting(self, request, pickup_code):
        return selectors.claim_at_counter(user=request.user, pickup_code=pickup_code)

    def counter_hand_over(self, request, pickup_code):
        return services.claim_hand_over(actor=request.user, pickup_code=pickup_code)

    def counter_done_message(self, handed) -> str:
        return _("Handed over: %(wish)s to %(worker)s.") % {
            "wish": handed.wish.text[:30],
            "worker": handed.wish.public_who,
        }


# Follow-up stories -------------------------------------------------------------------------


class StoryForm(ServiceAdminForm):
    """Writing or rewriting a story is services.story_save: it then waits for review."""

    class Meta:
        model = Story
        fields = ["wish", "title", "body", "photo"]
        help_texts = {
            "wish": _("A wish that came true, whose worker agreed to a public story."),
            "body": _(
                "What the wish was, who made it come true and how it went. The worker is "
                "named masked; no phone numbers or addresses."
            ),
        }

    def call_service(self, actor):
        data = self.cleaned_data
        photo = self.files.get("photo") if self.files else None
        return services.story_save(
            actor=actor,
            wish=data.get("wish") or self.instance.wish,
            title=data.get("title", ""),
            body=data.get("body", ""),
            photo=photo,
        )


def _publish_story(actor, story, reason) -> str:
    services.story_publish(actor=actor, story=story)
    return _("Published: anyone can read and share it.")


def _withdraw_story(actor, story, reason) -> str:
    services.story_withdraw(actor=actor, story=story, reason=reason)
    return _("Withdrawn: it is no longer public.")


@admin.register(Story)
class StoryAdmin(RecordActionsMixin, ServiceAdminMixin, ScopedAdmin):
    record_actions = [
        RecordAction(
            "publish",
            _("Publish"),
            run=_publish_story,
            shows=lambda story: story.status != Story.Status.PUBLISHED,
            confirm=True,
            explanation=_(
                "Read it once more: it is public and can be shared once published. The "
                "worker agreed to a public story when they made the wish."
            ),
        ),
        RecordAction(
            "withdraw",
            _("Withdraw…"),
            run=_withdraw_story,
            shows=lambda story: story.status == Story.Status.PUBLISHED,
            reason_label=_("Why it is withdrawn"),
        ),
        RecordAction(
            "view",
            _("Open the public page"),
            link=lambda story: reverse("mobile-wish-story", args=[story.pk]),
            shows=lambda story: story.status == Story.Status.PUBLISHED,
            new_tab=True,
        ),
    ]
    form = StoryForm
    list_display = ["title", "wish", "status", "published_at", "written_by"]
    list_filter = ["status"]
    list_select_related = ["wish", "written_by"]
    search_fields = ["title", "body"]
    raw_id_fields = ["wish"]
    readonly_fields = ["status", "published_at", "published_by", "withdrawn_reason"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return StoryForm.Meta.fields
        return [*StoryForm.Meta.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "wish"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # withdrawn, never deleted
