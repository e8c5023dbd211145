"""Fixtures of the cross-app tests."""

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):
    """The demo network (every role, every app's demo data), as `make run` loads it."""
    call_command("load_demo", verbosity=0)
