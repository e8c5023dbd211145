"""The rollup engine (issue 13 §1): whatever path writes a fact's rows — the ORM, raw SQL,
COPY, a bulk update, a merge, a moved station or a changed tree — the buckets, once the job
has run, equal what the raw rows say, at every level of the tree, for every period, with
distinct counts computed and never summed; running the job twice or after a crash changes
nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from areas.models import Area
from areas.tests.factories import AreaFactory, build_tree
from core.facts import raw_rows_purged
from members.models import Worker
from members.tests.factories import WorkerFactory
from reports import engine, services, triggers
from reports.facts import fact
from reports.models import Bucket, BucketRow, DirtyBucket, SealedPeriod
from reports.periods import KINDS, Period, PeriodKind
from stations.models import CheckIn, Station
from stations.tests.factories import StationFactory

pytestmark = pytest.mark.django_db

LOCAL = engine.LOCAL
VISITS = "stations.visits"
WORKERS = "stations.workers_checked_in"
CHECK_IN_FACTS = [VISITS, WORKERS, "stations.far_away_check_ins"]


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LOCAL)


def visit(station, worker=None, *, when, visitors=1, far=False) -> CheckIn:
    return CheckIn.objects.create(
        station=station,
        worker=worker,
        at=when,
        visitors=visitors,
        far_away=far,
        source=CheckIn.Source.KEEPER if worker is None else CheckIn.Source.PHONE,
    )


def bucket_value(key, node, kind, day, breakdown="") -> float:
    node_filter = {"station": node} if isinstance(node, Station) else {"area": node}
    found = Bucket.objects.filter(
        fact=key,
        period_kind=kind,
        period_start=Period.containing(kind, day).start,
        breakdown=breakdown,
        **node_filter,
    ).first()
    return float(found.value) if found else 0.0


def raw_value(key, node, kind, day) -> float:
    figure = fact(key)
    period = Period.containing(kind, day)
    if isinstance(node, Station):
        figure = services._for_station(figure, node.pk)
        node = None
    return float(figure.value(area=node, since=period.start, until=period.end))


def assert_matches_raw(keys, nodes, days):
    """Every node, every period holding one of `days`: the bucket is the raw figure."""
    for key in keys:
        for node in nodes:
            for day in days:
                for kind in KINDS:
                    assert bucket_value(key, node, kind, day) == raw_value(key, node, kind, day), (
                        key,
                        str(node),
                        kind,
                        day,
                    )


@pytest.fixture
def net(tree):
    a = tree.a
    s1 = StationFactory(area=a["community"])
    s2 = StationFactory(area=a["community2"])
    s3 = StationFactory(area=tree.b["community"])
    # A station placed on the city itself (no district): its rows count in the city's unit.
    s4 = StationFactory(area=tree.city)
    w1 = WorkerFactory(area=a["community"])
    w2 = WorkerFactory(area=a["community2"])
    return {
        "tree": tree,
        "stations": [s1, s2, s3, s4],
        "workers": [w1, w2],
        "nodes": [
            tree.province,
            tree.city,
            a["district"],
            a["street"],
            a["community"],
            a["community2"],
            tree.b["district"],
            tree.b["community"],
            s1,
            s2,
            s3,
            s4,
        ],
    }


DAY = dt.date(2026, 11, 30)  # a Monday; its week runs into December


def test_the_triggers_are_the_ones_the_facts_call_for():
    assert triggers.installed() == {(t.table, t.name) for t in triggers.wanted()}
    tables = {table for table, _name in triggers.installed()}
    assert {"stations_checkin", "stations_station", "members_worker", "areas_area"} <= tables
    # Each source trigger calls its own function (its plan kept per connection).
    assert triggers.trigger_functions() == {t.function for t in triggers.wanted() if t.function}


def test_sync_drops_a_marking_function_no_trigger_calls():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION reports_dirty_gone_insert() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RETURN NULL; END $$"
        )
    triggers.sync()
    assert "reports_dirty_gone_insert" not in triggers.trigger_functions()
    assert triggers.installed() == {(t.table, t.name) for t in triggers.wanted()}


def test_a_check_in_marks_its_finest_bucket_in_its_own_transaction(net):
    DirtyBucket.objects.all().delete()
    s1 = net["stations"][0]
    visit(s1, net["workers"][0], when=at(DAY, 23))  # 23:00 local is 15:00 UTC: same day
    marks = set(DirtyBucket.objects.values_list("source", "district_code", "area_id", "day"))
    assert ("stations.checkin", "621002", s1.area_id, DAY) in marks


def test_the_city_adds_up_its_days_once_its_districts_have_rolled_them_up(net):
    """The beat copies a new mark up before it sends the tasks, once. A city adds its
    additive days up from its districts' figures (and its own stations' raw rows), so it
    acts on a day only when every district holding that day has rolled it up; the
    province waits for the city the same way. Distinct counts still come from raw rows."""
    tree = net["tree"]
    engine.refresh_ancestry()  # what the beat's apply_tree_changes does first
    DirtyBucket.objects.all().delete()
    s1, s2, s3, s4 = net["stations"]
    visit(s1, net["workers"][0], when=at(DAY))
    visit(s3, net["workers"][0], when=at(DAY))
    visit(s4, when=at(DAY))  # placed on the city itself: its mark is the city's own

    copies = services.pass_marks_up()
    marks = list(DirtyBucket.objects.values_list("district_code", "area_id", "passed_up"))
    units = {code for code, _area, _passed in marks}
    assert units == {"621002", "621021", tree.city.prefix, tree.province.prefix}, units
    # Two districts' marks and the city's own, of the same source and day: one copy for
    # the city and one for the province.
    assert copies == 2
    assert all(passed for _code, _area, passed in marks)
    assert services.pass_marks_up() == 0  # nothing new: nothing copied twice
    everyone = services.units_with_marks()
    assert services.units_ready(everyone) == everyone  # people counted once: from raw rows

    # The city's task runs beside its districts': it counts its people once, and its sums
    # wait (its own station's mark and the copy).
    run = services.roll_up_unit(tree.city.prefix, slow=True)
    assert (run.marks, run.waiting) == (2, 2)
    assert bucket_value(WORKERS, tree.city, PeriodKind.DAY, DAY) == 1  # one worker, twice
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 0
    assert set(
        DirtyBucket.objects.filter(district_code=tree.city.prefix).values_list("source", flat=True)
    ) == {services.SUMS + "stations.checkin"}
    assert services.units_ready([tree.city.prefix]) == []
    run = services.roll_up_unit(tree.province.prefix, slow=True)  # the same for the province
    assert (run.marks, run.waiting) == (1, 1)
    services.roll_up_unit("621002", slow=True)
    assert services.units_ready(services.units_above("621002")) == []  # 621021 still to go
    services.roll_up_unit("621021", slow=True)
    assert services.units_above("621021") == [tree.city.prefix, tree.province.prefix]
    assert services.units_ready(services.units_above("621021")) == [tree.city.prefix]

    run = services.roll_up_unit(tree.city.prefix, slow=True)
    assert (run.marks, run.waiting) == (1, 0)  # the sums' mark
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 3
    assert bucket_value(VISITS, tree.city, PeriodKind.YEAR, DAY) >= 3
    assert services.units_ready(services.units_above(tree.city.prefix)) == [tree.province.prefix]
    services.roll_up_all()
    assert_matches_raw([VISITS, WORKERS], net["nodes"], [DAY])  # every kind of period
    assert not DirtyBucket.objects.exists()


def test_a_busy_district_does_not_hold_its_city_back(net):
    """Marks a district wrote after the last pass up are not waited for (they go up in
    their turn); a district rebuilding in full holds its city's days back."""
    tree = net["tree"]
    engine.refresh_ancestry()
    DirtyBucket.objects.all().delete()
    visit(net["stations"][0], when=at(DAY))
    services.pass_marks_up()
    services.roll_up_unit("621002", slow=True)
    visit(net["stations"][0], when=at(DAY))  # the next check-in, not passed up yet
    assert services.units_ready([tree.city.prefix]) == [tree.city.prefix]
    services.roll_up_unit(tree.city.prefix, slow=True)
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 1  # what was rolled up

    DirtyBucket.objects.create(
        source=services.EVERYTHING, district_code="621002", area_id=0, passed_up=True
    )
    services.pass_marks_up()
    run = services.roll_up_unit(tree.city.prefix, slow=True)
    assert run.waiting == 1  # the second check-in's sums wait for the district's rebuild
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 1
    assert services.units_ready([tree.city.prefix]) == []
    services.roll_up_all()
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 2
    assert not DirtyBucket.objects.exists()


