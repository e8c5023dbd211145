"""Files that are not public — a hazard report's photos, a wish's photos before it is
published, a signed form — are stored under PRIVATE_MEDIA_ROOT, which is outside
MEDIA_ROOT: no web server serves them by URL, however well someone guesses the name. They
are served by one view, /files/<kind>/<name>, which asks the app that owns the kind whether
this request may see this file; a file out of reach is answered as a file that does not
exist (404).

An app registers its kind in AppConfig.ready():

    private_files.register(PrivateKind("wishes.photo", may_view=selectors.may_view_photo))

and stores the files with `storage=private_storage, upload_to=private_upload_to("wishes.photo")`
(names are random, and the kind is the first folder)."""

import mimetypes
import posixpath
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject
from django.views.decorators.http import require_GET

from .registry import Registry


@dataclass(frozen=True)
class PrivateKind:
    key: str  # "<app>.<what>", also the folder under PRIVATE_MEDIA_ROOT
    # May this request see the file stored as `name` (e.g. "wishes.photo/ab12….jpg")?
    may_view: Callable[[object, str], bool]


_kinds: Registry[PrivateKind] = Registry("kind of private file")


def register(kind: PrivateKind) -> PrivateKind:
    return _kinds.register(kind.key, kind)


class _PrivateStorage(LazyObject):
    """The storage of private files, made when first used (so tests may change the
    setting), with no base URL: its files have no public address."""

    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


private_storage = _PrivateStorage()


def field_storage():
    """`storage=` for a model's private FileField: a callable, so that migrations name it
    instead of copying the storage with the path of the machine that made them."""
    return private_storage


@deconstructible
class private_upload_to:  # noqa: N801 (used like a function in a FileField)
    """upload_to for a private kind: "<kind>/<random>.<ext>" — the name says nothing about
    the person or the record."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()[:10]
        return f"{self.kind}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other):
        return isinstance(other, private_upload_to) and other.kind == self.kind


def url_for(name: str) -> str:
    """The scoped address of a stored private file (its name as the storage keeps it)."""
    kind, _, rest = name.partition("/")
    return reverse("private-file", kwargs={"kind": kind, "name": rest})


@require_GET
def serve(request, kind: str, name: str):
    try:
        registered = _kinds.get(kind)
    except KeyError:
        raise Http404 from None
    clean = posixpath.normpath(name)
    if clean != name or clean.startswith(("/", "..")) or "/" in clean:
        raise Http404  # one flat folder per kind: nothing to walk to
    stored = f"{kind}/{clean}"
    if not registered.may_view(request, stored) or not private_storage.exists(stored):
        raise Http404
    content_type = mimetypes.guess_type(clean)[0] or "application/octet-stream"
    response = FileResponse(private_storage.open(stored, "rb"), content_type=content_type)
    # Never kept by a shared cache or a proxy; the browser keeps it only for this person.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
