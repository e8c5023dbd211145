"""Every way to name a tenant row offers only rows within the user's reach — walked over
every API route's serializer and FilterSet and every admin's form fields and list filters,
as every demo role, on the demo network (areas.references).

The reach is computed from the grants themselves (tests/test_isolation_matrix.py), not by
asking areas.access, so a hook that forgot the choke point shows up here."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
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


# The rest of issue 12 §1: inlines and change forms, every filter option by what it says,
# and FK filters as oracles. Walked over the admin registry and the API router, so a new
# app's admin or route is covered without being listed here.


def _staff_requests(usernames=None):
    users = [u for u in demo_users() if u.is_staff]
    if usernames:
        users = [u for u in users if u.username in usernames]
    for user in users:
        request = RequestFactory().get("/admin/")
        request.user = user
        request.session = SessionStore()
        yield user, request


def _assert_choices_within_reach(form_class, user, where) -> int:
    checked = 0
    for name, field in form_class.base_fields.items():
        if isinstance(field, ModelChoiceField):
            pks = list(field.queryset.values_list("pk", flat=True)[:500])
            wrong = allowed(field.queryset.model, pks, user)
            assert not wrong, f"{user} is offered {wrong[:10]} in {where}.{name}"
            checked += 1
    return checked


def test_every_admin_change_form_and_inline_choice_is_within_reach(demo):
    """The add form is walked above; here a record's own page (change form) and every
    inline under it (add and change), for a row each user may change."""
    checked = 0
    for user, request in _staff_requests():
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_module_permission(request):
                continue
            obj = next(
                (
                    row
                    for row in model_admin.get_queryset(request)[:20]
                    if model_admin.has_change_permission(request, row)
                ),
                None,
            )
            for target in {None, obj}:
                if target is None and not model_admin.has_add_permission(request):
                    continue
                if target is not None:
                    form = model_admin.get_form(request, target, change=True)
                    checked += _assert_choices_within_reach(form, user, model.__name__)
                for formset, inline in model_admin.get_formsets_with_inlines(request, target):
                    where = f"{model.__name__} inline {inline.model.__name__}"
                    checked += _assert_choices_within_reach(formset.form, user, where)
    assert checked > 20


def _foreign_labels(user) -> set[str]:
    """What the rows out of the user's reach are called (and no row in reach is), by every
    tenant model the admin shows, areas and staff accounts included."""
    models = {m for m in admin.site._registry if hasattr(m, "scope_area_path")}
    inside, outside = set(), set()
    for model in models:
        if model.objects.count() > 5000:
            continue  # the big record tables (check-ins, ledger entries) are never options
        party = getattr(model, "scope_read_purpose", "read") == "party"
        prefixes, stations = expected_reach(user, party)
        for row in model.objects.all():
            (inside if row_allowed(row, prefixes, stations) else outside).add(str(row).strip())
    User = get_user_model()
    reached = set(
        User.objects.filter(pk__in=_staff_named_by(user)).values_list("username", flat=True)
    )
    outside |= set(User.objects.values_list("username", flat=True)) - reached
    return outside - inside


def _staff_named_by(user) -> list[int]:
    prefixes, _stations = expected_reach(user)
    return [
        other.pk
        for other in get_user_model().objects.filter(is_active=True, is_superuser=False)
        if any(
            grant.area.code.startswith(p)
            for grant in other.grants.select_related("area")
            for p in prefixes
        )
    ]


def test_no_admin_filter_option_names_a_row_out_of_reach(demo):
    """Every option of every list filter of every ModelAdmin — related-row filters and the
    apps' own (SimpleListFilter) ones — judged by what it says: no option is named after a
    station, enterprise, campaign, party organisation, area or account the user does not
    reach. (Staff of a district, its read-only viewer, a keeper, a street.)"""
    checked = 0
    for user, request in _staff_requests(
        {"district_zhifu", "viewer_xifeng", "keeper_beidajie", "street_qishan"}
    ):
        foreign = _foreign_labels(user)
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_module_permission(request):
                continue
            changelist = model_admin.get_changelist_instance(request)
            for spec in changelist.filter_specs:
                for choice in spec.choices(changelist):
                    label = str(choice.get("display", "")).strip()
                    assert label not in foreign, (
                        f"{user} is offered “{label}” by {model.__name__}'s "
                        f"{getattr(spec, 'title', spec)} filter"
                    )
                    checked += 1
    assert checked > 100


def _out_of_reach_and_missing(model, user) -> tuple[int, int] | None:
    party = getattr(model, "scope_read_purpose", "read") == "party"
    prefixes, stations = expected_reach(user, party)
    if model is get_user_model():
        named = set(_staff_named_by(user))
        out = model.objects.exclude(pk__in=named).exclude(is_superuser=True).first()
    elif hasattr(model, "scope_area_path"):
        out = next(
            (row for row in model.objects.all()[:300] if not row_allowed(row, prefixes, stations)),
            None,
        )
    else:
        return None
    if out is None:
        return None
    return out.pk, (model.objects.order_by("-pk").first().pk + 10_000)


def test_an_admin_filter_naming_a_row_out_of_reach_answers_as_a_missing_row(demo, client):
    """?station__id__exact=<another district's station> and =<no station>: the same page
    (status, rows, no option selected), for every related-row filter of every admin."""
    checked = 0
    for user, request in _staff_requests({"district_zhifu", "keeper_beidajie"}):
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            if not model_admin.has_module_permission(request):
                continue
            changelist = model_admin.get_changelist_instance(request)
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            for spec in changelist.filter_specs:
                related = getattr(getattr(spec, "field", None), "related_model", None)
                kwarg = getattr(spec, "lookup_kwarg", None)
                if related is None or kwarg is None:
                    continue
                pair = _out_of_reach_and_missing(related, user)
                if pair is None:
                    continue
                answers = []
                for pk in pair:
                    response = client.get(url, {kwarg: pk})
                    body = response.content.decode() if response.status_code == 200 else ""
                    rows = re.findall(r'name="_selected_action" value="(\d+)"', body)
                    answers.append((response.status_code, len(rows)))
                assert answers[0] == answers[1], f"{user} {url}?{kwarg}: {answers}"
                checked += 1
    assert checked > 5


def _related_model_of(filterset_model, field_name):
    path = field_name.removesuffix("_id") if field_name.endswith("_id") else field_name
    try:
        field = get_fields_from_path(filterset_model, path)[-1]
    except Exception:
        return None
    return field.related_model if field.is_relation else None


def test_an_api_filter_naming_a_row_out_of_reach_answers_as_a_missing_row(demo):
    """Every filter of every API route that names a related row (?station=, ?worker=,
    ?campaign=…): a row of another district and a row that does not exist get the same
    status and the same words (issue 12 §1: "200 where a non-existent one answers 400")."""
    checked = 0
    for username in ("district_zhifu", "keeper_beidajie", "viewer_xifeng"):
        user = get_user_model().objects.get(username=username)
        client = APIClient()
        client.force_authenticate(user)
        for _route, url, view_cls in routed_viewsets():
            request = APIRequestFactory().get(url)
            force_authenticate(request, user)
            view = view_cls(action="list", action_map={}, format_kwarg=None, kwargs={})
            view.request = view.initialize_request(request)
            view.request.user = user
            filterset = ScopedFilterBackend().get_filterset(view.request, view.get_queryset(), view)
            if filterset is None:
                continue
            for name, filter_ in filterset.filters.items():
                related = _related_model_of(filterset._meta.model, filter_.field_name)
                if related is None:
                    continue
                pair = _out_of_reach_and_missing(related, user)
                if pair is None:
                    continue
                answers = [client.get(url, {name: pk}) for pk in pair]
                statuses = [a.status_code for a in answers]
                assert statuses[0] == statuses[1], f"{username} {url}?{name}=: {statuses}"
                if statuses[0] == 400:
                    said = [
                        a.content.decode().replace(str(pk), "?")
                        for a, pk in zip(answers, pair, strict=True)
                    ]
                    assert said[0] == said[1], f"{username} {url}?{name}=: {said}"
                checked += 1
    assert checked > 5