def test_a_mark_taken_before_the_beat_passed_it_up_goes_up_from_the_run(net):
    """A mark committed after the beat passed marks up, and taken by the district's run,
    is copied up by that run: the city never misses it."""
    tree = net["tree"]
    engine.refresh_ancestry()
    DirtyBucket.objects.all().delete()
    visit(net["stations"][0], net["workers"][0], when=at(DAY))
    services.roll_up_unit("621002", slow=True)  # no pass_marks_up before it
    assert set(DirtyBucket.objects.values_list("district_code", flat=True)) == {
        tree.city.prefix,
        tree.province.prefix,
    }
    services.roll_up_all()
    assert bucket_value(VISITS, tree.province, PeriodKind.DAY, DAY) == 1


def test_a_mark_rolls_back_with_the_write(net):
    DirtyBucket.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        visit(net["stations"][0], when=at(DAY))
        raise RuntimeError
    assert not DirtyBucket.objects.exists()


def test_every_level_and_period_equals_the_raw_rows(net):
    s1, s2, s3, s4 = net["stations"]
    w1, w2 = net["workers"]
    days = [DAY, DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=40)]
    visit(s1, w1, when=at(days[0]))
    visit(s2, w1, when=at(days[0], 18))  # the same worker in a second community
    visit(s1, w2, when=at(days[1]), far=True)
    visit(s1, None, when=at(days[1]), visitors=5)
    visit(s3, w2, when=at(days[2]))  # another district
    visit(s4, None, when=at(days[0]), visitors=2)  # on the city itself
    services.roll_up_all()
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], days)
    street = net["tree"].a["street"]
    # Distinct workers are counted for the bucket, never summed from the communities.
    assert bucket_value(WORKERS, street, PeriodKind.DAY, DAY) == 1
    assert bucket_value(WORKERS, street, PeriodKind.WEEK, DAY) == 2
    assert bucket_value(VISITS, street, PeriodKind.WEEK, DAY) == 8
    assert bucket_value(VISITS, net["tree"].city, PeriodKind.DAY, DAY) == 4  # 2 + 2 on the city


