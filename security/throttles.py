"""The API's request rate per signed-in person (REST_FRAMEWORK's throttle), read from
settings at each request so a district can change API_REQUESTS_PER_MINUTE without code."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class PerPersonApiThrottle(UserRateThrottle):
    scope = "person"

    def get_rate(self):
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"
