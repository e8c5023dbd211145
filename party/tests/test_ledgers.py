"""The party members' ledger: imported for registered workers with party-affairs access,
exported in the government layout."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from openpyxl import load_workbook

from areas.models import StaffGrant
from ledgers import services as ledgers
from members.models import Enterprise, Outlet, Worker
from members.tests.factories import WorkerFactory
from members.tests.test_ledgers import upload, xlsx
from party.models import PartyMember

pytestmark = pytest.mark.django_db

PARTY_HEADERS = [
    "姓名",
    "手机号码",
    "组织关系所在党支部",
    "组织关系所在地",
    "在册/流动",
    "正式/预备",
    "入党日期",
]


@pytest.mark.django_db
def test_party_member_import(party_trio, party_a):
    community = party_trio.tree.a["community"]
    consented = WorkerFactory(
        area=community, name="王党员", phone="13600000001", sensitive_consent_at=timezone.now()
    )
    WorkerFactory(area=community, name="李群众", phone="13600000002")
    rows = [
        ["王党员", "13600000001", "甲社区党支部", "", "在册", "预备党员", "2025-07-01"],
        ["李群众", "13600000002", "某村党支部", "河南", "流动", "正式党员", ""],
        ["张三", "13600000009", "某村党支部", "河南", "流动", "正式党员", ""],
        [
            "王党员",
            party_a.member.worker.phone,
            "某村党支部",
            "河南",
            "漂流",
            "正式党员",
            "2099-01-01",
        ],
    ]
    with pytest.raises(PermissionDenied):
        upload(party_trio.viewer_a, community, xlsx(PARTY_HEADERS, rows), kind="party_members")
    job = upload(party_trio.staff_a, community, xlsx(PARTY_HEADERS, rows), kind="party_members")
    by_row = {e["row"]: " ".join(e["messages"]) for e in job.errors}
    assert "not consented" in by_row[5]
    assert "No worker" in by_row[6]
    assert "already recorded" in by_row[7] and "漂流" in by_row[7] and "future" in by_row[7]
    assert "belongs to" in by_row[7]
    job = ledgers.import_commit(actor=party_trio.staff_a, job=job, skip_invalid=True)
    member = PartyMember.objects.get(worker=consented)
    assert member.membership_org == party_a.community_branch
    assert member.standing == "probationary" and member.revealed_on == timezone.localdate()
    consented.refresh_from_db()
    assert consented.political_status == Worker.PoliticalStatus.PROBATIONARY


@pytest.mark.django_db
def test_party_member_import_needs_the_party_flag(trio):
    # Without the flag, party records do not exist for them: 404, as everywhere.
    with pytest.raises(Http404):
        upload(
            trio.staff_a,
            trio.tree.a["community"],
            xlsx(PARTY_HEADERS, [["", "13600000001", "x", "", "在册", "正式", ""]]),
            kind="party_members",
        )


@pytest.mark.django_db
def test_outlet_and_party_exports(client, party_trio, party_a):
    client.force_login(party_trio.staff_a)
    response = client.post(
        "/admin/party/partymember/",
        {"action": "export_ledger", "_selected_action": [party_a.member.pk]},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "新就业群体党员台账" and sheet.max_row == 4
    enterprise = Enterprise.objects.create(
        name="中通快递", kind="express", area=party_trio.tree.a["district"]
    )
    outlet = Outlet.objects.create(
        enterprise=enterprise,
        name="网点",
        kind="express_outlet",
        area=party_trio.tree.a["community"],
        contact_name="赵六",
        contact_phone="13812345678",
    )
    response = client.post(
        "/admin/members/outlet/", {"action": "export_ledger", "_selected_action": [outlet.pk]}
    )
    row = [c.value for c in load_workbook(io.BytesIO(response.content)).active[4]]
    assert row[1:3] == ["中通快递", "网点"] and "赵*" in row and "138****5678" in row


@pytest.mark.django_db
def test_party_import_pages_need_the_party_flag_and_error_rows_need_write(
    client, party_trio, party_a
):
    rows = [["", "13600000009", "某村党支部", "河南", "流动", "正式党员", ""]]
    job = upload(
        party_trio.staff_a,
        party_trio.tree.a["community"],
        xlsx(PARTY_HEADERS, rows),
        kind="party_members",
    )
    review = f"/admin/ledgers/importjob/{job.pk}/review/"
    client.force_login(party_trio.viewer_a)  # party flag, read only
    assert client.get(review).status_code == 200
    assert client.get(f"/admin/ledgers/importjob/{job.pk}/errors/").status_code == 403
    client.force_login(party_trio.staff_a)
    assert client.get(f"/admin/ledgers/importjob/{job.pk}/errors/").status_code == 200
    StaffGrant.objects.filter(user=party_trio.viewer_a).update(party_affairs=False)
    client.force_login(party_trio.viewer_a)
    assert client.get(review).status_code == 404
