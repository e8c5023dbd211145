"""The admin's map widgets: django-leaflet's, with Chinese tooltips and a place search.

`MapAdminMixin` stands where django-leaflet's LeafletGeoAdminMixin would (StationAdmin,
AreaAdmin). Its widget draws the configured tile layer (LEAFLET_CONFIG, from MAP_TILES:
https), and above the map a search box: type a name, pick one of the places found
(core.geocoder, scoped to the staff member), and the map pans there; for a point (a
station's location) it offers to put the point there.

django-leaflet ships leaflet.draw with English tooltips and no Chinese catalogue, and its
own translation hook is not rendered in admin widgets; the texts are given here, through
gettext like every other string, and static/maps/admin-map.js sets them (L.drawLocal, the
zoom buttons) before the map is built. No inline script: the page's
Content-Security-Policy allows only this site's files and nonce'd scripts.
"""

from django import forms
from django.contrib import admin
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdminMixin

from . import geocoder
from .exceptions import ApplicationError


def map_texts() -> dict:
    """What the map and its drawing toolbar say, in the request's language: the shape of
    leaflet.draw's L.drawLocal (only the texts the admin's widgets show), the zoom
    buttons', and the place search's."""
    cancel = {"title": _("Cancel drawing"), "text": _("Cancel")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {
                    "polyline": _("Draw a line"),
                    "polygon": _("Draw a boundary (polygon)"),
                    "rectangle": _("Draw a rectangle"),
                    "circle": _("Draw a circle"),
                    "marker": _("Place the point"),
                    "circlemarker": _("Place a circle marker"),
                },
            },
            "handlers": {
                "marker": {"tooltip": {"start": _("Click the map to place the point.")}},
                "circlemarker": {"tooltip": {"start": _("Click the map to place the point.")}},
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the boundary."),
                        "cont": _("Click to continue drawing the boundary."),
                        "end": _("Click the first point to close the boundary."),
                    }
                },
                "polyline": {
                    "error": _("<strong>Error:</strong> the edges cannot cross!"),
                    "tooltip": {
                        "start": _("Click to start drawing the line."),
                        "cont": _("Click to continue drawing the line."),
                        "end": _("Click the last point to finish the line."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "circle": {
                    "tooltip": {"start": _("Click and drag to draw a circle.")},
                    "radius": _("Radius"),
                },
                "simpleshape": {"tooltip": {"end": _("Release the mouse to finish drawing.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Keep the changes"), "text": _("Done")},
                    "cancel": {
                        "title": _("Cancel editing, discard all changes"),
                        "text": _("Cancel"),
                    },
                    "clearAll": {"title": _("Clear everything drawn"), "text": _("Clear all")},
                },
                "buttons": {
                    "edit": _("Edit what is drawn"),
                    "editDisabled": _("Nothing drawn to edit"),
                    "remove": _("Delete what is drawn"),
                    "removeDisabled": _("Nothing drawn to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles or the point to change it."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "unsaved": _("The map has changes that are not saved."),
        "search": {
            "searching": _("Searching…"),
            "none": _("Nothing of that name in the areas you may see."),
            "failed": _("The search did not work. Please try again."),
            "found": _("%(n)s places found: choose one to show it on the map."),
            "shown": _("Shown on the map: %(name)s."),
            "placePoint": _("Put the point here"),
            "placed": _("The point is now at %(name)s. Save to keep it."),
        },
    }


class PlaceSearchMapWidget(LeafletAdminWidget):
    """django-leaflet's admin widget with the place search above it."""

    @property
    def media(self):
        return super().media + forms.Media(
            js=["maps/admin-map.js"], css={"screen": ["maps/admin-map.css"]}
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["map_texts"] = map_texts()
        context["map_texts_id"] = f"{context['id_css']}-map-texts"
        context["geocode_url"] = reverse("admin-geocode")
        context["places_point"] = str(getattr(self, "geom_type", "")).upper() == "POINT"
        context["max_query_length"] = geocoder.MAX_QUERY_LENGTH
        return context


class MapAdminMixin(LeafletGeoAdminMixin):
    widget = PlaceSearchMapWidget
    map_template = "core/map_widget.html"


@never_cache
@require_GET
def geocode_view(request):
    """GET /admin/geocode/?q=… → {"places": [...], "message": "..."}: staff only.

    Bad input (blank, too long, control characters) is an empty list with a message in
    plain words, never an error."""
    if not admin.site.has_permission(request):  # signed in, active, staff: as the admin
        return JsonResponse({"places": [], "message": _("Sign in to the admin first.")}, status=403)
    try:
        query = geocoder.clean_query(request.GET.get("q", ""))
    except ApplicationError as refusal:
        return JsonResponse({"places": [], "message": refusal.message})
    places = geocoder.get_backend().geocode(query, user=request.user, limit=geocoder.MAX_RESULTS)
    message = "" if places else _("Nothing of that name in the areas you may see.")
    return JsonResponse({"places": [place.as_json() for place in places], "message": message})