def test_raw_sql_and_copy_are_marked_too(net):
    s1 = net["stations"][0]
    w1 = net["workers"][0]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO stations_checkin (station_id, worker_id, visitors, at, services, "
            "far_away, source, created_at) VALUES (%s, %s, 1, %s, '{}', false, 'phone', now())",
            [s1.pk, w1.pk, at(DAY)],
        )
        stamp = at(DAY, 9).isoformat()
        rows = f"{s1.pk}\t\\N\t3\t{stamp}\t{{}}\tf\tkeeper\t{stamp}\n"
        with cursor.cursor.copy(
            "COPY stations_checkin (station_id, worker_id, visitors, at, services, far_away, "
            "source, created_at) FROM STDIN"
        ) as copy:
            copy.write(rows)
    services.roll_up_all()
    assert bucket_value(VISITS, s1, PeriodKind.DAY, DAY) == 4
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY])


def test_updates_deletions_and_bulk_updates_replace_the_figures(net):
    s1, s2, _s3, _s4 = net["stations"]
    w1, w2 = net["workers"]
    first = visit(s1, w1, when=at(DAY))
    visit(s1, w2, when=at(DAY))
    services.roll_up_all()
    first.at = at(DAY - dt.timedelta(days=3))  # moved to another day (and week)
    first.save()
    CheckIn.objects.filter(worker=w2).update(station=s2)  # a bulk update
    services.roll_up_all()
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY, DAY - dt.timedelta(days=3)])
    CheckIn.objects.all().delete()
    services.roll_up_all()
    assert not Bucket.objects.filter(fact__in=CHECK_IN_FACTS).exclude(value=0).exists()


