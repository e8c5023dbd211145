-- The rollup unit an area belongs to (reports.models.district_code_of says the same in
-- Python): a district and everything in it (streets, communities) roll up in the
-- district's unit, its 6-digit prefix; a city or a province is its own unit, its 4- or
-- 2-digit prefix. Rollup rows carry it, jobs fan out by it, Citus would distribute by it.
CREATE OR REPLACE FUNCTION reports_district_code(area_code text, area_level text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE
    WHEN area_level IN ('district', 'street', 'community') THEN left(area_code, 6)
    WHEN area_level = 'city' THEN left(area_code, 4)
    ELSE left(area_code, 2)
END
$$;
