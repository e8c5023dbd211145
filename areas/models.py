"""The division tree and who may reach which part of it.

Codes are the 12-digit statistical division codes: 2 digits province, 2 city, 2 county,
3 town/street, 3 village/community (the first 6 are GB/T 2260). Because a child's code
starts with its parent's significant digits, "everything under area X" is a code-prefix
match, which an index answers without walking the tree.
"""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel


class Area(TimeStampedModel):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        DISTRICT = "district", _("District / county")
        STREET = "street", _("Street / town")
        COMMUNITY = "community", _("Community / village")

    # How many leading digits of the code are significant at each level.
    PREFIX_LENGTH = {
        Level.PROVINCE: 2,
        Level.CITY: 4,
        Level.DISTRICT: 6,
        Level.STREET: 9,
        Level.COMMUNITY: 12,
    }
    PARENT_LEVEL = {
        Level.CITY: Level.PROVINCE,
        Level.DISTRICT: Level.CITY,
        Level.STREET: Level.DISTRICT,
        Level.COMMUNITY: Level.STREET,
    }

    scope_area_path = ""  # the Area model is scoped by its own code (areas.access)

    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", _("A division code has exactly 12 digits."))],
        help_text=_("12-digit statistical division code; the first 6 digits are GB/T 2260."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    boundary = gis_models.MultiPolygonField(_("boundary"), srid=4326, null=True, blank=True)
    centre = gis_models.PointField(_("centre"), srid=4326, null=True, blank=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [
            # Prefix (LIKE 'xxxx%') lookups are how scoping works; this opclass makes them
            # use the index under any collation.
            models.Index(
                fields=["code"],
                name="areas_area_code_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["level"], name="areas_area_level_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="province", parent__isnull=True)
                | (~models.Q(level="province") & models.Q(parent__isnull=False)),
                name="areas_area_parent_matches_level",
                violation_error_message=_("Only a province has no parent area."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The leading digits every area under this one shares."""
        return self.code[: self.PREFIX_LENGTH[self.level]]

    @property
    def district_code(self) -> str:
        """The code of the district this area is in (itself for a district); empty above
        districts (a city, a province)."""
        if self.level in (self.Level.PROVINCE, self.Level.CITY):
            return ""
        return self.code[: self.PREFIX_LENGTH[self.Level.DISTRICT]].ljust(12, "0")

    def contains(self, other: "Area") -> bool:
        return other.code.startswith(self.prefix)

    def lineage(self) -> list["Area"]:
        """This area and those above it, nearest first (community → … → province)."""
        areas, node = [], self
        while node is not None:
            areas.append(node)
            node = node.parent
        return areas

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " ".join(reversed(names))


class StaffGrant(TimeStampedModel):
    """A staff member's reach: one user, one area (and everything under it), one role."""

    scope_area_path = "area"

    class Role(models.TextChoices):
        CITY_DEPARTMENT = "city", _("City department (市委社会工作部)")
        DISTRICT_DEPARTMENT = "district", _("District department (区委社会工作部)")
        STREET = "street", _("Street (街道)")
        COMMUNITY = "community", _("Community (社区)")
        STATION_KEEPER = "keeper", _("Station keeper (站长)")
        # Partners of the estate quick pass (estates/): a property company's manager reaches
        # the estates the grant names, a gate guard only checks passes at its gates.
        PROPERTY_MANAGER = "property", _("Property company manager (物业)")
        GATE_GUARD = "guard", _("Gate guard (门岗)")
        AUDITOR = "auditor", _("Auditor (reads the audit log only)")
        VIEWER = "viewer", _("Read-only viewer")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # Capabilities on top of the role, for the area of the grant. Both are off by default:
    # a staff member sees masked personal data and no party records until granted.
    party_affairs = models.BooleanField(
        _("party affairs (党务)"),
        default=False,
        help_text=_("May see political status, party members and three-management records."),
    )
    may_unmask = models.BooleanField(
        _("may see unmasked personal data"),
        default=False,
        help_text=_("Full names, phone numbers and ID numbers; every use is logged."),
    )

    class Meta:
        verbose_name = _("staff grant")
        verbose_name_plural = _("staff grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area", "role"],
                name="areas_staffgrant_unique_user_area_role",
                violation_error_message=_("This person already has this role in this area."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class StaffProfile(TimeStampedModel):
    """How colleagues and workers know a staff member (issue 14 §5): their position
    (社区党委书记, 网格员, 驿站站长…), shown with their name in the admin's header instead
    of the login name. Their reach is in their grants, not here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    position = models.CharField(
        _("position"),
        max_length=40,
        blank=True,
        help_text=_(
            "As colleagues know it, e.g. 社区党委书记, 网格员. Empty: the role of the grant."
        ),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return self.position or str(self.user)


class GrantedObject(models.Model):
    """One object a grant covers, of a kind an app registered (areas.object_grants): a
    station a keeper keeps, later an estate, a gate, a task. No foreign key to the object's
    own app, so areas stays below every app that grants objects (DESIGN.md)."""

    grant = models.ForeignKey(
        StaffGrant,
        verbose_name=_("grant"),
        on_delete=models.CASCADE,
        related_name="granted_objects",
    )
    kind = models.CharField(_("kind"), max_length=60)  # "stations.station"
    object_id = models.BigIntegerField(_("object id"))

    class Meta:
        verbose_name = _("object in a grant")
        verbose_name_plural = _("objects in grants")
        indexes = [models.Index(fields=["kind", "object_id"], name="grantedobject_kind_object_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["grant", "kind", "object_id"],
                name="areas_grantedobject_once_per_grant",
                violation_error_message=_("This grant already covers this object."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant} · {self.kind} #{self.object_id}"


class AccessLog(models.Model):
    """One look at unmasked personal data, or one export of it: who, what, when, why.

    Written by areas.audit.record_access() and never changed; auditors read it for their
    areas (areas.access.Purpose.AUDIT)."""

    scope_area_path = "area"

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed unmasked")
        EDIT = "edit", _("Opened for editing (unmasked)")
        EXPORT = "export", _("Exported unmasked")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    subject = models.CharField(_("kind of record"), max_length=100)  # "members.worker"
    object_id = models.CharField(_("record id"), max_length=40, blank=True)
    object_repr = models.CharField(_("record (masked)"), max_length=200, blank=True)
    fields = ArrayField(models.CharField(max_length=50), verbose_name=_("fields"), default=list)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="areas_accesslog_reason_given",
                violation_error_message=_("Say why the unmasked data is needed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.subject}"
