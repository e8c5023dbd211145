"""Writing the security audit log. One function, called by the signal receivers
(security/signals.py) and by services that do something an auditor must see."""

import logging

from core.ratelimit import client_ip

from .models import SecurityEvent

logger = logging.getLogger("security.audit")

Kind = SecurityEvent.Kind


def record(
    kind: str,
    *,
    actor=None,
    username: str = "",
    request=None,
    target: str = "",
    detail: dict | None = None,
) -> SecurityEvent:
    """Append one event. `actor` is the account that acted (or None); `username` the name
    typed at a failed login when there is no account; `request` gives the address and
    browser."""
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None  # AnonymousUser
    address, agent = None, ""
    if request is not None:
        address = client_ip(request)
        if address == "unknown":
            address = None
        agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    event = SecurityEvent.objects.create(
        kind=kind,
        actor=actor,
        username=(username or getattr(actor, "username", "") or "")[:150],
        ip_address=address,
        user_agent=agent,
        target=(target or "")[:200],
        detail=detail or {},
    )
    logger.info("%s %s %s", kind, event.username or "-", event.target)
    return event
