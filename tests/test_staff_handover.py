"""Staff who leave (issue 12 §7): deactivating an account hands every registered kind of
open work (areas.handover) to a named colleague who reaches the same areas, or refuses in
words and changes nothing. The area trio: staff of A leaves; the read-only viewer of A and
the staff of B cannot take over; a second staff member of A can."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from areas import handover
from areas.models import StaffGrant
from areas.services import staff_deactivate, staff_successors_for
from areas.tests.factories import UserFactory, grant
from core.exceptions import ApplicationError
from members.models import ContactPair, Enterprise
from members.tests.factories import EnterpriseFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", password="pw")


@pytest.fixture
def colleague_a(trio):
    colleague = UserFactory(username="colleague_a")
    grant(colleague, trio.tree.a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    return colleague


@pytest.fixture
def work_of_staff_a(trio):
    """Open work of staff_a: two open contact pairs (one started long ago, one today), an
    ended pair (history, stays) and an enterprise they instruct."""
    community = trio.tree.a["community"]
    long_ago = timezone.localdate() - dt.timedelta(days=90)
    pairs = [
        ContactPair.objects.create(
            worker=WorkerFactory(area=community),
            staff=trio.staff_a,
            started_on=long_ago,
            uncontacted_month=timezone.localdate().replace(day=1),
        ),
        ContactPair.objects.create(
            worker=WorkerFactory(area=community),
            staff=trio.staff_a,
            started_on=timezone.localdate(),
        ),
    ]
    ended = ContactPair.objects.create(
        worker=WorkerFactory(area=community),
        staff=trio.staff_a,
        started_on=long_ago,
        ended_on=long_ago + dt.timedelta(days=10),
    )
    enterprise = EnterpriseFactory(area=trio.tree.a["district"], instructor=trio.staff_a)
    return pairs, ended, enterprise


def counts(user) -> dict[str, int]:
    return {work.key: count for work, count in handover.preview(user)}


def test_the_apps_register_their_open_work():
    keys = {work.key for work in handover.kinds()}
    assert {"members.contact_pairs", "members.instructed_enterprises"} <= keys


def test_everything_registered_moves_to_the_colleague(
    trio, colleague_a, admin_user, work_of_staff_a
):
    pairs, ended, enterprise = work_of_staff_a
    before = counts(trio.staff_a)
    assert before["members.contact_pairs"] == 2
    assert before["members.instructed_enterprises"] == 1
    moved = staff_deactivate(actor=admin_user, user=trio.staff_a, successor=colleague_a)
    assert moved == before
    assert all(count == 0 for count in counts(trio.staff_a).values())
    assert counts(colleague_a) == before
    trio.staff_a.refresh_from_db()
    assert not trio.staff_a.is_active
    # The pairing of long standing ended today (history: who kept in touch when) and a
    # new one started with its contact duty for this month; today's is simply handed on.
    old = ContactPair.objects.get(pk=pairs[0].pk)
    assert old.ended_on == timezone.localdate() and old.staff == trio.staff_a
    new = ContactPair.objects.get(worker=pairs[0].worker, ended_on__isnull=True)
    assert new.staff == colleague_a and new.uncontacted_month == pairs[0].uncontacted_month
    assert ContactPair.objects.get(pk=pairs[1].pk).staff == colleague_a
    ended.refresh_from_db()
    assert ended.staff == trio.staff_a  # history stays
    assert Enterprise.objects.get(pk=enterprise.pk).instructor == colleague_a


@pytest.mark.parametrize("who", ["viewer_a", "staff_b", "staff_a", "inactive", "none"])
def test_a_successor_who_cannot_open_the_work_is_refused_and_nothing_changes(
    trio, admin_user, work_of_staff_a, who
):
    inactive = UserFactory(username="gone", is_active=False)
    grant(inactive, trio.tree.a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    successor = {
        "viewer_a": trio.viewer_a,  # reads A but does not write there
        "staff_b": trio.staff_b,  # another district
        "staff_a": trio.staff_a,  # the one who leaves
        "inactive": inactive,
        "none": None,
    }[who]
    before = counts(trio.staff_a)
    with pytest.raises(ApplicationError) as refused:
        staff_deactivate(actor=admin_user, user=trio.staff_a, successor=successor)
    assert refused.value.message and "successor" in refused.value.fields
    assert counts(trio.staff_a) == before
    trio.staff_a.refresh_from_db()
    assert trio.staff_a.is_active


def test_party_work_needs_a_colleague_with_party_affairs_access(trio, admin_user, colleague_a):
    party_staff = UserFactory(username="party_a")
    StaffGrant.objects.create(
        user=party_staff,
        area=trio.tree.a["district"],
        role=StaffGrant.Role.DISTRICT_DEPARTMENT,
        party_affairs=True,
    )
    with pytest.raises(ApplicationError, match="party-affairs"):
        staff_deactivate(actor=admin_user, user=party_staff, successor=colleague_a)


def test_the_city_department_may_take_over_a_districts_work(trio, admin_user, work_of_staff_a):
    staff_deactivate(actor=admin_user, user=trio.staff_a, successor=trio.city)
    assert counts(trio.city)["members.contact_pairs"] == 2


def test_only_those_who_keep_accounts_may_close_one(trio, colleague_a, work_of_staff_a):
    for actor in (trio.staff_a, trio.viewer_a, trio.staff_b, trio.city, None):
        with pytest.raises(PermissionDenied):
            staff_deactivate(actor=actor, user=colleague_a, successor=trio.staff_a)
    colleague_a.refresh_from_db()
    assert colleague_a.is_active


def test_the_successors_offered_are_those_who_reach_the_same_areas(trio, colleague_a):
    offered = staff_successors_for(trio.staff_a)
    assert colleague_a in offered and trio.city in offered
    assert trio.viewer_a not in offered and trio.staff_b not in offered
    assert trio.staff_a not in offered


def test_the_admin_page_previews_then_hands_over(
    client, trio, colleague_a, admin_user, work_of_staff_a
):
    client.force_login(admin_user)
    url = f"/admin/auth/user/{trio.staff_a.pk}/hand-over/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "colleague_a" in body and "staff_b" not in body
    refused = client.post(url, {"successor": trio.staff_b.pk})
    assert refused.status_code == 200  # staff_b is not a choice: the form says so
    trio.staff_a.refresh_from_db()
    assert trio.staff_a.is_active
    done = client.post(url, {"successor": colleague_a.pk})
    assert done.status_code == 302
    trio.staff_a.refresh_from_db()
    assert not trio.staff_a.is_active
    assert counts(colleague_a)["members.contact_pairs"] == 2


def test_the_admin_action_opens_the_page_for_one_account(client, trio, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/auth/user/",
        {"action": "hand_over_and_deactivate", "_selected_action": [trio.staff_a.pk]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/auth/user/{trio.staff_a.pk}/hand-over/")


def test_staff_without_the_account_permission_cannot_open_the_page(client, trio):
    client.force_login(trio.staff_a)
    response = client.get(f"/admin/auth/user/{trio.staff_b.pk}/hand-over/")
    assert response.status_code in (302, 403)
    trio.staff_b.refresh_from_db()
    assert trio.staff_b.is_active
