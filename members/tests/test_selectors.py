"""Reads of members (members/selectors.py): the record a phone leads to, staff search,
possible duplicates, the review queue, what a worker of an area may name, contact pairs
and the invitation funnel."""

import datetime as dt

import pytest
from django.utils import timezone

from areas.models import StaffGrant
from areas.tests.factories import AreaFactory, UserFactory, build_tree, grant
from core.exceptions import ApplicationError
from members import selectors, services
from members.models import ContactLog, InvitationBatch, InvitationCampaign, Worker

from .factories import EnterpriseFactory, OutletFactory, WorkerFactory, valid_id_number

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


# The record a phone leads to -----------------------------------------------------------------


def test_a_phone_leads_to_its_worker_however_it_is_typed(worker_a):
    assert selectors.worker_for_phone("13812341234") == worker_a
    assert selectors.worker_for_phone("+86 138-1234-1234") == worker_a


def test_an_unknown_or_malformed_phone_leads_nowhere(worker_a):
    assert selectors.worker_for_phone("13800000000") is None
    assert selectors.worker_for_phone("12345") is None
    assert selectors.worker_for_phone("") is None
    assert selectors.worker_for_phone(None) is None


def test_a_merged_records_phone_leads_to_the_kept_record(trio, worker_a):
    duplicate = WorkerFactory(area=trio.tree.a["community2"], name="张三", phone="13700001111")
    services.worker_merge(actor=trio.staff_a, duplicate=duplicate, kept=worker_a)
    assert selectors.worker_for_phone("13700001111") == worker_a
    assert selectors.worker_for_phone("13700001111", only=("name",)).pk == worker_a.pk


def test_a_record_merged_into_a_later_merged_one_leads_to_the_live_record(trio, worker_a):
    first = WorkerFactory(area=trio.tree.a["community"], phone="13700001111")
    second = WorkerFactory(area=trio.tree.a["community"], phone="13700002222")
    services.worker_merge(actor=trio.staff_a, duplicate=first, kept=second)
    services.worker_merge(actor=trio.staff_a, duplicate=second, kept=worker_a)
    assert selectors.worker_for_phone("13700001111") == worker_a


def test_the_phone_lookup_is_not_scoped_to_any_staff(worker_b):
    # The person holding the phone, wherever they registered.
    assert selectors.worker_for_phone("13912345678") == worker_b


# Staff search -----------------------------------------------------------------------------


@pytest.fixture
def searchable(trio, worker_a):
    id_number = valid_id_number(7)
    other = WorkerFactory(
        area=trio.tree.a["community"], name="张三丰", phone="13612340000", id_number=id_number
    )
    return {"worker": worker_a, "other": other, "id_number": id_number}


def search(term) -> set[str]:
    return names(Worker.objects.filter(selectors.worker_search_q(term)))


def test_a_full_phone_number_finds_that_person_only(searchable):
    assert search("138 1234 1234") == {"张三"}


def test_an_id_number_finds_that_person_through_its_blind_index(searchable):
    assert search(searchable["id_number"]) == {"张三丰"}
    assert search(searchable["id_number"].lower()) == {"张三丰"}


def test_anything_else_matches_a_whole_name(searchable):
    assert search("张三") == {"张三"}
    assert search("三丰") == set()
    assert search("1381234") == set()  # part of a phone is not a phone search


def test_part_of_a_name_when_asked_for(searchable):
    found = Worker.objects.filter(selectors.worker_search_q("三", partial_names=True))
    assert names(found) == {"张三", "张三丰"}


def test_part_of_a_name_finds_only_where_the_user_may_unmask(trio, searchable):
    from areas.models import StaffGrant

    everyone = Worker.objects.all()
    assert names(selectors.worker_search(everyone, "三", user=trio.staff_a)) == set()
    assert names(selectors.worker_search(everyone, "张三", user=trio.staff_a)) == {"张三"}
    StaffGrant.objects.filter(user=trio.staff_a).update(may_unmask=True)
    trio.staff_a.__dict__.pop("_area_reach", None)
    found = selectors.worker_search(everyone, "三", user=trio.staff_a)
    assert names(found) == {"张三", "张三丰"}


def test_searches_by_personal_data_are_limited_per_staff_member(trio, searchable):
    everyone = Worker.objects.all()
    for _ in range(selectors.PERSONAL_SEARCHES.count):
        selectors.worker_search(everyone, "13700000000", user=trio.staff_a)
    with pytest.raises(ApplicationError, match="Too many searches"):
        selectors.worker_search(everyone, "13812341234", user=trio.staff_a)
    # Another staff member has their own allowance.
    assert selectors.worker_search(everyone, "张三", user=trio.viewer_a).exists()


