"""Tenancy isolation matrix: every registered API list/detail route and every admin
changelist of a tenant-owned model, walked as every demo role, on the demo network.

The expected reach is computed here from the grants themselves (code prefixes and the
objects they name: kept stations, managed estates, guarded gates), not by calling
areas.access, so a bug in the choke point shows up as a leak.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import get_resolver
from rest_framework.test import APIClient

from areas.access import area_of
from areas.models import Area, StaffGrant

pytestmark = pytest.mark.django_db

WRITE_OR_READ = {"city", "district", "street", "community", "viewer"}
# Roles whose grants name objects, and the kind each names (areas.object_grants): a
# keeper's stations, a property manager's estates, a gate guard's gates.
OBJECT_ROLES = {"keeper": "stations.station", "property": "estates.estate", "guard": "estates.gate"}
# Routes that are public by design (workers use them without logging in).
PUBLIC_ROUTES = {"station-nearby"}


def expected_reach(user, party: bool = False):
    """(area prefixes, {kind: ids of the objects named}) straight from the user's grants.
    Party records (party=True) are reached only through grants with the party-affairs
    flag."""
    prefixes, objects = [], {}
    for grant in StaffGrant.objects.filter(user=user).select_related("area"):
        if grant.role in WRITE_OR_READ and (grant.party_affairs or not party):
            prefixes.append(grant.area.prefix)
        kind = OBJECT_ROLES.get(grant.role)
        if kind and not party:
            named = grant.granted_objects.filter(kind=kind)
            objects.setdefault(kind, set()).update(named.values_list("object_id", flat=True))
    return prefixes, objects


def row_allowed(obj, prefixes, objects) -> bool:
    area = obj if isinstance(obj, Area) else area_of(obj)
    if any(area.code.startswith(p) for p in prefixes):
        return True
    # A row two areas read (a transfer: the community the worker leaves reads it too).
    for path in getattr(type(obj), "scope_also_read_via", ()):
        also = obj
        for step in path.split("__"):
            also = getattr(also, step)
        if any(also.code.startswith(p) for p in prefixes):
            return True
    # A row that meets an object named in a grant (a keeper's station, a guard's gate).
    for kind, path in getattr(type(obj), "scope_object_paths", {}).items():
        named = objects.get(kind, set())
        if (obj.pk if path == "pk" else getattr(obj, f"{path}_id", None)) in named:
            return True
    return False


def api_routes() -> dict[str, type]:
    """Every router list route under /api/v1/, with the model its viewset serves."""
    from django.db.models import QuerySet
    from django.urls import resolve, reverse

    routes = {}
    for name in get_resolver().reverse_dict:
        if not (isinstance(name, str) and name.endswith("-list")):
            continue
        url = reverse(name)
        if not url.startswith("/api/v1/"):
            continue
        view_cls = resolve(url).func.cls
        base = view_cls.base_queryset
        queryset = base if isinstance(base, QuerySet) else base(user=None)
        routes[name] = (queryset.model, view_cls.read_purpose == "party")
    return routes


def demo_users():
    return list(
        get_user_model().objects.filter(grants__isnull=False).distinct().order_by("username")
    )


def test_every_api_list_and_detail_route_respects_each_roles_reach(demo):
    from django.urls import reverse

    routes = api_routes()
    assert {"area-list", "station-list"} <= set(routes), routes
    for route, (model, party) in routes.items():
        all_ids = set(model.objects.values_list("pk", flat=True))
        for user in demo_users():
            prefixes, stations = expected_reach(user, party)
            client = APIClient()
            client.force_authenticate(user)
            seen, url = set(), reverse(route) + "?limit=500"
            while url:
                body = client.get(url).json()
                seen.update(row["id"] for row in body["results"])
                url = body.get("next")
            expected = (
                {pk for pk in all_ids if row_allowed(model.objects.get(pk=pk), prefixes, stations)}
                if len(all_ids) < 200
                else None
            )
            for pk in seen:
                assert row_allowed(model.objects.get(pk=pk), prefixes, stations), (
                    f"{user.username} sees {model.__name__} {pk} via {route}"
                )
            if expected is not None:
                assert seen == expected, f"{user.username} on {route}"
            # A row outside the reach is 404 on the detail route.
            outside = next((pk for pk in sorted(all_ids - seen)), None)
            if outside is not None:
                detail = reverse(route.replace("-list", "-detail"), args=[outside])
                assert client.get(detail).status_code == 404, (user.username, detail)


def test_every_admin_changelist_respects_each_roles_reach(demo, client):
    scoped_admins = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if hasattr(model, "scope_area_path")
    ]
    assert len(scoped_admins) >= 4
    for user in demo_users():
        client.force_login(user)
        for model, model_admin in scoped_admins:
            prefixes, stations = expected_reach(user, model_admin.read_purpose == "party")
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/?all="
            response = client.get(url)
            if response.status_code == 403:
                continue  # no module access at all: nothing leaks
            assert response.status_code == 200, (user.username, url, response.status_code)
            pks = re.findall(r'name="_selected_action" value="(\d+)"', response.content.decode())
            for pk in pks:
                assert row_allowed(model.objects.get(pk=pk), prefixes, stations), (
                    f"{user.username} sees {model.__name__} {pk} in the admin"
                )


def test_outsider_with_no_grant_sees_nothing_anywhere(demo):
    from areas.tests.factories import UserFactory

    outsider = UserFactory(username="outsider")
    client = APIClient()
    client.force_authenticate(outsider)
    from django.urls import reverse

    for route in api_routes():
        assert client.get(reverse(route)).json()["count"] == 0
    assert PUBLIC_ROUTES  # documented exception: the public nearby search
