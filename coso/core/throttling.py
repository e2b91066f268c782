"""API throttles that read their rates from settings.COSO_API_RATES at each request. Kept apart from core.api:
DRF loads the throttle and authentication classes named in settings while core.api itself is being imported."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class RatesFromSettings:
    """A throttle whose rate is settings.COSO_API_RATES[scope], read at each request (a deployment or a test may
    change it)."""

    scope: str

    def get_rate(self) -> str | None:
        return settings.COSO_API_RATES.get(self.scope)


class RefusedCallThrottle(RatesFromSettings, SimpleRateThrottle):
    """Calls refused for want of a valid login, per address, at settings.COSO_API_RATES["anon"]."""

    scope = "anon"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "refused", "ident": self.get_ident(request)}
