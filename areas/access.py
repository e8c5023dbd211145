"""The one scoping choke point.

Every admin, API view, page and export that touches tenant-owned rows asks this module
which rows a user reaches. Nothing else filters by area on its own.

A tenant-owned model declares how its rows hang off the tree:

    class Station(models.Model):
        scope_area_path = "area"      # the path from the row to its Area
        # optional: where the row meets objects a grant may name (areas.object_grants)
        scope_object_paths = {"stations.station": "pk"}
        # optional: more areas that may read the row (a transfer's old community)
        scope_also_read_via = ("from_area",)

Rules (DESIGN.md, rule 2):
- a grant reaches its area and everything under it (code-prefix match);
- city, district, street and community roles read and write there;
- a station keeper reads and writes only the stations named in the grant (objects of a
  registered kind, areas.object_grants; later apps add kinds: estates, gates, tasks);
- a viewer only reads; an auditor reaches only the audit log;
- party records need the grant's party-affairs flag (Purpose.PARTY to read them,
  PARTY_WRITE to change them) and unmasked personal data its may-unmask flag
  (Purpose.UNMASK), on top of a role that reads (or writes) there;
- superusers (system administration) reach everything;
- anyone else reaches nothing: outsiders get 404 (the row does not exist for them),
  read-only roles get 403 on writes.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from . import object_grants
from .models import Area, GrantedObject, StaffGrant

Role = StaffGrant.Role

AREA_WRITE_ROLES = frozenset(
    {Role.CITY_DEPARTMENT, Role.DISTRICT_DEPARTMENT, Role.STREET, Role.COMMUNITY}
)
AREA_READ_ROLES = AREA_WRITE_ROLES | {Role.VIEWER}
AUDIT_ROLES = AREA_WRITE_ROLES | {Role.AUDITOR}


class Purpose(StrEnum):
    READ = "read"
    WRITE = "write"
    AUDIT = "audit"
    PARTY = "party"  # read party records (political status, party members, 三管)
    PARTY_WRITE = "party-write"
    UNMASK = "unmask"  # see personal data unmasked (logged by areas.audit)


@dataclass(frozen=True)
class Reach:
    """What one user reaches, computed once per request from their grants."""

    everything: bool
    prefixes: dict[Purpose, tuple[str, ...]]
    # Objects named in grants, by kind ("stations.station": a keeper's stations): read and
    # write the rows that hang off them.
    object_ids: dict[str, frozenset[int]]

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.object_ids and not any(self.prefixes.values())

    def reaches_any(self, purpose: Purpose) -> bool:
        """Is there any row at all this user reaches for `purpose`?"""
        if self.everything or self.prefixes[purpose]:
            return True
        return bool(self.object_ids) and purpose in OBJECT_PURPOSES

    def objects_of(self, kind: str) -> frozenset[int]:
        return self.object_ids.get(kind, frozenset())

    def can_read_anything(self) -> bool:
        return self.reaches_any(Purpose.READ)

    def can_write_anything(self) -> bool:
        return self.reaches_any(Purpose.WRITE)


# What a grant on objects allows on the rows that hang off them.
OBJECT_PURPOSES = (Purpose.READ, Purpose.WRITE)

_NOBODY = Reach(everything=False, prefixes={p: () for p in Purpose}, object_ids={})


def reach_of(user) -> Reach:
    """The user's reach, cached on the user object (one query per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOBODY
    cached = getattr(user, "_area_reach", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        reach = Reach(everything=True, prefixes={p: () for p in Purpose}, object_ids={})
    else:
        prefixes: dict[Purpose, set[str]] = {p: set() for p in Purpose}
        object_grants_of: list[StaffGrant] = []
        for grant in StaffGrant.objects.filter(user=user).select_related("area"):
            if grant.role in AREA_READ_ROLES:
                prefixes[Purpose.READ].add(grant.area.prefix)
            if grant.role in AREA_WRITE_ROLES:
                prefixes[Purpose.WRITE].add(grant.area.prefix)
            if grant.role in AUDIT_ROLES:
                prefixes[Purpose.AUDIT].add(grant.area.prefix)
            if grant.role in AREA_READ_ROLES and grant.party_affairs:
                prefixes[Purpose.PARTY].add(grant.area.prefix)
            if grant.role in AREA_WRITE_ROLES and grant.party_affairs:
                prefixes[Purpose.PARTY_WRITE].add(grant.area.prefix)
            if grant.role in AREA_READ_ROLES and grant.may_unmask:
                prefixes[Purpose.UNMASK].add(grant.area.prefix)
            if object_grants.kinds_for_role(grant.role):
                object_grants_of.append(grant)
        reach = Reach(
            everything=False,
            prefixes={p: _minimal(v) for p, v in prefixes.items()},
            object_ids=_granted_objects(object_grants_of),
        )
    user._area_reach = reach
    return reach


def _granted_objects(grants: list[StaffGrant]) -> dict[str, frozenset[int]]:
    """The objects these grants name, by kind — only those lying inside their grant's area
    (anything else was granted by mistake and is ignored rather than trusted)."""
    if not grants:
        return {}
    by_kind: dict[str, Q] = {}
    named = GrantedObject.objects.filter(grant__in=grants).values_list(
        "grant_id", "kind", "object_id"
    )
    area_of_grant = {grant.pk: grant.area for grant in grants}
    for grant_id, kind_key, object_id in named:
        kind = object_grants.kind_for(kind_key)
        within = Q(
            pk=object_id, **{f"{kind.area_path}__code__startswith": area_of_grant[grant_id].prefix}
        )
        by_kind[kind_key] = by_kind.get(kind_key, Q(pk__in=[])) | within
    return {
        key: frozenset(
            object_grants.kind_for(key)
            .model._default_manager.filter(q)
            .values_list("pk", flat=True)
        )
        for key, q in by_kind.items()
    }


def _minimal(prefixes: set[str]) -> tuple[str, ...]:
    """Drop prefixes already covered by a shorter one (a city grant covers its districts)."""
    kept: list[str] = []
    for prefix in sorted(prefixes, key=len):
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def _area_q(area_path: str, prefixes: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for prefix in prefixes:
        q |= Q(**{f"{area_path}__code__startswith": prefix})
    return q


def scope(queryset: QuerySet, user, purpose: Purpose = Purpose.READ) -> QuerySet:
    """Restrict a tenant-owned queryset to the rows `user` reaches for `purpose`."""
    model = queryset.model
    area_path = getattr(model, "scope_area_path", None)
    if area_path is None:
        raise TypeError(f"{model.__name__} does not declare scope_area_path; it cannot be scoped.")
    reach = reach_of(user)
    if reach.everything:
        return queryset
    if area_path == "":  # the Area model itself
        q = Q(pk__in=[])
        for prefix in reach.prefixes[purpose]:
            q |= Q(code__startswith=prefix)
    else:
        q = _area_q(area_path, reach.prefixes[purpose])
    if purpose == Purpose.READ:
        # A row that two areas read (a transfer: the receiving community decides, the
        # one the worker leaves keeps it as history); writes go by scope_area_path alone.
        for also_path in getattr(model, "scope_also_read_via", ()):
            q |= _area_q(also_path, reach.prefixes[purpose])
    if purpose in OBJECT_PURPOSES:
        for kind, path in getattr(model, "scope_object_paths", {}).items():
            if reach.objects_of(kind):
                q |= Q(**{f"{path}__in": reach.objects_of(kind)})
    return queryset.filter(q)


def reaches_rows_of(user, model, purpose: Purpose = Purpose.READ) -> bool:
    """Could `user` reach any row of `model` for `purpose`? The same rule as scope(), asked
    of the model rather than its rows: an area grant reaches every model that hangs off
    the tree; a keeper's grant reaches only the models that meet the objects it names
    (their stations, the check-ins and redemptions there) — so a keeper's admin menu lists
    those, not twenty empty pages (issue 14 §5)."""
    reach = reach_of(user)
    if reach.everything or reach.prefixes[purpose]:
        return True
    if purpose not in OBJECT_PURPOSES:
        return False
    return any(reach.objects_of(kind) for kind in getattr(model, "scope_object_paths", {}))


def area_of(obj) -> Area | None:
    """Follow the model's scope_area_path from one row to the Area it belongs to."""
    path = type(obj).scope_area_path
    if path == "":
        return obj.parent if obj.pk is None else obj
    node = obj
    for step in path.split("__"):
        node = getattr(node, step, None)
        if node is None:
            return None
    return node


def areas_reached(user, purpose: Purpose = Purpose.READ) -> QuerySet:
    return scope(Area.objects.all(), user, purpose)


def can_in(user, area: Area | None, purpose: Purpose) -> bool:
    """Does `user` reach `area` for `purpose`? (No area: only superusers.)"""
    reach = reach_of(user)
    if reach.everything:
        return True
    return area is not None and any(area.code.startswith(p) for p in reach.prefixes[purpose])


def can_write_in(user, area: Area) -> bool:
    """May `user` create or change rows that belong to `area`?"""
    return can_in(user, area, Purpose.WRITE)


# Each writing purpose and the purpose that reads the same rows: someone who can read a
# row but not write it gets 403; someone who cannot even read it gets 404.
READ_PURPOSE_OF = {Purpose.WRITE: Purpose.READ, Purpose.PARTY_WRITE: Purpose.PARTY}


def can_write(user, obj, purpose: Purpose = Purpose.WRITE) -> bool:
    """May `user` change this particular row? Same rule as scope(..., purpose), for one row."""
    return scope(type(obj)._default_manager.filter(pk=obj.pk), user, purpose).exists()


def get_for_user(queryset: QuerySet, user, purpose: Purpose = Purpose.READ, **lookup):
    """Fetch one row for `user`: 404 when they cannot see it at all, 403 when they can see
    it but `purpose` is a writing one (WRITE, PARTY_WRITE) they do not have there."""
    read_purpose = READ_PURPOSE_OF.get(purpose, purpose)
    try:
        obj = scope(queryset, user, read_purpose).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if purpose in READ_PURPOSE_OF and not can_write(user, obj, purpose):
        raise PermissionDenied
    return obj


def require_write_in(user, area: Area, purpose: Purpose = Purpose.WRITE) -> None:
    """Refuse (403 for those who only read there, 404 for outsiders) a write into `area`."""
    if can_in(user, area, purpose):
        return
    reach = reach_of(user)
    read_purpose = READ_PURPOSE_OF[purpose]
    if reach.everything or any(area.code.startswith(p) for p in reach.prefixes[read_purpose]):
        raise PermissionDenied
    raise Http404


def require_write_to(user, obj, purpose: Purpose = Purpose.WRITE) -> None:
    """Refuse saving `obj` unless `user` may change it where it is now (an existing row:
    404 outside their reach, 403 read-only) and may write where it is going (its area).
    A row that stays in its area needs only the first: a station keeper, whose grant names
    their stations and no area, changes their own station's hours (issue 14 §5) but cannot
    move it to another community."""
    if obj.pk is not None:
        stored = get_for_user(type(obj)._default_manager.all(), user, purpose, pk=obj.pk)
        if type(obj).scope_area_path and _same_area(area_of(stored), area_of(obj)):
            return
    require_write_in(user, area_of(obj), purpose)


def _same_area(before: Area | None, after: Area | None) -> bool:
    return before is not None and after is not None and before.pk == after.pk
