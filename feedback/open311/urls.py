from django.urls import re_path

from . import views

FORMAT = r"\.(?P<fmt>[a-z]{1,8})$"

urlpatterns = [
    re_path(r"^services" + FORMAT, views.service_list, name="open311-services"),
    re_path(
        r"^services/(?P<service_code>[-a-zA-Z0-9_]{1,30})" + FORMAT,
        views.service_definition,
        name="open311-service",
    ),
    re_path(r"^requests" + FORMAT, views.requests, name="open311-requests"),
    re_path(
        r"^requests/(?P<request_id>[0-9]{1,12})" + FORMAT,
        views.request_detail,
        name="open311-request",
    ),
]
