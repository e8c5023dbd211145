"""A worker logs in on the phone with their mobile number and a 6-digit SMS code.

The rules, in one place:
- a code is valid for CODE_VALID_MINUTES, works once, and only the latest one counts;
- only a keyed hash of the code is stored (a database dump reveals no live codes);
- codes are sent at most 1 a minute, 5 an hour and 10 a day per phone, and the same per
  address (core.ratelimit, in Redis);
- after MAX_WRONG_TRIES wrong codes the code is spent and a new one must be asked for.

The login itself is a few keys in the Django session (`sign_in`/`current_worker`): workers
are not Django users, and a staff member logged into the admin in the same browser stays
logged in when a worker logs out.
"""

import ipaddress
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import ratelimit, sms
from core.exceptions import ApplicationError
from core.identifiers import is_ascii_digits, normalize_mobile, validate_mobile

from . import selectors
from .models import LoginCode, Worker
from .services import refuse
from .services.privacy import current_notice_version

CODE_LENGTH = 6
CODE_VALID_MINUTES = 5
MAX_WRONG_TRIES = 5
KEEP_CODES_FOR = timedelta(days=7)  # then purge_login_codes deletes them

_MINUTE, _HOUR, _DAY = 60, 3600, 86400
# Longest window first: when several are used up, the person is told the one that lasts.
SEND_LIMITS = [
    ratelimit.Limit(10, _DAY, gettext_lazy("Too many codes today. Please try again tomorrow.")),
    ratelimit.Limit(
        5, _HOUR, gettext_lazy("Too many codes this hour. Please try again in an hour.")
    ),
    ratelimit.Limit(
        1,
        _MINUTE,
        gettext_lazy(
            "A code was sent less than a minute ago. Please wait a moment before asking again."
        ),
    ),
]

SESSION_PHONE = "worker_phone"


def _hash(phone: str, code: str) -> str:
    return salted_hmac("members.login-code", f"{phone}:{code}", algorithm="sha256").hexdigest()


def _valid_phone(phone: str) -> str:
    phone = normalize_mobile(phone)
    try:
        validate_mobile(phone)
    except ValidationError:
        raise refuse("phone", _("Enter an 11-digit mainland mobile number.")) from None
    return phone


def _ip_or_none(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def login_code_send(*, phone: str, ip: str) -> LoginCode:
    """Send a new login code to `phone`, or refuse (too soon, too many, gateway down)."""
    phone = _valid_phone(phone)
    try:
        ratelimit.take("login-code", [f"phone:{phone}", f"ip:{ip}"], SEND_LIMITS)
    except ratelimit.LimitReached as reached:
        raise refuse("phone", str(reached.limit.message)) from None
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))
    now = timezone.now()
    login_code = LoginCode.objects.create(
        phone=phone,
        code_hash=_hash(phone, code),
        requested_from=_ip_or_none(ip),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
    )
    try:
        sms.get_backend().send_login_code(phone=phone, code=code, valid_minutes=CODE_VALID_MINUTES)
    except sms.SmsError:
        LoginCode.objects.filter(pk=login_code.pk).update(expires_at=now)
        raise ApplicationError(
            _("The text message could not be sent just now. Please try again in a minute.")
        ) from None
    return login_code


def code_sent_message() -> str:
    """What a page says once the code is on its way."""
    return _("A code was sent to your phone. It is valid for %(minutes)d minutes.") % {
        "minutes": CODE_VALID_MINUTES
    }


