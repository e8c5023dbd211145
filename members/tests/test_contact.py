"""Contact pairing (结对联系): pairing, logs, the monthly rule and its beat job — run once
in-process and once by a real Celery worker."""

import datetime as dt
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.testing import client_for
from members import selectors, services
from members.models import ContactLog, ContactPair

from .factories import WorkerFactory

TODAY = timezone.localdate


@pytest.fixture
def pair(trio, worker_a):
    return services.contact_pair_start(
        actor=trio.staff_a,
        worker=worker_a,
        staff=trio.staff_a,
        started_on=TODAY() - dt.timedelta(days=60),
    )


@pytest.mark.django_db
class TestPairing:
    def test_a_second_active_pair_is_refused_naming_the_first(self, trio, worker_a, pair):
        with pytest.raises(ApplicationError, match="already paired"):
            services.contact_pair_start(
                actor=trio.staff_a, worker=worker_a, staff=trio.staff_a, started_on=TODAY()
            )
        assert ContactPair.objects.count() == 1

    def test_pair_with_exactly_one_contact_person(self, trio, worker_a):
        grid = WorkerFactory(area=trio.tree.a["community"])
        with pytest.raises(ApplicationError):
            services.contact_pair_start(
                actor=trio.staff_a,
                worker=worker_a,
                staff=trio.staff_a,
                grid_worker=grid,
                started_on=TODAY(),
            )
        with pytest.raises(ApplicationError):
            services.contact_pair_start(actor=trio.staff_a, worker=worker_a, started_on=TODAY())
        pair = services.contact_pair_start(
            actor=trio.staff_a, worker=worker_a, grid_worker=grid, started_on=TODAY()
        )
        assert pair.contact_person == grid

    def test_staff_of_another_district_cannot_be_the_contact(self, trio, worker_a):
        with pytest.raises(ApplicationError, match="does not work"):
            services.contact_pair_start(
                actor=trio.staff_a, worker=worker_a, staff=trio.staff_b, started_on=TODAY()
            )

    def test_area_trio_on_pairing(self, trio, worker_a):
        with pytest.raises(PermissionDenied):
            services.contact_pair_start(
                actor=trio.viewer_a, worker=worker_a, staff=trio.staff_a, started_on=TODAY()
            )
        with pytest.raises(Http404):
            services.contact_pair_start(
                actor=trio.staff_b, worker=worker_a, staff=trio.staff_b, started_on=TODAY()
            )

    def test_log_refuses_future_and_before_pairing(self, trio, pair):
        with pytest.raises(ApplicationError, match="future"):
            services.contact_log_record(
                actor=trio.staff_a, pair=pair, kind="phone", on=TODAY() + dt.timedelta(days=1)
            )
        with pytest.raises(ApplicationError, match="outside"):
            services.contact_log_record(
                actor=trio.staff_a,
                pair=pair,
                kind="phone",
                on=pair.started_on - dt.timedelta(days=1),
            )
        with pytest.raises(ApplicationError):
            services.contact_log_record(actor=trio.staff_a, pair=pair, kind="letter", on=TODAY())
        assert not ContactLog.objects.exists()

    def test_log_by_outsider_and_viewer(self, trio, pair):
        with pytest.raises(Http404):
            services.contact_log_record(actor=trio.staff_b, pair=pair, kind="phone", on=TODAY())
        with pytest.raises(PermissionDenied):
            services.contact_log_record(actor=trio.viewer_a, pair=pair, kind="phone", on=TODAY())

    def test_the_paired_contact_logs_their_own_pair(self, trio, worker_a):
        from areas.models import StaffGrant
        from areas.tests.factories import UserFactory, grant

        grid_staff = UserFactory(username="grid_a")
        grant(grid_staff, trio.tree.a["community"], StaffGrant.Role.VIEWER)
        pair = services.contact_pair_start(
            actor=trio.staff_a, worker=worker_a, staff=grid_staff, started_on=TODAY()
        )
        services.contact_log_record(actor=grid_staff, pair=pair, kind="visit", on=TODAY())
        assert ContactLog.objects.count() == 1