# Possible duplicates ---------------------------------------------------------------------


def test_the_same_name_in_the_same_community_may_be_a_duplicate(trio, worker_a):
    twin = WorkerFactory(area=trio.tree.a["community"], name="张三")
    WorkerFactory(area=trio.tree.a["community"], name="王五")
    found = selectors.possible_duplicates(Worker.objects.all())
    assert set(found) == {worker_a, twin}


def test_the_same_name_in_another_community_is_not_a_duplicate(trio, worker_a):
    WorkerFactory(area=trio.tree.a["community2"], name="张三")
    assert not selectors.possible_duplicates(Worker.objects.all()).exists()


def test_merged_records_are_neither_duplicates_nor_twins(trio, worker_a):
    twin = WorkerFactory(area=trio.tree.a["community"], name="张三")
    services.worker_merge(actor=trio.staff_a, duplicate=twin, kept=worker_a)
    assert not selectors.possible_duplicates(Worker.objects.all()).exists()


def test_duplicates_are_looked_for_within_the_queryset_given(trio, worker_a):
    twin = WorkerFactory(area=trio.tree.a["community"], name="张三", status="approved")
    pending = Worker.objects.filter(status=Worker.Status.PENDING)
    assert list(selectors.possible_duplicates(pending)) == [worker_a]
    assert twin not in selectors.possible_duplicates(pending)


# The review queue ------------------------------------------------------------------------


def test_review_queue_is_the_pending_registrations_staff_may_write_oldest_first(trio, worker_a):
    later = WorkerFactory(area=trio.tree.a["community2"])
    WorkerFactory(area=trio.tree.a["community"], status="approved")
    assert list(selectors.review_queue(user=trio.staff_a)) == [worker_a, later]


def test_review_queue_is_empty_for_a_viewer_and_another_district(trio, worker_a):
    assert not selectors.review_queue(user=trio.viewer_a).exists()
    assert not selectors.review_queue(user=trio.staff_b).exists()


def test_review_queue_of_the_city_has_every_district(trio, worker_a, worker_b):
    assert set(selectors.review_queue(user=trio.city)) == {worker_a, worker_b}


def test_worker_list_is_scoped_and_reads_for_a_viewer(trio, worker_a, worker_b):
    assert list(selectors.worker_list(user=trio.viewer_a)) == [worker_a]
    assert list(selectors.worker_list(user=trio.staff_b)) == [worker_b]


# What a worker of an area may name ---------------------------------------------------------


@pytest.fixture
def lanzhou(tree):
    """Another city of the province, with its own district."""
    city = AreaFactory(code="620100000000", name="兰州市", level="city", parent=tree.province)
    return build_tree("620102", "城关区", city)


def test_enterprises_offered_are_the_districts_and_those_above(tree, lanzhou):
    a, b = tree.a, tree.b
    EnterpriseFactory(name="西峰快递", area=a["district"])
    EnterpriseFactory(name="乙社区商户", area=a["community2"])
    EnterpriseFactory(name="美团", area=tree.city)
    EnterpriseFactory(name="饿了么", area=tree.province)
    EnterpriseFactory(name="庆城快递", area=b["district"])
    EnterpriseFactory(name="庆城社区商户", area=b["community"])
    EnterpriseFactory(name="兰州快递", area=lanzhou["district"])
    assert names(selectors.enterprises_offered_to(a["community"])) == {
        "西峰快递",
        "乙社区商户",
        "美团",
        "饿了么",
    }


def test_outlets_offered_are_those_of_the_district_only(tree):
    OutletFactory(name="甲网点", area=tree.a["community"])
    OutletFactory(name="乙网点", area=tree.a["community2"])
    OutletFactory(name="庆城网点", area=tree.b["community"])
    assert names(selectors.outlets_offered_to(tree.a["community"])) == {"甲网点", "乙网点"}


def test_residence_is_offered_across_districts_but_not_cities(tree, lanzhou):
    offered = set(selectors.residence_areas_offered_to(tree.a["community"]))
    expected = {
        tree.a["street"],
        tree.a["community"],
        tree.a["community2"],
        tree.b["street"],
        tree.b["community"],
        tree.b["community2"],
    }
    assert offered == expected  # no district, city or province; nothing in 兰州
    assert not offered & set(lanzhou.values())


# Contact pairing -------------------------------------------------------------------------


@pytest.fixture
def pair(trio, worker_a):
    return services.contact_pair_start(
        actor=trio.staff_a,
        worker=worker_a,
        staff=trio.staff_a,
        started_on=TODAY() - dt.timedelta(days=60),
    )


