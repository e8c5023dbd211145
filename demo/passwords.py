"""The demo accounts' password, hashed once per run: a password hash is slow on purpose
(~0.4 s), and the demo gives the same password to a few dozen accounts."""

from django.conf import settings
from django.contrib.auth.hashers import make_password

_hashes: dict[tuple[str, str], str] = {}


def give_demo_password(user) -> None:
    """What user.set_password(settings.DEMO_PASSWORD) does, with the hash made once. Like
    set_password it leaves the raw password on the user, so that save() tells the password
    validators it was set (security records that, and the password's age). Call save()."""
    password = settings.DEMO_PASSWORD
    key = (password, settings.PASSWORD_HASHERS[0])
    if key not in _hashes:
        _hashes[key] = make_password(password)
    user.password = _hashes[key]
    user._password = password
