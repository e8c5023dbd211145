"""The facts the apps describe (core.facts), as reports/ discovers them: every app with
figures has them, each computes from raw rows on the demo network, their breakdowns add up,
a parent area's additive figure is its children's sum, and each fact is placed and read as
its model is scoped. Each ratio divides two facts of its app read with its purpose; the
hour-of-day and each-service breakdowns count as a dashboard reader expects."""

import datetime as dt
from types import ModuleType

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from areas.models import Area
from areas.tests.factories import UserFactory
from core.facts import Fact, Measure
from members.models import ContactLog, ContactPair
from members.services import contact_pairs_mark_uncontacted
from members.tests.factories import WorkerFactory
from party.models import ManagementAssignment
from party.tests.factories import PartyMemberFactory, PartyOrgFactory
from reports import facts as registry
from stations.models import CheckIn
from stations.tests.factories import StationFactory

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
        # Counted where the model's rows are scoped, or where the model says its figures
        # belong (a registration: the community it was made with, after a transfer too).
        placed = (model.scope_area_path, *getattr(model, "figures_area_paths", ()))
        assert fact.area_path in placed, fact.key
        assert fact.purpose == getattr(model, "scope_read_purpose", "read"), fact.key
        if fact.measure != Measure.COUNT:
            assert fact.over, fact.key


def _lookup_keys(q: Q):
    for child in q.children:
        if isinstance(child, Q):
            yield from _lookup_keys(child)
        else:
            yield child[0]


def _own_column(model, path: str) -> bool:
    """`path` names a column of the model's own table, perhaps with one lookup after it
    ("invitation__isnull"), never a join ("worker__area")."""
    name, *lookups = path.split("__")
    field = model._meta.get_field(name)
    if not field.concrete or field.many_to_many:
        return False
    return len(lookups) <= 1 and all(field.get_lookup(lookup) for lookup in lookups)


def _field_names(expression) -> list[str]:
    return [e.name for e in expression.flatten() if isinstance(e, F)]


def test_a_fact_reads_only_its_own_rows_columns():
    """The rollups' triggers watch a fact's own table (and the path to its area): a where
    clause, date, measured field or breakdown on a related table's column would go stale
    when that table changes."""
    for fact in registry.all_facts():
        model = fact.model_class
        for path in _lookup_keys(fact.where):
            assert _own_column(model, path), (fact.key, path)
        for path in filter(None, [fact.date_field, fact.over]):
            names = [path] if isinstance(path, str) else _field_names(path)
            assert names, fact.key
            for name in names:
                assert "__" not in name and _own_column(model, name), (fact.key, name)
        if isinstance(fact.breakdown, str):
            names = [fact.breakdown] if fact.breakdown else []
        else:
            names = _field_names(fact.breakdown)
            assert names, fact.key
        for name in names:
            assert "__" not in name and _own_column(model, name), (fact.key, name)


def test_each_ratio_divides_two_facts_of_its_app_read_with_its_purpose():
    ratios = registry.all_ratios()
    assert {"stations.far_away_share", "members.contacted_this_month_share", "party.coverage"} <= {
        ratio.key for ratio in ratios
    }
    for ratio in ratios:
        app = ratio.key.split(".")[0]
        for key in (ratio.numerator, ratio.denominator):
            part = registry.fact(key)
            assert key.split(".")[0] == app, ratio.key
            # A party ratio is read only by whoever may read both of its facts.
            assert part.purpose == ratio.purpose, ratio.key


def test_every_fact_computes_and_its_breakdown_adds_up(demo):
    district = Area.objects.get(code="621002000000")  # Xifeng
    today = timezone.localdate()
    since, until = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
    nonzero = 0
    for fact in registry.all_facts():
        value = fact.value(area=district, since=since, until=until)
        nonzero += bool(value)
        if fact.breakdown and fact.additive and not fact.breakdown_each:
            parts = fact.broken_down(area=district, since=since, until=until)
            assert sum(parts.values()) == value, fact.key
        if fact.breakdown_each:
            # A row counts under each of its values: no part exceeds the total, and the
            # parts need not add up to it (one visit, several services; or none).
            parts = fact.broken_down(area=district, since=since, until=until)
            assert set(parts) <= set(fact.breakdown_choices()), fact.key
            assert all(0 < part <= value for part in parts.values()), fact.key
    assert nonzero >= 10  # the demo network has figures, not zeros everywhere


def test_the_demo_network_shows_hours_services_and_every_ratio(demo):
    district = Area.objects.get(code="621002000000")  # Xifeng
    by_hour = registry.fact("stations.visits_by_hour").broken_down(area=district)
    assert by_hour and set(by_hour) <= {str(hour) for hour in range(24)}
    services = registry.fact("stations.services_used").broken_down(area=district)
    assert services and set(services) <= set(CheckIn.Service.values)
    for ratio in registry.all_ratios():
        numerator = registry.fact(ratio.numerator).value(area=district)
        denominator = registry.fact(ratio.denominator).value(area=district)
        shown = ratio.of(numerator, denominator)
        assert (shown is None) == (not denominator), ratio.key
        if ratio.percent:  # a share: its rows are among the denominator's
            assert shown is None or 0 <= shown <= 100, ratio.key


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