@pytest.mark.django_db
class TestMonthlyRule:
    def test_marks_uncontacted_and_clears_on_contact(self, trio, pair):
        assert services.contact_pairs_mark_uncontacted() == 1
        pair.refresh_from_db()
        assert pair.uncontacted_month == TODAY().replace(day=1)
        assert list(selectors.uncontacted_this_month(user=trio.staff_a)) == [pair]
        assert not selectors.uncontacted_this_month(user=trio.staff_b).exists()
        services.contact_log_record(actor=trio.staff_a, pair=pair, kind="wechat", on=TODAY())
        pair.refresh_from_db()
        assert pair.uncontacted_month is None
        assert services.contact_pairs_mark_uncontacted() == 0

    def test_a_contact_last_month_does_not_count_this_month(self, trio, pair):
        last_month = TODAY().replace(day=1) - dt.timedelta(days=1)
        services.contact_log_record(actor=trio.staff_a, pair=pair, kind="visit", on=last_month)
        assert services.contact_pairs_mark_uncontacted() == 1

    def test_running_twice_is_the_same(self, trio, pair):
        services.contact_pairs_mark_uncontacted()
        stamp = ContactPair.objects.get().updated_at
        assert services.contact_pairs_mark_uncontacted() == 1
        assert ContactPair.objects.get().updated_at == stamp  # nothing rewritten

    def test_ended_pairs_are_not_marked(self, trio, pair):
        services.contact_pair_end(actor=trio.staff_a, pair=pair, on=TODAY())
        assert services.contact_pairs_mark_uncontacted() == 0

    def test_index_shows_my_uncontacted_list(self, client, trio, pair):
        services.contact_pairs_mark_uncontacted()
        client.force_login(trio.staff_a)
        html = client.get("/admin/").content.decode()
        assert "?mine=uncontacted" in html
        listing = client.get("/admin/members/contactpair/?mine=uncontacted").content.decode()
        assert f"/{pair.pk}/change/" in listing
        client.force_login(trio.staff_b)
        assert "?mine=uncontacted" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_contact_api_trio(trio, pair, worker_b):
    services.contact_log_record(
        actor=trio.staff_a, pair=pair, kind="phone", on=TODAY(), note="问候"
    )
    for user, expected in (
        (trio.staff_a, [pair.pk]),
        (trio.viewer_a, [pair.pk]),
        (trio.staff_b, []),
    ):
        body = client_for(user).get("/api/v1/contact-pairs/").json()
        assert [p["id"] for p in body["results"]] == expected
    logs = client_for(trio.staff_a).get("/api/v1/contact-logs/").json()["results"]
    assert [log["note"] for log in logs] == ["问候"]
    assert client_for(trio.staff_b).get("/api/v1/contact-logs/").json()["results"] == []
    refused = client_for(trio.viewer_a).post(
        "/api/v1/contact-logs/", {"pair": pair.pk, "kind": "phone", "on": TODAY().isoformat()}
    )
    assert refused.status_code == 403
    outsider = client_for(trio.staff_b).post(
        "/api/v1/contact-logs/", {"pair": pair.pk, "kind": "phone", "on": TODAY().isoformat()}
    )
    assert outsider.status_code == 400  # another district's pair is no pair
    future = client_for(trio.staff_a).post(
        "/api/v1/contact-logs/",
        {"pair": pair.pk, "kind": "phone", "on": (TODAY() + dt.timedelta(days=2)).isoformat()},
    )
    assert future.status_code == 400 and ContactLog.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_beat_job_runs_on_a_real_worker_and_is_idempotent(trio, worker_a, celery_worker_process):
    from members.tasks import mark_uncontacted_pairs

    pair = services.contact_pair_start(
        actor=trio.staff_a, worker=worker_a, staff=trio.staff_a, started_on=TODAY()
    )
    contacted = services.contact_pair_start(
        actor=trio.staff_a,
        worker=WorkerFactory(area=trio.tree.a["community"]),
        staff=trio.staff_a,
        started_on=TODAY(),
    )
    services.contact_log_record(actor=trio.staff_a, pair=contacted, kind="visit", on=TODAY())

    def marked():
        return set(
            ContactPair.objects.filter(uncontacted_month=TODAY().replace(day=1)).values_list(
                "pk", flat=True
            )
        )

    def wait_until_marked_is(expected):
        deadline = time.monotonic() + 60
        while marked() != expected and time.monotonic() < deadline:
            time.sleep(0.5)
        assert marked() == expected

    mark_uncontacted_pairs.delay()
    wait_until_marked_is({pair.pk})
    # Run again after someone wrongly marked the contacted pair: the second run leaves the
    # same result as the first (the uncontacted pair marked once, the contacted one not).
    ContactPair.objects.filter(pk=contacted.pk).update(uncontacted_month=TODAY().replace(day=1))
    mark_uncontacted_pairs.delay()
    wait_until_marked_is({pair.pk})


@pytest.mark.django_db
def test_ending_a_pair_refuses_bad_dates_and_twice(trio, pair):
    for bad in (pair.started_on - dt.timedelta(days=1), TODAY() + dt.timedelta(days=1)):
        with pytest.raises(ApplicationError):
            services.contact_pair_end(actor=trio.staff_a, pair=pair, on=bad)
    with pytest.raises(PermissionDenied):
        services.contact_pair_end(actor=trio.viewer_a, pair=pair, on=TODAY())
    services.contact_pair_end(actor=trio.staff_a, pair=pair, on=TODAY())
    with pytest.raises(ApplicationError, match="already ended"):
        services.contact_pair_end(actor=trio.staff_a, pair=pair, on=TODAY())
