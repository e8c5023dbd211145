"""The worker's own page (/m/me) links to their estate passes with how many of them show a
code now (estates/me_panels.py)."""

import pytest
from django.urls import reverse

from estates import services
from members.models import Worker
from members.tests.factories import WorkerFactory, phone_logged_in

from .factories import EstateFactory, authorised

pytestmark = pytest.mark.django_db


def test_me_links_to_the_passes_and_counts_those_working(client, trio):
    community = trio.tree.a["community"]
    worker = WorkerFactory(area=community, phone="13800138000", status=Worker.Status.APPROVED)
    phone_logged_in(client, worker.phone)
    link = reverse("mobile-estate-passes")
    page = client.get("/m/me/").content.decode()
    assert link in page and "<strong>" not in page.split(link)[1].split("</a>")[0]  # none yet
    first, second = EstateFactory(area=community), EstateFactory(area=community)
    authorised(first, phone=worker.phone)
    suspended = authorised(second, phone=worker.phone)
    services.pass_suspend(actor=trio.staff_a, estate_pass=suspended, reason="借给他人使用")
    authorised(EstateFactory(area=community), phone="13900139000")  # someone else's
    page = client.get("/m/me/").content.decode()
    assert "<strong>1</strong>" in page.split(link)[1].split("</a>")[0]
