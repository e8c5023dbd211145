"""The phone pages as an app on the home screen (issue 14 §3): the web app manifest, the
service worker that keeps the pages a worker has seen for when there is no network, and
the page it shows when it has nothing saved.

The service worker is served from the site's root (/sw.js) so that its scope covers the
poster links (/q/<token>/) as well as the phone pages (/m/); what it does with each path
is in templates/mobile/service_worker.js.
"""

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The app shell: stored when the service worker is installed, so that any saved page
# opens with its style and its check-in queue, and the offline page has something to show.
SHELL_STATIC_FILES = [
    "mobile/mobile.css",
    "mobile/app.js",
    "mobile/check-in-queue.js",
    "mobile/check-in.js",
    "mobile/offline.js",
    "mobile/home.js",
    "leaflet/leaflet.js",
    "leaflet/leaflet.css",
    "mobile/icons/icon-192.png",
]
BRAND_COLOUR = "#c0392b"  # .bar in static/mobile/mobile.css


@require_GET
def manifest(request):
    """What a phone needs to put the worker's pages on its home screen as an app."""
    icons = [
        {"src": static("mobile/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("mobile/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("mobile/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": _("Warm stations"),
        "short_name": _("Warm stations"),
        "description": _("Find a warm station near you, check in, and see your points."),
        "lang": request.LANGUAGE_CODE,
        "id": reverse("mobile-home"),
        "start_url": reverse("mobile-home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f6f6",
        "theme_color": BRAND_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def _service_worker_source() -> str:
    shell = [static(name) for name in SHELL_STATIC_FILES]
    context = {
        "queue_script": json.dumps(static("mobile/check-in-queue.js")),
        "shell": json.dumps(shell),
        "offline_url": json.dumps(reverse("mobile-offline")),
    }
    source = render_to_string("mobile/service_worker.js", context)
    # A new version whenever the shell's files or this script change (hashed names in
    # production), so phones replace the old shell and its cache.
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    return source.replace("__SHELL_VERSION__", version)


@require_GET
def service_worker(request):
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    # Phones ask for the script again on every start and take a new one at once.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    """Shown by the service worker for a page this phone has not saved, with the pages it
    has (offline.js lists them). Nothing here is personal: it is stored when the service
    worker is installed, whoever is logged in."""
    return render(request, "mobile/offline.html")
