"""The access log (DOMAIN §12; the 2025 personal-data law): who signed in, who looked at whose record, who took
personal data out or brought it in, and from which machine. `record` is the one way to write it; the system
administrator reads it on the access log page. Writing it never stops the work it records."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from .models import AccessEvent

Kind = AccessEvent.Kind
log = logging.getLogger(__name__)


def client_ip(request: Any) -> str | None:
    """The address of the machine that sent `request`: behind COSO_PROXY_COUNT proxies (nginx), the one they
    name in X-Forwarded-For; otherwise the connection's own."""
    if request is None:
        return None
    proxies = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies] or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    user: Any, kind: str, what: str = "", *, request: Any = None, username: str = "", path: str = ""
) -> None:
    """Log one access. `user` may be None (a failed login, a command on the server): `username` then says who
    was named. A failure to write the log is logged, not raised."""
    real = user if getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            AccessEvent.objects.create(
                user=real,
                username=(username or (real.get_username() if real else ""))[:150],
                kind=kind,
                what=what[:500],
                path=(path or (request.get_full_path() if request is not None else ""))[:500],
                ip=client_ip(request),
            )
    except DatabaseError:
        log.exception("access log not written: %s %s", kind, what)
