"""The demo's cases (feedback/demo.py): every state a case reaches, loaded once."""

import pytest

from feedback.demo import load_demo_feedback
from feedback.models import Case, CaseNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def test_the_demo_shows_every_state_of_a_case(demo):
    states = set(Case.objects.values_list("status", flat=True))
    assert {
        "submitted",
        "accepted",
        "in_progress",
        "resolved",
        "closed",
        "duplicate",
        "declined",
    } <= states
    wire = Case.objects.get(text__contains="拉电线")
    assert (wire.reopen_count, wire.escalations, wire.responsible_area.level) == (1, 1, "street")
    assert CaseNotice.objects.filter(case=wire, kind="escalated").exists()
    wages = Case.objects.get(text__contains="拖欠")
    assert wages.department.name == "西峰区人力资源和社会保障局"
    assert Case.objects.filter(source="hotline", area__code__startswith="410304").exists()
    assert Case.objects.filter(published_at__isnull=False).count() == 1


def test_a_second_run_adds_nothing(demo):
    count = Case.objects.count()
    load_demo_feedback()
    assert Case.objects.count() == count
