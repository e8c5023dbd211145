"""Fixtures shared by every app's tests, registered once here (Saleor style)."""

pytest_plugins = [
    "areas.tests.fixtures",
    "stations.tests.fixtures",
]
