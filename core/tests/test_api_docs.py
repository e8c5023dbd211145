"""/api/schema/ and /api/docs/: open where API_DOCS_PUBLIC is on (local, tests), for
signed-in users only where it is off (the production default)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(settings):
    settings.API_DOCS_PUBLIC = False


def test_open_docs_answer_anyone(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_closed_schema_refuses_anonymous_callers(client, closed):
    response = client.get("/api/schema/")
    assert response.status_code == 403
    assert b"openapi" not in response.content


def test_closed_docs_page_sends_a_person_to_sign_in(client, closed):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/api/docs/")


def test_closed_docs_answer_a_signed_in_user(client, closed):
    client.force_login(get_user_model().objects.create_user("reader"))
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
    assert client.get("/api/docs/").status_code == 200