def test_a_station_moved_to_another_community_takes_its_history_along(net):
    s1 = net["stations"][0]
    visit(s1, net["workers"][0], when=at(DAY))
    services.roll_up_all()
    s1.area = net["tree"].b["community"]
    s1.save()
    services.roll_up_all()
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY])
    assert bucket_value(VISITS, net["tree"].b["district"], PeriodKind.DAY, DAY) == 1
    assert bucket_value(VISITS, net["tree"].a["district"], PeriodKind.DAY, DAY) == 0


def test_a_merge_moves_figures_to_the_kept_worker(net):
    from members.services import worker_merge

    s1 = net["stations"][0]
    kept, duplicate = net["workers"]
    visit(s1, kept, when=at(DAY, 9))
    visit(s1, duplicate, when=at(DAY, 15))
    services.roll_up_all()
    assert bucket_value(WORKERS, s1, PeriodKind.DAY, DAY) == 2
    staff = _district_staff(net)
    worker_merge(actor=staff, duplicate=duplicate, kept=kept)
    services.roll_up_all()
    assert bucket_value(WORKERS, s1, PeriodKind.DAY, DAY) == 1
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY])


def _district_staff(net):
    from areas.models import StaffGrant
    from areas.tests.factories import UserFactory, grant

    user = UserFactory(username="merger")
    grant(user, net["tree"].city, StaffGrant.Role.CITY_DEPARTMENT)
    return user


def test_running_twice_or_after_a_crash_changes_nothing(net):
    s1 = net["stations"][0]
    visit(s1, net["workers"][0], when=at(DAY))
    services.roll_up_all()
    before = set(
        Bucket.objects.values_list(
            "fact", "area", "station", "period_kind", "period_start", "breakdown", "value"
        )
    )
    services.roll_up_all()
    visit(s1, net["workers"][1], when=at(DAY))
    # A job that dies after computing: nothing it did is kept, its marks stay.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.roll_up_unit("621002")
        raise RuntimeError("the worker was killed")
    assert DirtyBucket.objects.filter(district_code="621002").exists()
    services.roll_up_all()
    after = set(
        Bucket.objects.values_list(
            "fact", "area", "station", "period_kind", "period_start", "breakdown", "value"
        )
    )
    assert after != before
    assert bucket_value(WORKERS, s1, PeriodKind.DAY, DAY) == 2
    services.roll_up_all()
    again = set(
        Bucket.objects.values_list(
            "fact", "area", "station", "period_kind", "period_start", "breakdown", "value"
        )
    )
    assert again == after
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY])


def eight_visits_over_four_months(net) -> None:
    stations = net["stations"]
    for n in range(8):
        visit(stations[n % 4], net["workers"][n % 2], when=at(DAY - dt.timedelta(days=17 * n)))


def test_a_rebuild_equals_the_incremental_figures(net):
    eight_visits_over_four_months(net)
    services.roll_up_all()
    incremental = set(
        Bucket.objects.values_list(
            "fact", "area", "station", "period_kind", "period_start", "breakdown", "value"
        )
    )
    BucketRow.objects.all().delete()
    out = io.StringIO()
    call_command("rollups", "rebuild", stdout=out)
    assert "Rebuilt" in out.getvalue()
    rebuilt = set(
        Bucket.objects.values_list(
            "fact", "area", "station", "period_kind", "period_start", "breakdown", "value"
        )
    )
    assert {b for b in rebuilt if b[0] in CHECK_IN_FACTS} == {
        b for b in incremental if b[0] in CHECK_IN_FACTS
    }


