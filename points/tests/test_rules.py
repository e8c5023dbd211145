"""An attendance rule names an activity type that activities registered (points.rules):
the admin and the API offer those, and the service refuses any other."""

import pytest

from core.exceptions import ApplicationError
from core.testing import client_for
from points import rules, services
from points.models import PointsRule

pytestmark = pytest.mark.django_db


def test_the_activity_types_are_the_ones_activities_registered():
    assert rules.is_activity_kind("training")
    assert not rules.is_activity_kind("sauna")
    assert rules.activity_kind_label("sauna") == "sauna"


def test_the_service_refuses_a_type_nobody_registered(trio):
    rule = PointsRule(
        area=trio.tree.a["district"], event="attendance", activity_kind="sauna", points=5
    )
    with pytest.raises(ApplicationError) as refused:
        services.points_rule_save(actor=trio.staff_a, rule=rule)
    assert "sauna" in str(refused.value.fields["activity_kind"])
    assert not PointsRule.objects.exists()


def test_the_api_refuses_a_type_nobody_registered(trio):
    rule = {
        "area": trio.tree.a["district"].pk,
        "event": "attendance",
        "activity_kind": "sauna",
        "points": 5,
    }
    refused = client_for(trio.staff_a).post("/api/v1/points-rules/", rule, format="json")
    assert refused.status_code == 400 and "activity_kind" in refused.json()
    assert not PointsRule.objects.exists()


def test_the_admin_offers_the_registered_types(client, trio):
    client.force_login(trio.staff_a)
    form = client.get("/admin/points/pointsrule/add/").content.decode()
    assert 'value="training"' in form and "培训" in form
    added = client.post(
        "/admin/points/pointsrule/add/",
        {
            "area": trio.tree.a["district"].pk,
            "event": "attendance",
            "activity_kind": "training",
            "points": 5,
        },
    )
    assert added.status_code == 302
    listing = client.get("/admin/points/pointsrule/").content.decode()
    assert "培训" in listing
