"""Invitations (喊你回家 召集令): campaigns, batches of codes, openings, the registrations
they bring, the funnel — services, phone pages, API and admin, with the area trio."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from core.exceptions import ApplicationError
from core.testing import client_for
from members import selectors, services
from members.models import (
    INVITATION_CODE_ALPHABET,
    Invitation,
    InvitationBatch,
    InvitationCampaign,
    Worker,
)
from members.views import INVITATION_SESSION_KEY

from .factories import WorkerFactory
from .test_views import logged_in, registration

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def campaign(trio):
    return services.campaign_save(
        actor=trio.staff_a,
        campaign=InvitationCampaign(
            name="喊你回家 召集令",
            area=trio.tree.a["district"],
            message="快递小哥，社区欢迎你回家！",
            starts_on=TODAY() - dt.timedelta(days=10),
        ),
    )


@pytest.fixture
def batch(trio, campaign):
    return services.invitations_issue(
        actor=trio.staff_a,
        campaign=campaign,
        community=trio.tree.a["community"],
        channel=InvitationBatch.Channel.LETTER,
        count=5,
    )


@pytest.fixture
def campaign_b(trio):
    campaign = services.campaign_save(
        actor=trio.staff_b,
        campaign=InvitationCampaign(
            name="庆城邀请函", area=trio.tree.b["district"], starts_on=TODAY()
        ),
    )
    services.invitations_issue(
        actor=trio.staff_b,
        campaign=campaign,
        community=trio.tree.b["community"],
        channel=InvitationBatch.Channel.WECHAT,
        count=2,
    )
    return campaign


def issue(trio, campaign, **kwargs):
    args = {
        "actor": trio.staff_a,
        "campaign": campaign,
        "community": trio.tree.a["community"],
        "channel": InvitationBatch.Channel.LETTER,
        "count": 3,
    }
    return services.invitations_issue(**{**args, **kwargs})


# Campaigns and batches ------------------------------------------------------------------


class TestCampaigns:
    def test_a_campaign_cannot_end_before_it_starts(self, trio):
        with pytest.raises(ApplicationError) as refused:
            services.campaign_save(
                actor=trio.staff_a,
                campaign=InvitationCampaign(
                    name="x",
                    area=trio.tree.a["district"],
                    starts_on=TODAY(),
                    ends_on=TODAY() - dt.timedelta(days=1),
                ),
            )
        assert "end before it starts" in str(refused.value.fields)
        assert not InvitationCampaign.objects.exists()

    def test_viewer_is_refused_and_other_district_does_not_exist(self, trio):
        def new():
            return InvitationCampaign(name="x", area=trio.tree.a["district"], starts_on=TODAY())

        with pytest.raises(PermissionDenied):
            services.campaign_save(actor=trio.viewer_a, campaign=new())
        with pytest.raises(Http404):
            services.campaign_save(actor=trio.staff_b, campaign=new())
        assert not InvitationCampaign.objects.exists()

    def test_closing_keeps_the_funnel_and_refuses_new_batches(self, trio, campaign, batch):
        services.campaign_close(actor=trio.staff_a, campaign=campaign)
        campaign.refresh_from_db()
        assert campaign.status == "closed" and campaign.ends_on == TODAY()
        with pytest.raises(ApplicationError, match="already closed"):
            services.campaign_close(actor=trio.staff_a, campaign=campaign)
        with pytest.raises(ApplicationError, match="closed"):
            issue(trio, campaign)
        assert Invitation.objects.count() == 5


class TestIssuing:
    def test_codes_are_unique_and_typable(self, batch):
        codes = list(batch.invitations.values_list("code", flat=True))
        assert len(set(codes)) == 5
        assert all(len(c) == 8 and set(c) <= set(INVITATION_CODE_ALPHABET) for c in codes)
        assert not {"0", "O", "1", "I", "L"} & set("".join(codes))

    def test_personal_invitations_one_per_recipient(self, trio, campaign):
        recipients = services.parse_recipients(
            "张三 13812345678\n\n李四,139 1234 5679\n13712345670"
        )
        batch = issue(trio, campaign, count=0, recipients=recipients)
        assert sorted(batch.invitations.values_list("recipient_name", "recipient_phone")) == [
            ("", "13712345670"),
            ("张三", "13812345678"),
            ("李四", "13912345679"),
        ]

    def test_bad_recipient_lines_are_all_named_and_nothing_issued(self):
        with pytest.raises(ApplicationError) as refused:
            services.parse_recipients("张三 13812345678\n李四 12345\n王五 13812345678")
        message = refused.value.message
        assert "line 2" in message and "line 3" in message and "twice" in message

    @pytest.mark.parametrize(
        "kwargs, field",
        [
            ({"count": 0}, "count"),
            ({"count": services.MAX_BATCH_SIZE + 1}, "count"),
            ({"channel": "pigeon"}, "channel"),
            ({"community": "district"}, "community"),
        ],
    )
    def test_refusals_by_field(self, trio, campaign, kwargs, field):
        if kwargs.get("community") == "district":
            kwargs["community"] = trio.tree.a["district"]
        with pytest.raises(ApplicationError) as refused:
            issue(trio, campaign, **kwargs)
        assert field in refused.value.fields
        assert not InvitationBatch.objects.exists()

    def test_a_community_outside_the_campaign_area_is_refused(self, trio, campaign):
        street_campaign = services.campaign_save(
            actor=trio.staff_a,
            campaign=InvitationCampaign(
                name="街道邀请", area=trio.tree.a["community2"], starts_on=TODAY()
            ),
        )
        with pytest.raises(ApplicationError, match="outside"):
            issue(trio, street_campaign)
        assert not InvitationBatch.objects.exists()

    def test_trio_on_issuing(self, trio, campaign):
        with pytest.raises(PermissionDenied):
            issue(trio, campaign, actor=trio.viewer_a)
        with pytest.raises(Http404):
            issue(trio, campaign, actor=trio.staff_b, community=trio.tree.b["community"])
        assert not InvitationBatch.objects.exists()

    def test_mark_sent_once(self, trio, batch):
        assert services.batch_mark_sent(actor=trio.staff_a, batch=batch) == 5
        with pytest.raises(ApplicationError, match="already marked sent"):
            services.batch_mark_sent(actor=trio.staff_a, batch=batch)
        with pytest.raises(PermissionDenied):
            services.batch_mark_sent(actor=trio.viewer_a, batch=batch)


# Opening and registering -----------------------------------------------------------------


class TestOpening:
    def test_opening_counts_and_marks_sent(self, batch):
        code = batch.invitations.first().code
        first = services.invitation_open(code.lower()[:4] + "-" + code[4:])
        assert first.open_count == 1 and first.opened_at and first.sent_at
        again = services.invitation_open(code)
        assert again.open_count == 2 and again.opened_at == first.opened_at

    def test_unknown_code_is_none_and_changes_nothing(self, batch):
        assert services.invitation_open("ZZZZZZZZ") is None
        assert services.invitation_open("") is None
        assert not Invitation.objects.filter(open_count__gt=0).exists()


def test_landing_page_then_registration_is_credited(client, trio, batch):
    invitation = batch.invitations.first()
    page = client.get(f"/m/i/{invitation.code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "喊你回家 召集令" in text and "社区欢迎你回家" in text
    assert f"?area={trio.tree.a['community'].code}" in text
    logged_in(client)
    response = client.post("/m/register/", registration())
    assert response.status_code == 302, response.content.decode()
    worker = Worker.objects.get(phone="13700001111")
    assert worker.source == Worker.Source.INVITATION and worker.invitation == invitation
    assert worker.area == trio.tree.a["community"]  # the invitation's community
    assert INVITATION_SESSION_KEY not in client.session


def test_an_existing_worker_is_not_credited(client, trio, batch):
    WorkerFactory(phone="13700001111", area=trio.tree.a["community"])
    client.get(f"/m/i/{batch.invitations.first().code}/")
    logged_in(client)
    page = client.get(f"/m/i/{batch.invitations.first().code}/")
    assert "您已在" in page.content.decode()  # "You are already registered with"
    client.post(f"/m/register/?area={trio.tree.a['community'].code}", registration())
    worker = Worker.objects.get(phone="13700001111")
    assert worker.invitation is None and worker.source == Worker.Source.SELF


def test_a_closed_campaign_still_lets_the_worker_register_without_credit(
    client, trio, campaign, batch
):
    services.campaign_close(actor=trio.staff_a, campaign=campaign)
    page = client.get(f"/m/i/{batch.invitations.first().code}/")
    assert page.status_code == 200 and "邀请活动已结束" in page.content.decode()  # has ended
    logged_in(client)
    client.post(f"/m/register/?area={trio.tree.a['community'].code}", registration())
    worker = Worker.objects.get(phone="13700001111")
    assert worker.invitation is None and worker.source == Worker.Source.SELF


def test_typing_the_code_and_a_wrong_code(client, batch):
    assert client.get("/m/i/").status_code == 200
    code = batch.invitations.first().code
    assert client.get("/m/i/", {"code": f" {code.lower()} "}).status_code == 200
    wrong = client.get("/m/i/", {"code": "ABCD2345"})
    assert wrong.status_code == 404 and "找不到邀请码" in wrong.content.decode()


# The funnel ----------------------------------------------------------------------------------


def test_funnel_per_community_and_total(trio, campaign, batch, campaign_b):
    other = issue(trio, campaign, community=trio.tree.a["community2"], count=4)
    services.batch_mark_sent(actor=trio.staff_a, batch=batch)
    codes = list(batch.invitations.values_list("code", flat=True))
    services.invitation_open(codes[0])
    services.invitation_open(codes[0])
    services.invitation_open(codes[1])
    services.invitation_open(other.invitations.first().code)  # never marked sent: now it is
    first = Invitation.objects.get(code=codes[0])
    WorkerFactory(area=trio.tree.a["community"], invitation=first, status="approved")
    WorkerFactory(area=trio.tree.a["community"], invitation=first)

    rows = selectors.invitation_funnel(user=trio.staff_a)
    assert [
        (r.community.name, r.issued, r.sent, r.opened, r.registered, r.approved) for r in rows
    ] == [
        ("西峰区甲社区", 5, 5, 2, 2, 1),
        ("西峰区乙社区", 4, 1, 1, 0, 0),
    ]
    (total,) = selectors.funnel_totals(rows)
    assert (total.issued, total.sent, total.opened, total.registered) == (9, 6, 3, 2)
    assert total.registered_percent == 33.3 and total.opened_percent == 50.0
    assert selectors.campaign_funnel(campaign) == rows
    assert [r.campaign for r in selectors.invitation_funnel(user=trio.staff_b)] == [campaign_b]
    assert [r.campaign for r in selectors.invitation_funnel(user=trio.viewer_a)] == [campaign] * 2


# API --------------------------------------------------------------------------------------------

CAMPAIGNS, BATCHES, INVITATIONS, FUNNEL = (
    "/api/v1/invitation-campaigns/",
    "/api/v1/invitation-batches/",
    "/api/v1/invitations/",
    "/api/v1/invitation-funnel/",
)


def results(user, url, **params):
    response = client_for(user).get(url, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_api_trio_lists(trio, campaign, batch, campaign_b):
    for user in (trio.staff_a, trio.viewer_a):
        assert [c["name"] for c in results(user, CAMPAIGNS)] == ["喊你回家 召集令"]
        assert [b["size"] for b in results(user, BATCHES)] == [5]
        assert len(results(user, INVITATIONS)) == 5
    assert [c["name"] for c in results(trio.staff_b, CAMPAIGNS)] == ["庆城邀请函"]
    assert len(results(trio.staff_b, INVITATIONS)) == 2
    assert client_for(trio.staff_b).get(f"{CAMPAIGNS}{campaign.pk}/").status_code == 404
    assert client_for(trio.staff_b).get(f"{BATCHES}{batch.pk}/").status_code == 404
    link = results(trio.staff_a, INVITATIONS)[0]["link"]
    assert link.startswith("http://testserver/m/i/")


def test_api_writes_and_refusals(trio, campaign, batch):
    body = {
        "campaign": campaign.pk,
        "community": trio.tree.a["community2"].code,
        "channel": "sms",
        "recipients": "张三 13812345678\n李四 13912345679",
    }
    created = client_for(trio.staff_a).post(BATCHES, body)
    assert created.status_code == 201, created.content
    assert created.json()["size"] == 2
    assert client_for(trio.viewer_a).post(BATCHES, body).status_code == 403
    assert client_for(trio.staff_b).post(BATCHES, body).status_code == 400  # no such campaign
    bad = client_for(trio.staff_a).post(BATCHES, {**body, "recipients": "张三 123"})
    assert bad.status_code == 400 and "第 1 行" in bad.json()["recipients"][0]
    assert InvitationBatch.objects.count() == 2

    sent = client_for(trio.staff_a).post(f"{BATCHES}{batch.pk}/mark-sent/")
    assert sent.status_code == 200 and sent.json()["sent_at"]
    assert client_for(trio.staff_a).post(f"{BATCHES}{batch.pk}/mark-sent/").status_code == 400
    assert client_for(trio.viewer_a).post(f"{CAMPAIGNS}{campaign.pk}/close/").status_code == 403
    assert client_for(trio.staff_b).post(f"{CAMPAIGNS}{campaign.pk}/close/").status_code == 404
    closed = client_for(trio.staff_a).post(f"{CAMPAIGNS}{campaign.pk}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert client_for(trio.staff_a).delete(f"{CAMPAIGNS}{campaign.pk}/").status_code == 405

    new = {"name": "邀请函", "area": trio.tree.a["street"].code, "starts_on": TODAY().isoformat()}
    assert client_for(trio.staff_a).post(CAMPAIGNS, new).status_code == 201
    assert client_for(trio.viewer_a).post(CAMPAIGNS, new).status_code == 403
    assert client_for(trio.staff_b).post(CAMPAIGNS, new).status_code == 400
    backwards = {**new, "ends_on": (TODAY() - dt.timedelta(days=3)).isoformat()}
    assert client_for(trio.staff_a).post(CAMPAIGNS, backwards).status_code == 400


def test_api_funnel(trio, campaign, batch, campaign_b):
    services.invitation_open(batch.invitations.first().code)
    body = client_for(trio.staff_a).get(FUNNEL).json()
    assert [(c["campaign_name"], c["sent"], c["opened"]) for c in body["campaigns"]] == [
        ("喊你回家 召集令", 1, 1)
    ]
    assert body["communities"][0]["community"] == trio.tree.a["community"].code
    other = client_for(trio.staff_b).get(FUNNEL, {"campaign": campaign.pk}).json()
    assert other == {"campaigns": [], "communities": []}
    assert client_for(trio.staff_a).get(FUNNEL, {"campaign": "x"}).status_code == 400
    assert client_for(trio.staff_b).get(FUNNEL, {"area": "621002"}).status_code == 404


@pytest.mark.parametrize("url", [CAMPAIGNS, BATCHES, INVITATIONS, FUNNEL])
def test_api_query_counts_do_not_grow_with_rows(trio, campaign, url):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client_for(trio.staff_a).get(url).status_code == 200
        return len(captured)

    issue(trio, campaign)
    few = count()
    for community in ("community", "community2", "community2"):
        issue(trio, campaign, community=trio.tree.a[community], count=4)
    assert count() == few <= 8


# Admin ------------------------------------------------------------------------------------------


def test_admin_trio(client, trio, campaign, batch, campaign_b):
    client.force_login(trio.staff_a)
    listing = client.get("/admin/members/invitationcampaign/").content.decode()
    assert "喊你回家 召集令" in listing and "庆城邀请函" not in listing
    page = client.get(f"/admin/members/invitationcampaign/{campaign.pk}/change/")
    assert page.status_code == 200 and "funnel" in page.content.decode()
    client.force_login(trio.viewer_a)
    assert client.get(f"/admin/members/invitationbatch/{batch.pk}/change/").status_code == 200
    assert client.get("/admin/members/invitationbatch/add/").status_code == 403
    client.force_login(trio.staff_b)
    assert client.get(f"/admin/members/invitationcampaign/{campaign.pk}/change/").status_code in (
        302,
        404,
    )
    assert client.get(f"/admin/members/invitationbatch/{batch.pk}/cards/").status_code == 404


def test_admin_issue_form_refuses_bad_recipients_and_keeps_them(client, trio, campaign):
    client.force_login(trio.staff_a)
    form = {
        "campaign": campaign.pk,
        "community": trio.tree.a["community"].pk,
        "channel": "letter",
        "recipients": "张三 13812345678\n李四 1234",
        "note": "",
    }
    page = client.post("/admin/members/invitationbatch/add/", form)
    assert page.status_code == 200
    assert "第 2 行" in page.content.decode() and "李四 1234" in page.content.decode()
    assert not InvitationBatch.objects.exists()
    done = client.post(
        "/admin/members/invitationbatch/add/", {**form, "recipients": "", "count": 7}
    )
    assert done.status_code == 302
    assert InvitationBatch.objects.get().invitations.count() == 7


def test_admin_cards_export_and_mark_sent(client, trio, batch):
    client.force_login(trio.staff_a)
    cards = client.get(f"/admin/members/invitationbatch/{batch.pk}/cards/").content.decode()
    assert cards.count("<svg") == 5 and batch.invitations.first().code in cards
    exported = client.post(
        "/admin/members/invitationbatch/",
        {"action": "export_xlsx", "_selected_action": [batch.pk]},
    )
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet["A3"].value == "序号" and sheet.max_row == 3 + 5
    assert str(sheet["C4"].value).startswith("http://testserver/m/i/")
    client.post(
        "/admin/members/invitationbatch/",
        {"action": "mark_sent_selected", "_selected_action": [batch.pk]},
    )
    assert batch.invitations.filter(sent_at__isnull=False).count() == 5


def test_admin_invitation_search_by_code(client, trio, batch):
    client.force_login(trio.staff_a)
    code, *others = batch.invitations.values_list("code", flat=True)
    page = client.get("/admin/members/invitation/", {"q": code.lower()}).content.decode()
    assert code in page and not any(other in page for other in others)
