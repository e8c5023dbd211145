"""One API write path (issue 11, item 4): every routed viewset of the platform apps writes
through the service bases in areas/api/base.py — input serializer → service(actor=…) →
output serializer — never through DRF's serializer.save() or a hand-written create/update.

The router is walked as the isolation matrix walks it, so a new viewset cannot slip past.
"""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.viewsets import ModelViewSet

from areas.api import base
from points.models import PointsRule

# What the service bases provide and a viewset inherits, never defines itself.
WRITE_VERBS = ("create", "update", "partial_update", "destroy")
HOOKS = ("perform_create", "perform_update", "perform_destroy")


def platform_apps() -> set[str]:
    return {app for layer in settings.PLATFORM_APP_LAYERS for app in layer}


def routed_viewsets(patterns=None) -> dict[type, set[str]]:
    """Every viewset the URLconf routes, with the actions its routes map to."""
    found: dict[type, set[str]] = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            for cls, actions in routed_viewsets(pattern.url_patterns).items():
                found.setdefault(cls, set()).update(actions)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            if getattr(callback, "actions", None) and hasattr(callback, "cls"):
                found.setdefault(callback.cls, set()).update(callback.actions.values())
    return found


def dotted(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def owner(cls, name):
    """The class in cls's MRO that defines `name` (None when nothing does)."""
    return next((klass for klass in cls.__mro__ if name in vars(klass)), None)


def off_the_write_path(cls, actions) -> list[str]:
    """What keeps a viewset off the one write path (empty when it is on it)."""
    problems = []
    for name in WRITE_VERBS + HOOKS:
        klass = owner(cls, name)
        if klass is not None and klass.__module__.split(".")[0] in platform_apps():
            if klass.__module__ != base.__name__:
                problems.append(f"{dotted(klass)} defines {name}")
    for name in sorted(set(actions) & set(WRITE_VERBS)):
        klass = owner(cls, name)
        if klass.__module__ != base.__name__:
            problems.append(f"{name} is routed to {dotted(klass)}.{name}, not a service base's")
    return problems


def platform_viewsets() -> dict[type, set[str]]:
    return {
        cls: actions
        for cls, actions in routed_viewsets().items()
        if cls.__module__.split(".")[0] in platform_apps()
    }


def test_every_writing_viewset_uses_the_service_write_base():
    viewsets = platform_viewsets()
    assert {
        "stations.api.views.StationViewSet",
        "points.api.views.PointsRuleViewSet",
        "members.api.views.WorkerViewSet",
        "party.api.views.PartyMemberViewSet",
    } <= {dotted(cls) for cls in viewsets}
    offending = {
        dotted(cls): problems
        for cls, actions in viewsets.items()
        if (problems := off_the_write_path(cls, actions))
    }
    assert not offending, (
        "Write through areas.api.base (create_service / update_service / run_service), "
        f"not by hand: {offending}"
    )


def test_the_check_catches_a_hand_written_create_a_hook_and_drfs_own_save():
    from points.api.views import PointsRuleViewSet

    class HandWritten(PointsRuleViewSet):
        def create(self, request, *args, **kwargs):
            raise AssertionError

    class Hooked(base.ScopedViewSetMixin, ModelViewSet):
        def perform_update(self, serializer):
            raise AssertionError

    HandWritten.__module__ = Hooked.__module__ = "points.api.views"
    problems = off_the_write_path(HandWritten, {"create"})
    assert [p.rsplit(".", 1)[-1] for p in problems] == [
        "HandWritten defines create",
        "create, not a service base's",
    ]
    problems = off_the_write_path(Hooked, {"create", "update"})
    assert any(p.endswith("Hooked defines perform_update") for p in problems)
    assert any(p.startswith("create is routed to rest_framework.mixins.") for p in problems)
    assert off_the_write_path(PointsRuleViewSet, {"create", "update", "partial_update"}) == []


# The base itself, through one real viewset: the points rules (a service that saves an
# instance, through the create_service / update_service adapters), and the points ledger
# for a repeated request.

Event = PointsRule.Event


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def rule(trio):
    return PointsRule.objects.create(
        area=trio.tree.a["district"], event=Event.VOLUNTEER_HOUR, points=2
    )


@pytest.mark.django_db
def test_create_calls_the_service_and_answers_201_with_the_output(trio):
    district = trio.tree.a["district"]
    response = client_for(trio.staff_a).post(
        "/api/v1/points-rules/",
        {"area": district.pk, "event": Event.VOLUNTEER_HOUR, "points": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    rule = PointsRule.objects.get()
    assert response.json() == {
        "id": rule.pk,
        "area": district.pk,
        "event": "volunteer_hour",
        "activity_kind": "",
        "points": 3,
    }


@pytest.mark.django_db
def test_a_refusal_of_the_service_is_400_by_field_and_nothing_is_saved(trio):
    community = trio.tree.a["community"]  # rules are set for a district, not a community
    response = client_for(trio.staff_a).post(
        "/api/v1/points-rules/",
        {"area": community.pk, "event": Event.VOLUNTEER_HOUR, "points": 3},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["area"] == [body["detail"]]
    assert not PointsRule.objects.exists()


@pytest.mark.django_db
def test_an_update_refused_by_the_service_changes_nothing(trio, rule):
    response = client_for(trio.staff_a).patch(
        f"/api/v1/points-rules/{rule.pk}/",
        {"area": trio.tree.a["community"].pk, "points": 9},
        format="json",
    )
    assert response.status_code == 400 and "area" in response.json()
    rule.refresh_from_db()
    assert (rule.area, rule.points) == (trio.tree.a["district"], 2)


@pytest.mark.django_db
def test_an_update_goes_through_the_service_and_answers_200(trio, rule):
    response = client_for(trio.staff_a).patch(
        f"/api/v1/points-rules/{rule.pk}/", {"points": 5}, format="json"
    )
    assert response.status_code == 200 and response.json()["points"] == 5
    rule.refresh_from_db()
    assert rule.points == 5


@pytest.mark.django_db
def test_invalid_input_is_400_before_any_service_call(trio):
    response = client_for(trio.staff_a).post(
        "/api/v1/points-rules/",
        {"area": trio.tree.a["district"].pk, "points": "many"},
        format="json",
    )
    assert response.status_code == 400 and {"event", "points"} <= set(response.json())
    assert not PointsRule.objects.exists()


@pytest.mark.django_db
def test_a_read_only_role_gets_403(trio, rule):
    response = client_for(trio.viewer_a).patch(
        f"/api/v1/points-rules/{rule.pk}/", {"points": 9}, format="json"
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.points == 2


@pytest.mark.django_db
def test_an_outsider_gets_404(trio, rule):
    from areas.tests.factories import UserFactory

    for user in (trio.staff_b, UserFactory(username="no_grant")):
        response = client_for(user).patch(
            f"/api/v1/points-rules/{rule.pk}/", {"points": 9}, format="json"
        )
        assert response.status_code == 404, user.username
    rule.refresh_from_db()
    assert rule.points == 2


@pytest.mark.django_db
def test_a_repeated_create_answers_200_with_the_same_row(trio, worker_a):
    body = {"worker": worker_a.pk, "points": 5, "reason": "纸质台账补录", "request_key": "k1"}
    first = client_for(trio.staff_a).post("/api/v1/points-ledger/", body, format="json")
    again = client_for(trio.staff_a).post("/api/v1/points-ledger/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
