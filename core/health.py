"""/healthz: is each component this process depends on reachable right now?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT PostGIS_Lib_Version()")
            return True, f"postgis {cursor.fetchone()[0]}"
    except Exception as exc:  # any failure means "down"; say why
        return False, str(exc)[:200]


def _redis() -> tuple[bool, str]:
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1).ping()
        return True, "ok"
    except Exception as exc:
        return False, str(exc)[:200]


def _celery() -> tuple[bool, str]:
    from celery import current_app as app  # the project's app (config/celery.py), set at start-up

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:
        return False, str(exc)[:200]
    if not replies:
        return False, "no worker answered within 1 s"
    return True, f"{len(replies)} worker(s)"


def healthz(request):
    checks = {}
    for name, probe in (("database", _database), ("redis", _redis), ("celery", _celery)):
        ok, detail = probe()
        checks[name] = {"ok": ok, "detail": detail}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
