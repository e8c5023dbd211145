"""Party organisations, the party members among workers, and three-management (三管).

- PartyOrg: the tree of organisations a district works with — committees, branches, the
  industry committees (快递行业党委), functional branches (功能型党支部) and joint committees
  (联合党委) formed for new-employment workers — each owned by an area.
- PartyMember: one per worker who is a party member: where their membership is kept
  (组织关系), whether it is registered here or floating (在册/流动), and the party half of
  双报到: revealing their identity (亮明身份) and reporting to a community (到社区报到).
- ManagementAssignment: 三管 — direct (直接管, the membership branch), collaborative
  (协同管, the party organisation where they work away from home, under an agreement with
  feedback on a cadence) and fallback (兜底管, the community where they live or work).

Everything here is party affairs: readable only with a grant's party-affairs flag
(areas.access Purpose.PARTY), scoped by the worker's work community.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.access import Purpose
from areas.models import Area
from core.models import TimeStampedModel
from members.models import Enterprise, Worker

# Reading any row here takes the grant's party-affairs flag (areas.references, areas.access).
PARTY = Purpose.PARTY


class PartyOrg(TimeStampedModel):
    scope_area_path = "area"
    scope_read_purpose = PARTY

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Party committee (党委)")
        GENERAL_BRANCH = "general_branch", _("General branch (党总支)")
        BRANCH = "branch", _("Branch (党支部)")
        INDUSTRY_COMMITTEE = "industry_committee", _("Industry committee (行业党委)")
        FUNCTIONAL_BRANCH = "functional_branch", _("Functional branch (功能型党支部)")
        JOINT_COMMITTEE = "joint_committee", _("Joint committee (联合党委)")
        ENTERPRISE_BRANCH = "enterprise_branch", _("Enterprise branch (企业党支部)")

    # Kinds that can be the village/community party organisation of fallback management
    # (兜底管), when they belong to a community (a joint committee spans neighbouring ones).
    COMMUNITY_KINDS = (Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.BRANCH, Kind.JOINT_COMMITTEE)

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("higher organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="party_orgs"
    )
    secretary = models.CharField(_("secretary (书记)"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # The party organisation names the enterprises it covers (its own branch's enterprise,
    # or the many an industry committee covers), not the other way round: members, where
    # enterprises live, sits below party (DESIGN.md).
    enterprises = models.ManyToManyField(
        Enterprise,
        verbose_name=_("enterprises covered"),
        blank=True,
        related_name="party_orgs",
        help_text=_("The enterprise of its own branch, or those the organisation covers."),
    )

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["area__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"],
                name="party_partyorg_unique_name_in_area",
                violation_error_message=_(
                    "This area already has a party organisation of this name."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")),
                name="party_partyorg_not_its_own_parent",
                violation_error_message=_("An organisation cannot be its own higher organisation."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_community_level(self) -> bool:
        """Can it take members into fallback management (村/社区党组织)?"""
        return self.area.level == Area.Level.COMMUNITY and self.kind in self.COMMUNITY_KINDS


class PartyMember(TimeStampedModel):
    scope_area_path = "worker__area"
    scope_read_purpose = PARTY

    class Registration(models.TextChoices):
        REGISTERED = "registered", _("Registered here (在册)")
        FLOATING = "floating", _("Floating (流动)")

    class Standing(models.TextChoices):
        FULL = "full", _("Full member (正式党员)")
        PROBATIONARY = "probationary", _("Probationary member (预备党员)")

    worker = models.OneToOneField(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="party_member"
    )
    membership_org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("membership branch (组织关系所在党支部)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        help_text=_("Leave empty when the branch is not on this platform and name it below."),
    )
    membership_org_name = models.CharField(
        _("membership branch, if not on the platform"), max_length=100, blank=True
    )
    membership_org_place = models.CharField(
        _("where that branch is"), max_length=100, blank=True, help_text=_("e.g. 河南省周口市")
    )
    registration = models.CharField(
        _("registered or floating"), max_length=12, choices=Registration.choices
    )
    standing = models.CharField(_("standing"), max_length=12, choices=Standing.choices)
    joined_on = models.DateField(_("joined the party on"), null=True, blank=True)
    lost_contact = models.BooleanField(_("lost contact (失联)"), default=False)
    revealed_on = models.DateField(_("revealed identity on (亮明身份)"), null=True, blank=True)
    reported_on = models.DateField(
        _("reported to the community on (到社区报到)"), null=True, blank=True
    )
    reported_to = models.ForeignKey(
        Area,
        verbose_name=_("community reported to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_party_members",
    )
    ended_on = models.DateField(_("membership here ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(membership_org__isnull=False)
                | ~models.Q(membership_org_name=""),
                name="party_partymember_membership_org_named",
                violation_error_message=_(
                    "Choose the membership branch, or name it if it is not on the platform."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(reported_on__isnull=True, reported_to__isnull=True)
                | models.Q(reported_on__isnull=False, reported_to__isnull=False),
                name="party_partymember_report_names_the_community",
                violation_error_message=_(
                    "A report to a community needs both the date and the community."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | ~models.Q(end_reason=""),
                name="party_partymember_end_has_reason",
                violation_error_message=_("Say why the membership here ended."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.worker)

    @property
    def membership_org_display(self) -> str:
        if self.membership_org_id:
            return str(self.membership_org)
        return " · ".join(p for p in (self.membership_org_name, self.membership_org_place) if p)


class ContactStatusChange(models.Model):
    """失联 and 双找: when a member was found to have lost contact, and when found again."""

    class Event(models.TextChoices):
        LOST = "lost", _("Lost contact (失联)")
        FOUND = "found", _("Found again (双找)")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="contact_changes",
    )
    event = models.CharField(_("event"), max_length=8, choices=Event.choices)
    on = models.DateField(_("on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lost-contact history entry")
        verbose_name_plural = _("lost-contact history")
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_event_display()}"


class ManagementAssignment(TimeStampedModel):
    """One of a member's three managements (三管) by one organisation, from a date."""

    scope_area_path = "member__worker__area"
    scope_read_purpose = PARTY

    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct (直接管)")
        COLLABORATIVE = "collaborative", _("Collaborative (协同管)")
        FALLBACK = "fallback", _("Fallback (兜底管)")

    member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    org = models.ForeignKey(
        PartyOrg,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=200, blank=True)
    agreement_ref = models.CharField(
        _("agreement (党建联盟协议书)"),
        max_length=100,
        blank=True,
        help_text=_("Collaborative management: the reference of the agreement with the unit."),
    )
    feedback_every_months = models.PositiveSmallIntegerField(
        _("feedback every (months)"),
        null=True,
        blank=True,
        help_text=_("Collaborative management: how often the unit reports back (quarterly = 3)."),
    )

    class Meta:
        verbose_name = _("three-management assignment")
        verbose_name_plural = _("three-management assignments (三管)")
        ordering = ["member", "kind", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=models.Q(ended_on__isnull=True),
                name="party_assignment_one_active_per_kind",
                violation_error_message=_(
                    "This member already has an active assignment of this kind."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="party_assignment_ends_after_it_starts",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="collaborative")
                | (~models.Q(agreement_ref="") & models.Q(feedback_every_months__gte=1)),
                name="party_assignment_collaborative_has_agreement",
                violation_error_message=_(
                    "Collaborative management needs the agreement and a feedback cadence."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="collaborative")
                | (models.Q(agreement_ref="") & models.Q(feedback_every_months__isnull=True)),
                name="party_assignment_agreement_only_collaborative",
                violation_error_message=_("Only collaborative management has an agreement."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind"],
                condition=models.Q(ended_on__isnull=True),
                name="party_assignment_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.org}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class CollaborationFeedback(models.Model):
    """A report back from the unit under collaborative management (协同管反馈)."""

    scope_area_path = "assignment__member__worker__area"
    scope_read_purpose = PARTY

    assignment = models.ForeignKey(
        ManagementAssignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    on = models.DateField(_("date"))
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collaboration feedback")
        verbose_name_plural = _("collaboration feedback")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on}"


__all__ = [
    "CollaborationFeedback",
    "ContactStatusChange",
    "ManagementAssignment",
    "PartyMember",
    "PartyOrg",
]