FIGURES = ("fact", "area", "station", "period_kind", "period_start", "breakdown", "value")


def test_a_rebuild_from_a_date_keeps_what_came_before_and_drops_what_is_gone(net):
    eight_visits_over_four_months(net)
    services.roll_up_all()
    incremental = set(Bucket.objects.values_list(*FIGURES))
    since = DAY - dt.timedelta(days=40)
    # Rows deleted and their marks lost (as after a restore): only a rebuild finds them gone.
    CheckIn.objects.filter(at__gte=at(DAY - dt.timedelta(days=20))).delete()
    DirtyBucket.objects.all().delete()
    call_command("rollups", "rebuild", "--since", since.isoformat(), stdout=io.StringIO())
    rebuilt = set(Bucket.objects.values_list(*FIGURES))

    def days_before(figures):
        return {b for b in figures if b[3] == "day" and b[4] < since}

    assert days_before(rebuilt) == days_before(incremental)
    # The periods holding `since` (this month, quarter, year) are read whole again.
    assert_matches_raw(CHECK_IN_FACTS, net["nodes"], [DAY, DAY - dt.timedelta(days=34)])


def test_time_to_approval_and_the_backlog_s_age_are_figures(net):
    community = net["tree"].a["community"]
    today = timezone.localdate()
    registered = timezone.now() - dt.timedelta(days=3)
    WorkerFactory(area=community, status=Worker.Status.PENDING)
    waiting = WorkerFactory(area=community, status=Worker.Status.PENDING)
    Worker.objects.filter(pk=waiting.pk).update(created_at=registered, registered_at=registered)
    approved = WorkerFactory(area=community, status=Worker.Status.APPROVED)
    Worker.objects.filter(pk=approved.pk).update(
        created_at=registered,
        registered_at=registered,
        approved_at=registered + dt.timedelta(hours=5, minutes=30),
    )
    services.roll_up_all()
    assert bucket_value("members.days_waiting", community, PeriodKind.DAY, today) == 3
    pending = Worker.objects.filter(area=community, status=Worker.Status.PENDING).count()
    assert bucket_value("members.waiting_for_review", community, PeriodKind.DAY, today) == pending
    approval_day = timezone.localtime(registered + dt.timedelta(hours=5, minutes=30)).date()
    for node in (community, net["tree"].city):
        assert (
            bucket_value("members.hours_to_approval", node, PeriodKind.MONTH, approval_day) == 5.5
        )
    checked, differences = services.verify(sample=10_000)
    assert checked and not differences


def test_visits_while_a_station_is_not_open_are_a_figure_of_their_own(net):
    """Issue 14 §2: a visit taken while the station was paused (or outside its hours) is
    counted on its own, as well as among the visits."""
    from stations import services as station_services

    station, worker = net["stations"][0], net["workers"][0]
    Station.objects.filter(pk=station.pk).update(status=Station.Status.TEMPORARILY_CLOSED)
    station_services.check_in(worker=worker, station=station)
    services.roll_up_all()
    today = timezone.localdate()
    community = net["tree"].a["community"]
    for node in (station, community):
        assert bucket_value("stations.visits_outside_hours", node, PeriodKind.DAY, today) == 1
        assert bucket_value("stations.visits", node, PeriodKind.DAY, today) == 1


