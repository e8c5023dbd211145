"""`load_demo --history`: a year for Xifeng and Zhifu that keeps every rule the apps keep.

Loaded once for the class (setUpTestData); each test reads it inside its own savepoint."""

import datetime as dt
from io import StringIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Min, Q, Sum
from django.test import TestCase
from django.utils import timezone

from activities.models import Activity, SignUp, VolunteerService
from activities.services import ATTENDANCE_CLOSES_AFTER, ATTENDANCE_OPENS_BEFORE
from demo.history import HISTORY_PHONE_BLOCK, REWARDS
from members.models import Worker, WorkerStatusChange
from points.models import PointsAccount, PointsEntry, Redemption, Reward
from stations.models import CHECK_IN_WINDOW, CheckIn, Station
from stations.selectors import stations_kept

DISTRICTS = ("621002", "370602")
HISTORY_WORKERS = Q(phone__startswith=HISTORY_PHONE_BLOCK)


def load(**options):
    call_command("load_demo", verbosity=0, stdout=StringIO(), **options)


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def snapshot() -> dict:
    return {
        "staff": get_user_model().objects.filter(is_staff=True).count(),
        "workers": Worker.objects.count(),
        "status_changes": WorkerStatusChange.objects.count(),
        "check_ins": CheckIn.objects.aggregate(n=Count("pk"), v=Sum("visitors")),
        "activities": Activity.objects.count(),
        "signups": SignUp.objects.count(),
        "services": VolunteerService.objects.count(),
        "entries": PointsEntry.objects.count(),
        "balances": list(PointsAccount.objects.order_by("pk").values_list("pk", "balance")),
        "stock": list(Reward.objects.order_by("pk").values_list("pk", "stock")),
        "redemptions": Redemption.objects.count(),
    }


class HistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load()
        # What the base demo made, to tell the history's rows from it.
        cls.base_check_ins = CheckIn.objects.aggregate(last=Max("pk"))["last"]
        cls.now = timezone.now()
        load(history=True)

    def history_check_ins(self):
        return CheckIn.objects.filter(pk__gt=self.base_check_ins)

    def test_a_small_district_s_year_in_proportion(self):
        for code in DISTRICTS:
            workers = Worker.objects.filter(HISTORY_WORKERS, area__code__startswith=code)
            check_ins = CheckIn.objects.filter(station__area__code__startswith=code)
            assert 200 <= workers.count() <= 400, code
            assert 10_000 <= check_ins.count() <= 40_000, code
            assert check_ins.filter(worker__isnull=True, source="keeper").count() > 1000
            assert check_ins.filter(far_away=True).exists()
            assert check_ins.filter(source=CheckIn.Source.OFFLINE).exists()
            assert Activity.objects.filter(area__code__startswith=code).count() >= 40
            assert set(workers.values_list("status", flat=True)) == {
                Worker.Status.APPROVED,
                Worker.Status.PENDING,
                Worker.Status.REJECTED,
            }
            assert workers.values("occupation").distinct().count() >= 6
        sources = set(Worker.objects.filter(HISTORY_WORKERS).values_list("source", flat=True))
        assert sources == set(Worker.Source.values)

    def test_everything_lands_in_the_last_twelve_months(self):
        year_ago = self.now - dt.timedelta(days=366)
        later = timezone.now()
        span = self.history_check_ins().aggregate(first=Min("at"), last=Max("at"))
        assert year_ago <= span["first"] and span["last"] <= later
        workers = Worker.objects.filter(HISTORY_WORKERS)
        assert not workers.filter(Q(created_at__lt=year_ago) | Q(created_at__gt=later)).exists()
        assert not PointsEntry.objects.filter(created_at__gt=later).exists()
        past = Activity.objects.filter(starts_at__lt=self.now)
        assert not past.filter(starts_at__lt=year_ago).exists()
        assert not Activity.objects.filter(starts_at__gt=self.now + dt.timedelta(days=30)).exists()
        # Every month of the last twelve has visits in both districts: no empty chart.
        for code in DISTRICTS:
            months = rows(
                "SELECT count(DISTINCT date_trunc('month', c.at AT TIME ZONE %s)) "
                "FROM stations_checkin c JOIN stations_station s ON s.id = c.station_id "
                "JOIN areas_area a ON a.id = s.area_id WHERE a.code LIKE %s AND c.at >= %s",
                [str(timezone.get_default_timezone()), f"{code}%", year_ago],
            )[0][0]
            assert months >= 12, code

    def test_a_rider_s_day_has_lunch_and_evening_peaks_and_night_only_at_24_hour_stations(self):
        by_hour = dict(
            rows(
                "SELECT extract(hour FROM at AT TIME ZONE %s)::int, sum(visitors) "
                "FROM stations_checkin GROUP BY 1",
                [str(timezone.get_default_timezone())],
            )
        )
        assert by_hour[12] > 3 * by_hour[15] and by_hour[18] > 2 * by_hour[15]
        assert by_hour.get(23, 0) > 0  # the grid shops never close
        # The demo's stations open 8:00 until 18:00–22:00, the grid shops round the clock.
        night = rows(
            "SELECT count(*) FROM stations_checkin c JOIN stations_station s "
            "ON s.id = c.station_id WHERE c.id > %s AND NOT s.always_open "
            "AND (extract(hour FROM c.at AT TIME ZONE %s) >= 22 "
            "OR extract(hour FROM c.at AT TIME ZONE %s) < 8)",
            [self.base_check_ins, *[str(timezone.get_default_timezone())] * 2],
        )[0][0]
        assert night == 0

    def test_check_ins_keep_the_check_in_rules(self):
        # One visit per worker and station within the window, as stations_check_in decides.
        twice = rows(
            "SELECT count(*) FROM stations_checkin a JOIN stations_checkin b "
            "ON a.worker_id = b.worker_id AND a.station_id = b.station_id AND a.id < b.id "
            "AND abs(extract(epoch FROM a.at - b.at)) < %s",
            [CHECK_IN_WINDOW.total_seconds()],
        )[0][0]
        assert twice == 0
        history = self.history_check_ins()
        assert not history.filter(at__lt=F("worker__created_at")).exists()
        order = list(CheckIn.Service.values)
        for services in CheckIn.objects.values_list("services", flat=True).distinct():
            assert services == sorted(services, key=order.index)
        assert not history.filter(source=CheckIn.Source.OFFLINE, created_at__lt=F("at"))
        keeper = history.filter(source=CheckIn.Source.KEEPER)
        assert not keeper.filter(recorded_by__isnull=True).exists()

    def test_registrations_are_reviewed_after_they_come_in(self):
        workers = Worker.objects.filter(HISTORY_WORKERS)
        approved = workers.filter(status=Worker.Status.APPROVED)
        assert not approved.filter(approved_at__lt=F("created_at")).exists()
        assert (
            approved.exclude(source=Worker.Source.IMPORT)
            .filter(approved_at__gt=F("created_at") + dt.timedelta(days=1))
            .exists()
        )  # some days after
        # Each record's history ends where the record is.
        mismatched = rows(
            "SELECT count(*) FROM members_worker w WHERE w.phone LIKE %s AND w.status <> ("
            "SELECT c.to_status FROM members_workerstatuschange c WHERE c.worker_id = w.id "
            "ORDER BY c.at DESC, c.id DESC LIMIT 1)",
            [f"{HISTORY_PHONE_BLOCK}%"],
        )[0][0]
        assert mismatched == 0
        # Returned registrations are recent: older ones would have been anonymised.
        returned = workers.filter(status=Worker.Status.REJECTED)
        assert returned.exists()
        assert not returned.filter(updated_at__lt=self.now - dt.timedelta(days=180)).exists()
        assert not returned.filter(status_reason="").exists()
        invited = workers.filter(source=Worker.Source.INVITATION)
        assert invited.exists() and not invited.filter(invitation__isnull=True).exists()
        assert not invited.filter(created_at__lt=F("invitation__opened_at")).exists()

    def test_points_balances_equal_ledger_sums_and_never_go_below_zero(self):
        off = rows(
            "SELECT count(*) FROM points_pointsaccount a WHERE a.balance <> "
            "(SELECT COALESCE(sum(e.amount), 0) FROM points_pointsentry e "
            "WHERE e.account_id = a.id)"
        )[0][0]
        assert off == 0
        broken_chain = rows(
            "SELECT count(*) FROM (SELECT balance_after, sum(amount) OVER "
            "(PARTITION BY account_id ORDER BY created_at, id) AS running "
            "FROM points_pointsentry) e WHERE e.balance_after <> e.running OR e.running < 0"
        )[0][0]
        assert broken_chain == 0
        kinds = set(PointsEntry.objects.values_list("kind", flat=True))
        assert {"award", "redeem", "reverse", "adjust"} <= kinds
        for reversal in PointsEntry.objects.filter(kind="reverse").select_related("reverses"):
            held = reversal.reverses
            assert reversal.key == f"reverse-{held.pk}"
            assert (reversal.source, reversal.source_id) == (held.source, held.source_id)
            assert reversal.amount == -held.amount and reversal.created_at > held.created_at

    def test_attendance_earns_once_and_places_are_never_over_capacity(self):
        over = rows(
            "SELECT count(*) FROM activities_activity a WHERE a.capacity < ("
            "SELECT count(*) FROM activities_signup s WHERE s.activity_id = a.id "
            "AND s.status IN ('confirmed', 'attended') AND s.queued_at < a.starts_at)"
        )[0][0]
        assert over == 0
        history = SignUp.objects.filter(worker__phone__startswith=HISTORY_PHONE_BLOCK)
        attended = history.filter(status=SignUp.Status.ATTENDED).select_related("activity")
        assert attended.count() > 500
        assert history.filter(status=SignUp.Status.NO_SHOW).exists()
        assert history.filter(status=SignUp.Status.CANCELLED).exists()
        for signup in attended:
            activity = signup.activity
            opens = activity.starts_at - ATTENDANCE_OPENS_BEFORE
            assert opens <= signup.attended_at <= activity.ends_at + ATTENDANCE_CLOSES_AFTER
        awards = PointsEntry.objects.filter(source="attendance", kind="award")
        awarded = awards.values("source_id").annotate(n=Count("pk"))
        assert {row["n"] for row in awarded} == {1}
        every_attendance = SignUp.objects.filter(status=SignUp.Status.ATTENDED)
        assert {int(row["source_id"]) for row in awarded} <= set(
            every_attendance.values_list("pk", flat=True)
        )
        # A volunteer day's hours are counted for each who came, verified.
        volunteer_days = attended.filter(activity__volunteer_hours__gt=0)
        counted = VolunteerService.objects.filter(source="activity", status="verified")
        assert volunteer_days.count() == counted.count() > 0

    def test_reward_stock_follows_the_redemptions(self):
        catalogue = {name: stock for name, _s, _k, _p, stock, _season in REWARDS}
        for reward in Reward.objects.filter(name__in=catalogue):
            holding = reward.redemptions.filter(status__in=["reserved", "handed_over"]).count()
            assert reward.stock + holding == catalogue[reward.name], reward.name
        statuses = set(Redemption.objects.values_list("status", flat=True))
        assert {"handed_over", "expired", "cancelled"} <= statuses
        handed = Redemption.objects.filter(status="handed_over")
        assert not handed.filter(handed_over_by__isnull=True).exists()
        assert not handed.filter(handed_over_at__gte=F("expires_at")).exists()
        for redemption in Redemption.objects.exclude(status__in=["reserved", "handed_over"]):
            assert PointsEntry.objects.filter(
                source="redemption", source_id=str(redemption.pk), kind="reverse"
            ).exists()

    def test_every_station_has_a_keeper_who_can_log_in(self):
        for code in DISTRICTS:
            stations = Station.objects.filter(area__code__startswith=code)
            assert stations_kept().filter(pk__in=stations).count() == stations.count()
        keeper = get_user_model().objects.get(username="keeper_zhifu_01")
        assert keeper.is_staff and keeper.check_password(settings.DEMO_PASSWORD)
        assert keeper.password_state.changed_at is not None  # set as set_password records it

    def test_a_second_run_adds_nothing_with_or_without_history(self):
        before = snapshot()
        load(history=True)
        load()  # the base demo's paper-ledger points find the entries history made
        assert snapshot() == before
