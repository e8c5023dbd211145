"""The facts the apps describe (core.facts), as reports/ discovers them: every app with
figures has them, each computes from raw rows on the demo network, their breakdowns add up,
a parent area's additive figure is its children's sum, and each fact is placed and read as
its model is scoped."""

import datetime as dt
from types import ModuleType

import pytest
from django.core.management import call_command
from django.utils import timezone

from areas.models import Area
from core.facts import Fact, Measure
from reports import facts as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


def test_every_app_with_figures_describes_them():
    apps_with_facts = {fact.key.split(".")[0] for fact in registry.all_facts()}
    assert {"stations", "members", "party", "points", "activities"} <= apps_with_facts


def test_each_fact_is_placed_and_read_as_its_model_is_scoped():
    for fact in registry.all_facts():
        model = fact.model_class
        assert fact.key.split(".")[0] == model._meta.app_label, fact.key
        assert fact.area_path == model.scope_area_path, fact.key
        assert fact.purpose == getattr(model, "scope_read_purpose", "read"), fact.key
        if fact.measure != Measure.COUNT:
            assert fact.over, fact.key


def test_every_fact_computes_and_its_breakdown_adds_up(demo):
    district = Area.objects.get(code="621002000000")  # Xifeng
    today = timezone.localdate()
    since, until = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
    nonzero = 0
    for fact in registry.all_facts():
        value = fact.value(area=district, since=since, until=until)
        nonzero += bool(value)
        if fact.breakdown and fact.additive:
            parts = fact.broken_down(area=district, since=since, until=until)
            assert sum(parts.values()) == value, fact.key
    assert nonzero >= 10  # the demo network has figures, not zeros everywhere


def test_a_parent_is_the_sum_of_its_children_for_additive_facts(demo):
    city = Area.objects.get(code="621000000000")  # Qingyang
    districts = Area.objects.filter(parent=city)
    for fact in registry.all_facts():
        total = sum(fact.value(area=d) for d in districts)
        if fact.additive:
            assert fact.value(area=city) == total, fact.key
        else:
            assert fact.value(area=city) <= total, fact.key  # distinct: never summed


def test_a_state_fact_ignores_the_period_and_a_dated_one_follows_it(demo):
    stations = registry.fact("stations.stations")
    visits = registry.fact("stations.visits")
    long_ago = dt.date(2000, 1, 1)
    assert stations.value(since=long_ago, until=long_ago) == stations.value() > 0
    assert visits.value(since=long_ago, until=long_ago + dt.timedelta(days=1)) == 0


def test_a_fact_keyed_for_another_app_is_refused(monkeypatch):
    planted = ModuleType("stations.facts")
    planted.FACTS = [
        Fact(key="points.planted", label="x", model="stations.Station", area_path="area")
    ]
    monkeypatch.setitem(__import__("sys").modules, "stations.facts", planted)
    with pytest.raises(ValueError, match="starts with its app"):
        registry.discover()
