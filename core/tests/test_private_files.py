"""Private files (core/private_files.py): no address under /media/, one scoped view that
asks the owning app, and an out-of-reach file answered like a missing one."""

import pytest
from django.core.files.base import ContentFile
from django.utils.functional import empty

from core import private_files

pytestmark = pytest.mark.django_db

ALLOWED_USERNAME = "may-see"


def _only_one_person(request, name: str) -> bool:
    return request.user.is_authenticated and request.user.username == ALLOWED_USERNAME


TEST_KIND = private_files.register(
    private_files.PrivateKind("tests.private-photo", may_view=_only_one_person)
)


@pytest.fixture
def stored(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    private_files.private_storage._wrapped = empty  # the new setting
    upload_to = private_files.private_upload_to(TEST_KIND.key)
    name = private_files.private_storage.save(
        upload_to(None, "张三的照片.JPG"), ContentFile(b"jpeg")
    )
    yield name
    private_files.private_storage._wrapped = empty


def test_a_private_file_has_a_random_name_outside_the_media_folder(stored, settings):
    kind, _, file_name = stored.partition("/")
    assert kind == "tests.private-photo" and file_name.endswith(".jpg")
    assert "张三" not in stored
    assert (settings.PRIVATE_MEDIA_ROOT / stored).exists()
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))


def test_only_the_owning_app_decides_who_sees_it(client, stored, django_user_model):
    url = private_files.url_for(stored)
    assert url.startswith("/files/tests.private-photo/")
    assert client.get(url).status_code == 404  # anonymous: as if it did not exist
    client.force_login(django_user_model.objects.create(username="someone-else"))
    assert client.get(url).status_code == 404
    client.force_login(django_user_model.objects.create(username=ALLOWED_USERNAME))
    shown = client.get(url)
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == b"jpeg"
    assert shown["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/files/tests.private-photo/../../keys/personal-data.keys",
        "/files/tests.private-photo/%2e%2e/secret",
        "/files/tests.private-photo/sub/dir.jpg",
        "/files/unknown.kind/x.jpg",
        "/files/tests.private-photo/a%00b.jpg",
        "/files/tests.private-photo/" + "x" * 5000 + ".jpg",
        "/media/tests.private-photo/x.jpg",
    ],
)
def test_no_other_path_reaches_a_private_file(client, stored, path, django_user_model):
    client.force_login(django_user_model.objects.create(username=ALLOWED_USERNAME))
    assert client.get(path).status_code == 404
