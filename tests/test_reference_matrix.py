"""Every way to name a tenant row offers only rows within the user's reach — walked over
every API route's serializer and FilterSet and every admin's form fields and list filters,
as every demo role, on the demo network (areas.references).

The reach is computed from the grants themselves (tests/test_isolation_matrix.py), not by
asking areas.access, so a hook that forgot the choke point shows up here."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import get_resolver, resolve, reverse
from rest_framework import serializers
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from areas.references import ScopedFilterBackend
from members.models import Worker
from stations.models import Station

from .test_isolation_matrix import demo_users, expected_reach, row_allowed

pytestmark = pytest.mark.django_db


def allowed(model, pks, user) -> list:
    """The offered rows that the user's grants do not reach (should be none)."""
    User = get_user_model()
    if model is User:
        prefixes, _stations = expected_reach(user)
        return [
            pk
            for pk in pks
            if not any(
                grant.area.code.startswith(p)
                for grant in User.objects.get(pk=pk).grants.select_related("area")
                for p in prefixes
            )
        ]
    if not hasattr(model, "scope_area_path"):
        return []
    party = getattr(model, "scope_read_purpose", "read") == "party"
    prefixes, stations = expected_reach(user, party)
    return [pk for pk in pks if not row_allowed(model.objects.get(pk=pk), prefixes, stations)]


def routed_viewsets():
    for name in get_resolver().reverse_dict:
        if isinstance(name, str) and name.endswith("-list"):
            url = reverse(name)
            if url.startswith("/api/v1/"):
                yield name, url, resolve(url).func.cls


def related_fields(serializer):
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.RelatedField) and not field.read_only:
            yield name, field


def test_every_api_reference_and_filter_option_is_within_reach(demo):
    checked = 0
    for user in demo_users():
        for route, url, view_cls in routed_viewsets():
            request = APIRequestFactory().post(url)
            force_authenticate(request, user)
            for action in ("create", "list"):
                view = view_cls(action=action, action_map={}, format_kwarg=None, kwargs={})
                view.request = view.initialize_request(request)
                view.request.user = user
                try:
                    serializer = view.get_serializer()
                except (AssertionError, TypeError):
                    continue  # a read-only route without a serializer for this action
                for name, field in related_fields(serializer):
                    rows = list(field.get_queryset().values_list("pk", flat=True)[:500])
                    wrong = allowed(field.get_queryset().model, rows, user)
                    assert not wrong, f"{user} may name {wrong} in {route}.{name}"
                    checked += 1
            view = view_cls(action="list", action_map={}, format_kwarg=None, kwargs={})
            view.request = view.initialize_request(request)
            view.request.user = user
            if getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None):
                filterset = ScopedFilterBackend().get_filterset(
                    view.request, view.get_queryset(), view
                )
                for name, field in filterset.form.fields.items():
                    if isinstance(field, ModelChoiceField):
                        pks = list(field.queryset.values_list("pk", flat=True)[:500])
                        wrong = allowed(field.queryset.model, pks, user)
                        assert not wrong, f"{user} is offered {wrong} by {route}?{name}"
                        checked += 1
    assert checked > 20


def test_every_admin_choice_and_list_filter_option_is_within_reach(demo):
    checked = 0
    for user in demo_users():
        if not user.is_staff:
            continue
        request = RequestFactory().get("/admin/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_module_permission(request):
                continue
            if model_admin.has_add_permission(request):
                form = model_admin.get_form(request)
                for name, field in form.base_fields.items():
                    if isinstance(field, ModelChoiceField):
                        pks = list(field.queryset.values_list("pk", flat=True)[:500])
                        wrong = allowed(field.queryset.model, pks, user)
                        assert not wrong, f"{user} is offered {wrong} in {model.__name__}.{name}"
                        checked += 1
            changelist = model_admin.get_changelist_instance(request)
            for spec in changelist.filter_specs:
                related = getattr(getattr(spec, "field", None), "related_model", None)
                if related is None or not hasattr(spec, "lookup_choices"):
                    continue
                pks = [pk for pk, _label in spec.lookup_choices]
                wrong = allowed(related, pks, user)
                assert not wrong, f"{user} is offered {wrong} by {model.__name__}'s filter"
                checked += 1
    assert checked > 20


def test_naming_another_districts_row_is_naming_no_row(demo):
    """The same answer for a row out of reach as for a row that does not exist: no oracle."""
    user = get_user_model().objects.get(username="district_zhifu")
    client = APIClient()
    client.force_authenticate(user)
    xifeng = Station.objects.filter(area__code__startswith="621002").first()
    missing = Station.objects.order_by("-pk").first().pk + 1000
    worker = Worker.objects.filter(area__code__startswith="621002").first()
    nobody = Worker.objects.order_by("-pk").first().pk + 1000
    by_filter = [client.get(f"/api/v1/sign-ups/?worker={pk}") for pk in (worker.pk, nobody)]
    assert [r.status_code for r in by_filter] == [400, 400]
    assert by_filter[0].json().keys() == by_filter[1].json().keys()
    by_body = [
        client.post("/api/v1/check-ins/", {"station": pk, "visitors": 2}, format="json")
        for pk in (xifeng.pk, missing)
    ]
    assert [r.status_code for r in by_body] == [400, 400]
    assert [sorted(r.json()) for r in by_body][0] == [sorted(r.json()) for r in by_body][1]
    # Areas too: another district's community is no community.
    stations = [
        client.post("/api/v1/stations/", {"name": "新站", "area": code}, format="json")
        for code in (xifeng.area.code, "621002999999")
    ]
    assert [r.status_code for r in stations] == [400, 400]
    said = [r.json()["area"][0] for r in stations]
    assert said[0].replace(xifeng.area.code, "?") == said[1].replace("621002999999", "?")
