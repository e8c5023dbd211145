"""Grants on objects, not only on areas: a station keeper's stations today; later a property
company's estates and gates, a partner department's tasks, a verified donor organisation.

A grant names an area (everything under it, by role) and, for some roles, particular
objects of a registered kind inside that area (areas.models.GrantedObject). The app that
owns the objects registers their kind in its AppConfig.ready(), so a later app adds a kind
instead of a model or a field on StaffGrant. A tenant-owned model says where its rows
meet such objects with `scope_object_paths = {"stations.station": "station"}`, and
areas.access lets the object's grantees read and write those rows.

Objects named in a grant must lie inside the grant's area; any other is ignored rather
than trusted (a grant made by mistake does not open another district).
"""

from dataclasses import dataclass

from django.apps import apps

from core.registry import Registry


@dataclass(frozen=True)
class ObjectKind:
    key: str  # the model's label in lower case, e.g. "stations.station"
    label: str  # what the grant form calls them, e.g. "stations kept"
    roles: frozenset[str]  # the grant roles that name objects of this kind
    area_path: str = "area"  # from one object to the Area it lies in

    @property
    def model(self):
        return apps.get_model(self.key)


_kinds: Registry[ObjectKind] = Registry("kind of granted object")


def register(kind: ObjectKind) -> ObjectKind:
    return _kinds.register(kind.key, kind)


def kinds() -> list[ObjectKind]:
    return list(_kinds)


def kind_for(key: str) -> ObjectKind:
    return _kinds.get(key)


def kinds_for_role(role: str) -> list[ObjectKind]:
    return [kind for kind in _kinds if role in kind.roles]
