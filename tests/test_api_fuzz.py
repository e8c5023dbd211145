"""The API fuzzer (issue 12 §2): schemathesis sends generated input — valid and invalid — to
every operation of /api/schema/, in-process through the WSGI application, as a district's
staff member (who may write) and as the same district's read-only viewer. No answer may be a
500, and every answer must be one the schema documents (status code and body).

The run is fixed — a seed, derandomized generation, a fixed number of examples per
operation, no coverage or stateful phase — so CI sends the same requests every time, in
about 2½ minutes on the 2-core machine. `pytest -m fuzz` runs it alone, `-m "not fuzz"`
leaves it out; FUZZ_EXAMPLES, FUZZ_SEED, FUZZ_COVERAGE=1 and FUZZ_STATEFUL=1
(FUZZ_STATEFUL_EXAMPLES) make the
longer run for before a release (BENCHMARKS.md, "API fuzzing"). `pytest -s` prints the
requests per phase and the status codes answered.
"""

import logging
import os
import secrets
import traceback
from collections import Counter
from importlib import import_module

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from schemathesis import engine
from schemathesis.engine import events

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

# Examples per operation in the fuzzing phase, valid and invalid together: what keeps the
# whole run (two users, 114 operations) within about 4 minutes here, with room to spare.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "20"))
SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
# The longer run before a release adds schemathesis's coverage phase (boundary values of
# every parameter, ~100 requests per operation) and the stateful phase (chains of calls).
COVERAGE = os.environ.get("FUZZ_COVERAGE") == "1"
STATEFUL = os.environ.get("FUZZ_STATEFUL") == "1"
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "200"))  # chains of calls

# A district's staff member (writes allowed) and the same district's read-only viewer.
ACTORS = ["district_xifeng", "viewer_xifeng"]
# Requests and seconds per phase, printed at the end (pytest -s): the figures of a run.
STATS: dict[str, list] = {}
STATUSES: Counter = Counter()


def fuzz_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "suppress-health-check": ["all"],
            "workers": 1,
            "generation": {
                "mode": "all",  # valid input and invalid input
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": COVERAGE},
                "fuzzing": {"enabled": True},
                "stateful": {
                    "enabled": STATEFUL,
                    "generation": {"max-examples": STATEFUL_EXAMPLES},
                },
            },
            "checks": {
                "enabled": False,
                "not_a_server_error": {"enabled": True},
                "response_schema_conformance": {"enabled": True},
                "status_code_conformance": {"enabled": True},
            },
        }
    )


@pytest.fixture
def demo_network(transactional_db):
    """The demo network, committed: every request runs in autocommit as it does when
    served, so a statement the database refuses cannot poison the requests after it."""
    call_command("load_demo", verbosity=0)


def sign_in(username: str) -> dict[str, str]:
    """The headers of a signed-in browser: a session cookie, and a CSRF token as cookie and
    header (SessionAuthentication checks it on writes). The session is made as login()
    makes it, without the login page and the authenticator app: lockouts and two-factor
    sign-in have tests of their own (security/), here they would only stand between the
    fuzzer and the API."""
    user = get_user_model().objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # A district's staff must give a second factor: the session says it was given.
    device = TOTPDevice.objects.create(user=user, name="fuzz", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    token = secrets.token_hex(16)  # a CSRF secret: 32 characters of the allowed alphabet
    return {
        "Cookie": (
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={token}"
        ),
        "X-CSRFToken": token,
        # The in-process transport hands the fuzzer the body as the app sent it, without
        # undoing a gzip (config/settings: GZipMiddleware); a browser would undo it.
        "Accept-Encoding": "identity",
    }


def browser(application, headers: dict[str, str]):
    """The WSGI application as a signed-in browser reaches it: every request carries the
    session cookie and the CSRF token (the test client keeps its own cookie jar, so they
    are set here rather than as request headers)."""
    environ_headers = {f"HTTP_{name.upper().replace('-', '_')}": v for name, v in headers.items()}

    def app(environ, start_response):
        environ.update(environ_headers)
        return application(environ, start_response)

    return app


def load_schema(headers: dict[str, str]):
    """/api/schema/ as the signed-in user reads it; requests go to the application
    in-process."""
    response = Client().get(
        "/api/schema/",
        HTTP_ACCEPT="application/vnd.oai.openapi+json",
        HTTP_COOKIE=headers["Cookie"],
    )
    assert response.status_code == 200, response.status_code
    schema = schemathesis.openapi.from_dict(response.json(), config=fuzz_config())
    schema.app = browser(WSGIHandler(), headers)
    return schema


def run(schema) -> tuple[set[str], list[str]]:
    """Run the engine as `schemathesis run` would: the operations tested, and one entry per
    problem (a failed check with the request that shows it, or an error), each 500 with the
    traceback the server logged."""
    operations, problems, tracebacks = set(), [], []

    def record(sender, request=None, **kwargs):
        tracebacks.append(f"{request.method} {request.get_full_path()}\n{traceback.format_exc()}")

    got_request_exception.connect(record, dispatch_uid="api-fuzz")
    # Thousands of refusals are the point here, not news: Django logs each 4xx as a warning.
    request_log = logging.getLogger("django.request")
    level, request_log.level = request_log.level, logging.ERROR
    try:
        for event in engine.from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                if event.label:  # a stateful scenario is a chain, not one operation
                    operations.add(event.label)
                phase = STATS.setdefault(event.phase.value, [0, 0.0])
                phase[0] += len(event.recorder.cases)
                phase[1] += event.elapsed_time
                for interaction in event.recorder.interactions.values():
                    if interaction.response is not None:
                        STATUSES[interaction.response.status_code] += 1
                for checks in event.recorder.checks.values():
                    for check in checks:
                        if check.failure_info is not None:
                            failure = check.failure_info.failure
                            problems.append(
                                f"{event.label or 'stateful'}: {failure.title}\n{failure.message}\n"
                                f"{check.failure_info.code_sample}"
                            )
            elif isinstance(event, events.NonFatalError):
                problems.append(f"{event.label}: {event.info.format()}")
            elif isinstance(event, events.FatalError):
                raise event.exception
    finally:
        got_request_exception.disconnect(dispatch_uid="api-fuzz")
        request_log.setLevel(level)
    return operations, problems + tracebacks


@pytest.mark.parametrize("username", ACTORS)
def test_every_operation_answers_within_its_schema(username, demo_network, settings):
    settings.API_REQUESTS_PER_MINUTE = 1_000_000  # a fuzzer is a script: no rate limit here
    schema = load_schema(sign_in(username))
    documented = {op.ok().label for op in schema.get_all_operations()}
    tested, problems = run(schema)
    print(username, {phase: (n, round(t)) for phase, (n, t) in STATS.items()})
    print(username, dict(sorted(STATUSES.items())))
    STATS.clear()
    STATUSES.clear()
    assert not problems, f"{len(problems)} problems:\n\n" + "\n\n".join(problems)
    assert tested == documented, documented - tested
