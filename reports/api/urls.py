"""/api/v1/stats/…: the dashboard's figures, read-only (reports.api.views)."""

from django.urls import path

from .views import BreakdownView, ChildrenView, CoverageView, FactsView, FiguresView, SeriesView

AREA = "stats/areas/<str:code>/"

urlpatterns = [
    path("stats/facts/", FactsView.as_view(), name="stats-facts"),
    path(f"{AREA}figures/", FiguresView.as_view(), name="stats-figures"),
    path(f"{AREA}series/", SeriesView.as_view(), name="stats-series"),
    path(f"{AREA}children/", ChildrenView.as_view(), name="stats-children"),
    path(f"{AREA}breakdown/<str:fact>/", BreakdownView.as_view(), name="stats-breakdown"),
    path(f"{AREA}coverage/", CoverageView.as_view(), name="stats-coverage"),
]
