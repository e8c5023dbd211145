"""Every API list endpoint answers in a number of queries that does not grow with the
rows it returns (no query per row), generated over the router as the isolation matrix is:
a page of one row and a page of fifty cost the same, on the demo network, as the city
department that reaches the most rows."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from .test_isolation_matrix import api_routes

pytestmark = pytest.mark.django_db

# Queries a list may make whatever its size: the session's user, their grants (the reach),
# the page's count and the page itself, and a few prefetches.
MOST_QUERIES_FOR_A_LIST = 12


def queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), len(response.json()["results"])


def test_every_list_costs_the_same_for_one_row_and_for_fifty(demo):
    from django.urls import reverse

    users = get_user_model().objects.filter(
        username__in=["city_qingyang", "party_xifeng", "keeper_beidajie"]
    )
    pinned = 0
    for route in api_routes():
        for user in users:
            client = APIClient()
            client.force_authenticate(user)
            url = reverse(route)
            queries_for(client, f"{url}?limit=1")  # warm: caches, the reach on the user
            one, got_one = queries_for(client, f"{url}?limit=1")
            many, got_many = queries_for(client, f"{url}?limit=50")
            if got_many < 2:
                continue  # nothing to compare for this role
            assert many == one, f"{route} as {user}: {one} queries for 1 row, {many} for {got_many}"
            assert many <= MOST_QUERIES_FOR_A_LIST, f"{route} as {user}: {many} queries"
            pinned += 1
    assert pinned >= 10