def _ratio(key: str):
    return next(ratio for ratio in registry.all_ratios() if ratio.key == key)


@pytest.fixture
def xifeng_station(tree):
    return StationFactory(area=tree.a["community"])


def _check_in(station, *, at, worker=None, visitors=1, services=(), distance_m=None):
    return CheckIn.objects.create(
        station=station,
        worker=worker,
        visitors=visitors,
        at=at,
        services=list(services),
        distance_m=distance_m,
        far_away=distance_m is not None and distance_m > 1000,
        source=CheckIn.Source.PHONE if worker else CheckIn.Source.KEEPER,
    )


def test_visits_by_hour_are_on_the_local_clock(tree, xifeng_station):
    utc = dt.UTC
    _check_in(xifeng_station, at=dt.datetime(2026, 3, 2, 0, 30, tzinfo=utc), visitors=5)
    _check_in(xifeng_station, at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=utc), visitors=2)
    _check_in(xifeng_station, at=dt.datetime(2026, 3, 2, 13, 0, tzinfo=utc), visitors=4)
    by_hour = registry.fact("stations.visits_by_hour")
    district = tree.a["district"]
    # 00:30 and 23:30 (the day before) in UTC are 08:30 and 07:30 in Qingyang, the same
    # local day; 13:00 UTC is 21:00.
    assert by_hour.broken_down(area=district) == {"8": 5, "7": 2, "21": 4}
    local_day = dt.date(2026, 3, 2)
    assert by_hour.value(area=district, since=local_day, until=local_day + dt.timedelta(1)) == 11


def test_services_used_count_each_service_of_a_visit_with_its_visitors(tree, xifeng_station):
    at = timezone.now()
    worker = WorkerFactory(area=tree.a["community"])
    _check_in(xifeng_station, at=at, visitors=3, services=["water", "meal"])  # a keeper's count
    _check_in(xifeng_station, at=at, worker=worker, services=["water"])
    _check_in(xifeng_station, at=at, visitors=2)  # no service ticked
    district = tree.a["district"]
    services = registry.fact("stations.services_used")
    assert services.value(area=district) == 6
    assert services.broken_down(area=district) == {"water": 4, "meal": 3}
    # Visits split into named and anonymous visitors, and the two add up.
    named = registry.fact("stations.named_visits").value(area=district)
    anonymous = registry.fact("stations.anonymous_visits").value(area=district)
    assert (named, anonymous) == (1, 5)
    assert named + anonymous == registry.fact("stations.visits").value(area=district)
    assert services.value(area=tree.b["district"]) == 0


def test_far_away_share_is_of_check_ins_not_visitors(tree, xifeng_station):
    at = timezone.now()
    _check_in(
        xifeng_station, at=at, worker=WorkerFactory(area=tree.a["community"]), distance_m=1500
    )
    _check_in(xifeng_station, at=at, worker=WorkerFactory(area=tree.a["community"]), distance_m=200)
    _check_in(xifeng_station, at=at, visitors=40)  # a keeper's count: one check-in
    _check_in(xifeng_station, at=at, visitors=10)
    share = _ratio("stations.far_away_share")
    district = tree.a["district"]
    far = registry.fact(share.numerator).value(area=district)
    check_ins = registry.fact(share.denominator).value(area=district)
    assert (far, check_ins) == (1, 4)
    assert share.of(far, check_ins) == 25.0


def test_three_management_coverage_counts_members_under_fallback_management(tree):
    community = tree.a["community"]
    org = PartyOrgFactory(area=community, kind="committee")
    covered, uncovered, moved_on = (PartyMemberFactory(worker__area=community) for _ in range(3))
    today = timezone.localdate()
    Kind = ManagementAssignment.Kind
    ManagementAssignment.objects.create(
        member=covered, org=org, kind=Kind.FALLBACK, started_on=today
    )
    ManagementAssignment.objects.create(
        member=uncovered, org=org, kind=Kind.DIRECT, started_on=today
    )
    ManagementAssignment.objects.create(
        member=moved_on,
        org=org,
        kind=Kind.FALLBACK,
        started_on=today,
        ended_on=today,
        end_reason="moved to another community",
    )
    coverage = _ratio("party.coverage")
    district = tree.a["district"]
    managed = registry.fact(coverage.numerator).value(area=district)
    members = registry.fact(coverage.denominator).value(area=district)
    assert (managed, members) == (1, 3)
    assert coverage.of(managed, members) == 33.3
    assert coverage.purpose == registry.fact("party.members").purpose == "party"


def test_contacted_this_month_follows_the_monthly_contact_job(tree):
    community, staff = tree.a["community"], UserFactory()
    today = timezone.localdate()
    pairs = [
        ContactPair.objects.create(
            worker=WorkerFactory(area=community), staff=staff, started_on=today.replace(day=1)
        )
        for _ in range(4)
    ]
    ContactLog.objects.create(pair=pairs[0], kind="phone", on=today, recorded_by=staff)
    contact_pairs_mark_uncontacted(today=today)
    share = _ratio("members.contacted_this_month_share")
    district = tree.a["district"]
    contacted = registry.fact(share.numerator).value(area=district)
    active = registry.fact(share.denominator).value(area=district)
    assert (contacted, active) == (1, 4)
    assert share.of(contacted, active) == 25.0
