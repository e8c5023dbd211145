"""The demo's illustrative boundaries: they tile each district at every level, so a
child-area choropleth has no gaps and no overlaps, and keep each station in its areas.
The demo is loaded once for the class (setUpTestData)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from areas.models import Area
from demo.management.commands.load_demo import NETWORK

pytestmark = pytest.mark.django_db

# Areas in square degrees: a district is ~1e-3; this is far below a square metre.
TOLERANCE = 1e-12


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def demo_codes() -> list[str]:
    return [f"{code}%" for code, *_rest in NETWORK]


class BoundaryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", verbosity=0, stdout=StringIO())

    def test_every_demo_area_has_a_valid_boundary_and_a_centre_inside_it(self):
        for district_code, *_rest in NETWORK:
            areas = Area.objects.filter(code__startswith=district_code)
            assert not areas.filter(boundary__isnull=True).exists(), district_code
            for area in areas:
                assert area.boundary.valid and not area.boundary.empty, area
                assert area.boundary.contains(area.centre), area

    def test_children_tile_their_parent_without_gaps_or_overlaps(self):
        tiling = rows(
            """
            SELECT p.code,
                   abs(sum(ST_Area(c.boundary)) - ST_Area(p.boundary)),
                   ST_Area(ST_SymDifference(ST_Union(c.boundary), p.boundary))
            FROM areas_area p JOIN areas_area c ON c.parent_id = p.id
            WHERE p.code LIKE ANY(%s) AND p.level IN ('district', 'street')
            GROUP BY p.id
            """,
            [demo_codes()],
        )
        assert len(tiling) == len(NETWORK) + 15  # every district and every street
        for code, area_difference, uncovered in tiling:
            assert area_difference < TOLERANCE, code  # no overlap: the areas add up
            assert uncovered < TOLERANCE, code  # no gap, nothing outside
        overlaps = rows(
            """
            SELECT a.code, b.code, ST_Area(ST_Intersection(a.boundary, b.boundary))
            FROM areas_area a JOIN areas_area b
              ON a.parent_id = b.parent_id AND a.id < b.id AND a.boundary && b.boundary
            WHERE a.code LIKE ANY(%s)
            """,
            [demo_codes()],
        )
        assert all(shared < TOLERANCE for _a, _b, shared in overlaps)

    def test_each_station_lies_in_its_community_and_its_street(self):
        outside = rows(
            """
            SELECT s.name FROM stations_station s
            JOIN areas_area c ON c.id = s.area_id JOIN areas_area st ON st.id = c.parent_id
            WHERE NOT ST_Intersects(c.boundary, s.location::geometry)
               OR NOT ST_Intersects(st.boundary, s.location::geometry)
            """
        )
        assert outside == []


def test_a_boundary_an_area_already_has_is_kept(db):
    call_command("load_demo", verbosity=0, stdout=StringIO())
    street = Area.objects.get(code="621002001000")
    square = "MULTIPOLYGON(((107.6 35.7,107.7 35.7,107.7 35.8,107.6 35.8,107.6 35.7)))"
    Area.objects.filter(pk=street.pk).update(boundary=square, centre=None)
    call_command("load_demo", verbosity=0, stdout=StringIO())
    street.refresh_from_db()
    assert street.boundary.wkt.startswith("MULTIPOLYGON (((107.6 35.7")
    assert street.boundary.contains(street.centre)  # a missing centre is filled in, inside
