"""Searching by personal data (issue 12 §1): every admin changelist and every API route,
walked from the registries, as every demo account (none may unmask), searched by part of a
worker's name and part of their phone number. A row may come back only because its
worker's whole name or phone was typed — never because part of one matched — so the masked
张* and 138****1234 on the screen cannot be recovered by guessing.

The rows' workers are found by following relations from each model (any path to
members.Worker), so a new app's admin or route that searches worker__name is covered."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from rest_framework.filters import SearchFilter
from rest_framework.test import APIClient

from areas import references
from members.models import Worker

from .test_isolation_matrix import demo_users
from .test_reference_matrix import routed_viewsets

pytestmark = pytest.mark.django_db


def worker_paths(model, depth=3, prefix="") -> list[str]:
    """Every forward relation path from `model` to a Worker ("" for a Worker itself)."""
    if model is Worker:
        return [prefix.rstrip("_")]
    if depth == 0:
        return []
    paths = []
    for field in model._meta.get_fields():
        if field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete:
            paths += worker_paths(field.related_model, depth - 1, f"{prefix}{field.name}__")
    return paths


def workers_of(model, pks, paths) -> list[Worker]:
    ids = set()
    for path in paths:
        column = f"{path}__pk" if path else "pk"
        ids |= set(model.objects.filter(pk__in=pks).values_list(column, flat=True))
    return list(Worker.objects.filter(pk__in=ids - {None}))


def partial_terms(worker: Worker) -> list[str]:
    """Part of the name (all but the surname) and seven middle digits of the phone."""
    terms = [worker.phone[3:10]]
    if len(worker.name) >= 2:
        terms.append(worker.name[1:])
    return terms


def recovered(found: list[Worker], term: str) -> list[str]:
    """Workers found because part of their name or phone matched."""
    return [
        str(w)
        for w in found
        if (term in w.name and w.name != term) or (term in w.phone and w.phone != term)
    ]


def searchable_admins():
    for model, model_admin in admin.site._registry.items():
        # No search fields: the changelist has no search box and ignores ?q=.
        if model_admin.search_fields and worker_paths(model):
            yield model, model_admin


def test_no_admin_search_recovers_a_name_or_phone_from_a_part(demo, client):
    searched = 0
    for user in demo_users():
        if not user.is_staff:
            continue
        client.force_login(user)
        for model, _model_admin in searchable_admins():
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            page = client.get(url)
            if page.status_code != 200:
                continue
            shown = re.findall(r'name="_selected_action" value="(\d+)"', page.content.decode())
            paths = worker_paths(model)
            sample = workers_of(model, shown[:20], paths)[:1]
            for worker in sample:
                for term in partial_terms(worker):
                    body = client.get(url, {"q": term}).content.decode()
                    pks = re.findall(r'name="_selected_action" value="(\d+)"', body)
                    leaked = recovered(workers_of(model, pks, paths), term)
                    assert not leaked, f"{user} found {leaked} by “{term}” in {url}"
                    searched += 1
    assert searched > 20


def test_a_whole_name_or_phone_still_finds_the_person(demo, client):
    """The control: each admin that searches by a worker's data (the worker list, points,
    party members) finds a worker by the whole phone number — the searches above are
    answered, not refused by the rate limit nor emptied by the rule."""
    checked = set()
    users = [u for u in demo_users() if u.is_staff]
    for model, model_admin in searchable_admins():
        _plain, personal = references.split_search_fields(model, model_admin.search_fields)
        if not personal and model is not Worker:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths = worker_paths(model)
        for user in users:
            client.force_login(user)
            page = client.get(url)
            shown = re.findall(r'name="_selected_action" value="(\d+)"', page.content.decode())
            sample = workers_of(model, shown[:5], paths)[:1]
            if page.status_code != 200 or not sample:
                continue
            body = client.get(url, {"q": sample[0].phone}).content.decode()
            pks = re.findall(r'name="_selected_action" value="(\d+)"', body)
            assert sample[0] in workers_of(model, pks, paths), (user, url)
            checked.add(model)
            break
    assert len(checked) >= 2, checked


def test_no_api_search_recovers_a_name_or_phone_from_a_part(demo):
    """Every text filter of every API route (?q=, ?search=, any CharFilter)."""
    searched = 0
    for username in ("district_xifeng", "viewer_xifeng", "street_qishan", "keeper_beidajie"):
        user = get_user_model().objects.get(username=username)
        client = APIClient()
        client.force_authenticate(user)
        for _route, url, view_cls in routed_viewsets():
            queryset = view_cls.base_queryset
            model = (queryset if hasattr(queryset, "model") else queryset(user=None)).model
            paths = worker_paths(model)
            filterset_class = getattr(view_cls, "filterset_class", None)
            if not paths or filterset_class is None:
                continue
            params = [
                name
                for name, filter_ in filterset_class.base_filters.items()
                if type(filter_).__name__ == "CharFilter"
            ]
            if any(issubclass(b, SearchFilter) for b in view_cls.filter_backends):
                params.append(SearchFilter.search_param)
            listed = client.get(url, {"limit": 20}).json().get("results", [])
            sample = workers_of(model, [row["id"] for row in listed], paths)[:1]
            for worker in sample:
                for term in partial_terms(worker):
                    for param in params:
                        answer = client.get(url, {param: term, "limit": 500})
                        assert answer.status_code in (200, 400), (url, param, answer.status_code)
                        pks = [row["id"] for row in answer.json().get("results", [])]
                        leaked = recovered(workers_of(model, pks, paths), term)
                        assert not leaked, f"{username} found {leaked} by {url}?{param}={term}"
                        searched += 1
    assert searched > 10
