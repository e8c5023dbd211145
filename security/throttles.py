"""The API's request rate per signed-in person (REST_FRAMEWORK's throttle), read from
settings at each request so a district can change API_REQUESTS_PER_MINUTE without code."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class PerPersonApiThrottle(UserRateThrottle):
    """Counts in the cache. While Redis is down (core/cache.py) the count is lost and the
    API is not rate-limited for that minute: refusing every staff member would be worse,
    and the limits that guard against strangers (login failures, SMS codes) count in the
    database meanwhile (core/ratelimit.py)."""

    scope = "person"

    def get_rate(self):
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        # Only signed-in people are counted here. Anonymous calls (the phone's nearby
        # search) come from riders behind carriers' shared addresses: a per-address limit
        # would lock out a whole neighbourhood, and the SMS login has limits of its own.
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)
