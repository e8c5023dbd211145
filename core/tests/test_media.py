"""Media under `make run` (SERVE_MEDIA, DEBUG off): Django serves the public folders (station
photos) and nothing else under MEDIA_ROOT."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    (tmp_path / "stations" / "7").mkdir(parents=True)
    (tmp_path / "stations" / "7" / "photo.jpg").write_bytes(b"\xff\xd8photo")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "report.jpg").write_bytes(b"\xff\xd8private")
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path


def test_station_photos_are_served(client, media):
    response = client.get("/media/stations/7/photo.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8photo"


def test_other_folders_are_not_served(client, media):
    assert client.get("/media/private/report.jpg").status_code == 404
    assert client.get("/media/secret.txt").status_code == 404


def test_a_path_that_climbs_out_of_a_public_folder_is_not_served(client, media):
    assert client.get("/media/stations/../secret.txt").status_code == 404
    assert client.get("/media/stations/%2e%2e/private/report.jpg").status_code == 404
    assert client.get("/media/stations/7/../../secret.txt").status_code == 404


def test_folders_are_not_listed(client, media):
    assert client.get("/media/stations/7/").status_code == 404


def test_nothing_is_served_when_nginx_serves_media(client, media, settings):
    settings.SERVE_MEDIA = False
    assert client.get("/media/stations/7/photo.jpg").status_code == 404