def test_a_changed_tree_recounts_the_ancestors_and_keeps_the_area(net):
    tree = net["tree"]
    s1 = net["stations"][0]
    visit(s1, net["workers"][0], when=at(DAY))
    services.roll_up_all()
    # A new street in district A takes over community 甲 (its code follows it).
    street2 = AreaFactory(
        code="621002002000", name="新街道", level="street", parent=tree.a["district"]
    )
    community = tree.a["community"]
    Area.objects.filter(pk=community.pk).update(parent=street2, code="621002002001")
    services.roll_up_all()
    assert bucket_value(VISITS, street2, PeriodKind.DAY, DAY) == 1
    assert bucket_value(VISITS, tree.a["street"], PeriodKind.DAY, DAY) == 0
    assert bucket_value(VISITS, community, PeriodKind.DAY, DAY) == 1  # kept its history
    assert bucket_value(VISITS, tree.a["district"], PeriodKind.DAY, DAY) == 1


def test_sealed_periods_are_not_recomputed(net):
    s1 = net["stations"][0]
    old = DAY - dt.timedelta(days=400)
    visit(s1, net["workers"][0], when=at(old))
    services.roll_up_all()
    assert bucket_value(VISITS, s1, PeriodKind.DAY, old) == 1
    CheckIn.objects.filter(at__lt=at(DAY - dt.timedelta(days=200))).delete()
    raw_rows_purged.send(sender="stations.checkin", before=DAY - dt.timedelta(days=200))
    assert SealedPeriod.objects.filter(fact=VISITS).exists()
    services.roll_up_all()
    services.rebuild()
    assert bucket_value(VISITS, s1, PeriodKind.DAY, old) == 1  # kept as it was computed
    assert bucket_value(VISITS, s1, PeriodKind.YEAR, old) == 1


def test_state_facts_are_daily_snapshots_with_explicit_zeros(net):
    community = net["tree"].a["community"]
    today = timezone.localdate()
    WorkerFactory(area=community, status=Worker.Status.PENDING)
    waiting = Worker.objects.filter(area=community, status=Worker.Status.PENDING)
    services.roll_up_all()
    key = "members.waiting_for_review"
    assert bucket_value(key, community, PeriodKind.DAY, today) == waiting.count() >= 1
    # Yesterday's snapshot had some waiting; today none: today's snapshot says 0.
    BucketRow.objects.filter(part=key).update(period_start=today - dt.timedelta(days=1))
    waiting.update(status=Worker.Status.APPROVED)
    services.roll_up_all()
    zero = Bucket.objects.get(fact=key, area=community, period_start=today, breakdown="")
    assert zero.value == 0


def test_verify_finds_a_tampered_bucket(net):
    visit(net["stations"][0], net["workers"][0], when=at(DAY))
    services.roll_up_all()
    checked, differences = services.verify(sample=10_000)
    assert checked and not differences
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_bucketrow SET figures = jsonb_set(figures, %s, '99') "
            "WHERE period_kind = 'day' AND jsonb_exists(figures, %s)",
            [[VISITS], VISITS],
        )
    with pytest.raises(SystemExit):
        call_command("rollups", "verify", "--sample", "10000", stdout=io.StringIO())


def test_the_command_refuses_bad_input_in_words():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="division code"):
        call_command("rollups", "rebuild", "--area", "999999999999")
    with pytest.raises(CommandError, match="not a date"):
        call_command("rollups", "rebuild", "--since", "yesterday")


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "add", "add", "move_day", "delete", "move_station", "anon"]),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=12),
    ),
    min_size=1,
    max_size=12,
)