def log(trio, pair, days_ago):
    return services.contact_log_record(
        actor=trio.staff_a,
        pair=pair,
        kind=ContactLog.Kind.values[0],
        on=TODAY() - dt.timedelta(days=days_ago),
    )


def test_a_pair_shows_its_last_contact(trio, pair):
    assert selectors.contact_pair_list(user=trio.staff_a).get().last_contact_on is None
    log(trio, pair, 20)
    log(trio, pair, 5)
    assert selectors.contact_pair_list(user=trio.staff_a).get().last_contact_on == (
        TODAY() - dt.timedelta(days=5)
    )


def test_pairs_and_their_logs_are_for_the_pairs_area_only(trio, pair):
    contact = log(trio, pair, 5)
    assert list(selectors.contact_pair_list(user=trio.viewer_a)) == [pair]
    assert list(selectors.contact_log_list(user=trio.viewer_a)) == [contact]
    assert not selectors.contact_pair_list(user=trio.staff_b).exists()
    assert not selectors.contact_log_list(user=trio.staff_b).exists()


def test_uncontacted_this_month_lists_only_my_own_active_pairs(trio, pair, worker_a):
    colleague = UserFactory(username="colleague_a")
    grant(colleague, trio.tree.a["district"], StaffGrant.Role.DISTRICT_DEPARTMENT)
    services.contact_pairs_mark_uncontacted()
    assert list(selectors.uncontacted_this_month(user=trio.staff_a)) == [pair]
    assert not selectors.uncontacted_this_month(user=colleague).exists()  # reads it, not theirs
    services.contact_pair_end(actor=trio.staff_a, pair=pair, on=TODAY())
    assert not selectors.uncontacted_this_month(user=trio.staff_a).exists()


# Invitations and their funnel ------------------------------------------------------------


@pytest.fixture
def campaign(trio):
    return services.campaign_save(
        actor=trio.staff_a,
        campaign=InvitationCampaign(
            name="喊你回家", area=trio.tree.a["district"], starts_on=TODAY() - dt.timedelta(days=3)
        ),
    )


def issue(trio, campaign, community, count):
    return services.invitations_issue(
        actor=trio.staff_a,
        campaign=campaign,
        community=community,
        channel=InvitationBatch.Channel.LETTER,
        count=count,
    )


@pytest.fixture
def community_staff(trio):
    user = UserFactory(username="community_staff")
    grant(user, trio.tree.a["community"], StaffGrant.Role.COMMUNITY)
    return user


def test_community_staff_see_their_own_line_of_a_district_campaign(trio, campaign, community_staff):
    issue(trio, campaign, trio.tree.a["community"], 3)
    issue(trio, campaign, trio.tree.a["community2"], 4)
    rows = selectors.invitation_funnel(user=community_staff)
    assert [(row.community, row.issued) for row in rows] == [(trio.tree.a["community"], 3)]
    assert not selectors.campaign_list(user=community_staff).exists()  # the district's
    assert selectors.batch_list(user=community_staff).count() == 1
    assert selectors.invitation_list(user=community_staff).count() == 3


def test_the_funnel_narrows_to_an_area_and_a_campaign(trio, campaign):
    issue(trio, campaign, trio.tree.a["community"], 3)
    issue(trio, campaign, trio.tree.a["community2"], 4)
    only_second = selectors.invitation_funnel(user=trio.staff_a, area=trio.tree.a["community2"])
    assert [(row.community, row.issued) for row in only_second] == [(trio.tree.a["community2"], 4)]
    other = services.campaign_save(
        actor=trio.staff_a,
        campaign=InvitationCampaign(name="第二轮", area=trio.tree.a["district"], starts_on=TODAY()),
    )
    issue(trio, other, trio.tree.a["community"], 2)
    rows = selectors.invitation_funnel(user=trio.staff_a, campaign=other)
    assert [(row.campaign, row.issued) for row in rows] == [(other, 2)]
    # Newest campaign first, one total per campaign.
    everything = selectors.invitation_funnel(user=trio.staff_a)
    assert [row.campaign for row in everything] == [other, campaign, campaign]
    totals = selectors.funnel_totals(everything)
    assert [(total.campaign, total.issued) for total in totals] == [(other, 2), (campaign, 7)]


def test_a_funnel_with_nothing_sent_has_no_percentages(trio, campaign):
    issue(trio, campaign, trio.tree.a["community"], 3)
    (row,) = selectors.invitation_funnel(user=trio.staff_a)
    assert (row.issued, row.sent, row.opened, row.registered) == (3, 0, 0, 0)
    assert row.opened_percent is None and row.registered_percent is None


def test_another_district_sees_no_funnel(trio, campaign):
    issue(trio, campaign, trio.tree.a["community"], 3)
    assert selectors.invitation_funnel(user=trio.staff_b) == []