def login_code_verify(*, phone: str, code: str) -> str:
    """Check the code; returns the normalised phone number, or refuses. A wrong code counts
    against the code's tries, and that count is kept even though the call refuses."""
    phone = _valid_phone(phone)
    code = "".join(ch for ch in (code or "") if is_ascii_digits(ch))
    if len(code) != CODE_LENGTH:
        raise refuse("code", _("Enter the 6-digit code from the text message."))
    with transaction.atomic():
        latest = (
            LoginCode.objects.select_for_update()
            .filter(phone=phone)
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.used_at or latest.expires_at <= timezone.now():
            refusal = _("This code has expired or was already used. Ask for a new code.")
        elif latest.failed_attempts >= MAX_WRONG_TRIES:
            refusal = _("Too many wrong codes. Ask for a new code.")
        elif constant_time_compare(latest.code_hash, _hash(phone, code)):
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            return phone
        else:
            latest.failed_attempts += 1
            latest.save(update_fields=["failed_attempts"])
            left = MAX_WRONG_TRIES - latest.failed_attempts
            refusal = (
                _("That code is not right. %(left)d tries left.") % {"left": left}
                if left
                else _("Too many wrong codes. Ask for a new code.")
            )
    raise refuse("code", refusal)


def login_codes_purge() -> int:
    """Delete codes past their keeping time (a beat job). Returns how many."""
    deleted, _counts = LoginCode.objects.filter(
        created_at__lt=timezone.now() - KEEP_CODES_FOR
    ).delete()
    return deleted


# The worker's session ---------------------------------------------------------------------


def sign_in(request, phone: str) -> None:
    request.session.cycle_key()  # a new session id at login: no fixation
    request.session[SESSION_PHONE] = phone
    worker = selectors.worker_for_phone(phone, only=("id",))
    if worker is not None:
        # The retention rule for records nobody uses reads this (members.my_data).
        Worker.objects.filter(pk=worker.pk).update(last_login_at=timezone.now())


def sign_out(request) -> None:
    request.session.pop(SESSION_PHONE, None)
    request.session.cycle_key()


def safe_next(request, default: str, param: str = "next") -> str:
    """Where to go afterwards: a path on this site the page was given, else `default`."""
    target = request.POST.get(param) or request.GET.get(param) or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def signed_in_phone(request) -> str | None:
    return request.session.get(SESSION_PHONE)


# [phone, worker id]: the record the logged-in phone led to, kept for the busy check-in
# path (a merge is followed by the database function that records the check-in).
SESSION_WORKER_ID = "worker_id"


def current_worker_id(request) -> int | None:
    """The id of the logged-in phone's worker record, looked up once per session."""
    phone = signed_in_phone(request)
    if not phone:
        return None
    cached = request.session.get(SESSION_WORKER_ID)
    if cached and cached[0] == phone:
        return cached[1]
    worker = selectors.worker_for_phone(phone, only=("id",))
    if worker is None:
        return None
    request.session[SESSION_WORKER_ID] = [phone, worker.pk]
    return worker.pk


def current_worker(request, *, only: tuple[str, ...] = ()) -> Worker | None:
    """The worker record of the logged-in phone (the kept record if it was merged);
    `only` as in selectors.worker_for_phone."""
    phone = signed_in_phone(request)
    return selectors.worker_for_phone(phone, only=only) if phone else None


# [phone, notice version]: the worker of this phone has agreed to this version of the
# privacy notice themselves; checked once per session and version.
SESSION_CONSENT = "worker_consent"


def notice_settled(request) -> bool:
    """Has the logged-in worker agreed to the current privacy notice themselves? A phone
    without a record has nothing to agree to yet (registering asks for it); a record made
    by staff or imported from a ledger has never been agreed to by the worker, and a new
    version of the notice has not been agreed to by anyone."""
    phone, version = signed_in_phone(request), current_notice_version()
    if request.session.get(SESSION_CONSENT) == [phone, version]:
        return True
    worker_id = current_worker_id(request)
    if worker_id is None:
        return True
    if selectors.notice_accepted_by_worker(worker_id, version):
        request.session[SESSION_CONSENT] = [phone, version]
        return True
    return False


def worker_login_required(view=None, *, ask_consent: bool = True):
    """Send a worker who has not logged in to the code login, and back here afterwards;
    one who has not agreed to the current privacy notice to the consent page first, before
    anything else (not on the pages where they may read, download or delete their data
    without agreeing: `ask_consent=False`)."""
    if view is None:
        return lambda view: worker_login_required(view, ask_consent=ask_consent)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not signed_in_phone(request):
            login_url = reverse("mobile-login")
            return redirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
        if ask_consent and not notice_settled(request):
            consent_url = reverse("mobile-consent")
            return redirect(f"{consent_url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def registered_worker_required(view=None, *, only: tuple[str, ...] = ()):
    """Logged in by code and registered: the view is called with the `worker`. A phone
    without a record registers first and comes back here (register's ?then=). `only`
    loads just those fields of the worker (a hot path: the report form)."""
    if view is None:
        return lambda view: registered_worker_required(view, only=only)

    @worker_login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        worker = current_worker(request, only=only)
        if worker is None:
            then = urlencode({"then": request.get_full_path()})
            return redirect(f"{reverse('mobile-register')}?{then}")
        return view(request, *args, worker=worker, **kwargs)

    return wrapper