class TestRandomSequences(HypothesisTestCase):
    """Random creates, updates, deletions and moves, each followed (or not) by a job run:
    in the end every bucket of every level and period is the raw figure."""

    @classmethod
    def setUpTestData(cls):
        province = AreaFactory(code="620000000000", name="甘肃省", level="province", parent=None)
        city = AreaFactory(code="621000000000", name="庆阳市", level="city", parent=province)
        a = build_tree("621002", "西峰区", city)
        b = build_tree("621021", "庆城县", city)
        cls.stations = [
            StationFactory(area=a["community"]),
            StationFactory(area=a["community2"]),
            StationFactory(area=b["community"]),
            StationFactory(area=city),
        ]
        cls.workers = [WorkerFactory(area=a["community"]), WorkerFactory(area=b["community"])]
        cls.areas = [province, city, a["district"], a["street"], a["community"], b["district"]]

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(operations=OPERATIONS, run_between=st.booleans())
    # Found by this test once: a province recounted (and relabelled) a city's station.
    @example(operations=[("add", 20, 3), ("add", 0, 3)], run_between=True)
    def test_rollups_equal_the_raw_rows(self, operations, run_between):
        days = set()
        for op, n, m in operations:
            day = DAY - dt.timedelta(days=n * 3)
            existing = list(CheckIn.objects.order_by("pk"))
            if op == "add" or not existing:
                visit(self.stations[m % 4], self.workers[m % 2], when=at(day, m + 8))
            elif op == "anon":
                visit(self.stations[m % 4], None, when=at(day), visitors=m + 1)
            else:
                row = existing[n % len(existing)]
                days.add(timezone.localtime(row.at).date())
                if op == "move_day":
                    row.at = at(day, 20)
                    row.save()
                elif op == "delete":
                    row.delete()
                else:
                    CheckIn.objects.filter(pk=row.pk).update(station=self.stations[m % 4])
            days.add(day)
            if run_between and m % 3 == 0:
                services.roll_up_all()
        services.roll_up_all()
        assert_matches_raw(CHECK_IN_FACTS, self.areas + self.stations, sorted(days))


def test_coverage_is_computed_by_the_job_and_kept(net):
    from reports.models import CoverageSnapshot

    assert services.coverage_refresh_all() >= 2  # district A, district B, the city
    snapshot = CoverageSnapshot.objects.get(area=net["tree"].a["district"])
    assert snapshot.district_code == "621002"
    assert "communities" in snapshot.result and snapshot.computed_at


@pytest.mark.django_db(transaction=True)
def test_the_beat_job_rolls_up_on_a_real_worker(tree, celery_worker_process):
    """dispatch → a roll_up_unit task for the district, run by a real `celery worker`
    process, which sends the city's, which sends the province's: after one beat the
    district's, the city's and the province's figures appear, and no mark is left."""
    import time

    from reports.tasks import dispatch

    station = StationFactory(area=tree.a["community"])
    visit(station, WorkerFactory(area=tree.a["community"]), when=at(DAY))
    # One beat: the district's task sends the city's, and the city's the province's.
    dispatch.delay()
    deadline = time.monotonic() + 60
    while DirtyBucket.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert bucket_value(VISITS, tree.a["district"], PeriodKind.DAY, DAY) == 1
    assert bucket_value(VISITS, tree.city, PeriodKind.DAY, DAY) == 1
    assert bucket_value(VISITS, tree.province, PeriodKind.YEAR, DAY) == 1


def test_a_retention_rule_that_deletes_rows_seals_their_figures(net):
    from members.personal_data import Retention

    deleted = []
    rule = Retention(
        model="stations.CheckIn",
        what="check-ins",
        rule="kept %(days)d days",
        default_days=30,
        enforce=lambda before: deleted.append(before) or 3,
        deletes_rows=True,
    )
    rule.run()
    seal = SealedPeriod.objects.get(fact=VISITS)
    assert seal.before == timezone.localtime(deleted[0]).date()


def test_the_workers_verdicts_on_answers_roll_up(tree):
    """feedback.verdicts sums a small integer column and a CASE: the rollup job's SQL must
    know its type (it failed on the first district with a reopened case)."""
    from feedback.models import Case
    from feedback.tests.factories import suggestion

    worker = WorkerFactory(area=tree.a["community"], status=Worker.Status.APPROVED)
    case = suggestion(worker)
    Case.objects.filter(pk=case.pk).update(reopen_count=2, satisfied=True)
    services.roll_up_all()
    today = timezone.localdate(case.created_at)
    assert bucket_value("feedback.verdicts", tree.a["district"], PeriodKind.DAY, today) == 3
