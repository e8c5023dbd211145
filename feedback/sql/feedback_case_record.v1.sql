-- Recording a case once it is routed (feedback.services.intake calls it): the worker's
-- role as a "moving probe" (移动探头: a part-time grid worker or supervisor appointed now,
-- from activities' appointments), the case itself, its routing steps and the first step of
-- its history, in one round trip instead of six; the same client key again (a double tap,
-- an offline replay) is the case it made, whoever sends it (the caller checks the account).
-- Every report is recorded here (issue 16's benchmark, BENCHMARKS.md). The values, the
-- statuses and the roles come in from feedback/models.py; nothing here decides them.
CREATE OR REPLACE FUNCTION feedback_case_record(
    p_key uuid, p_at timestamptz, p_kind varchar, p_category bigint, p_text varchar,
    p_priority varchar, p_source varchar, p_source_note varchar, p_reporter bigint,
    p_probe_roles varchar[], p_station bigint, p_lng double precision, p_lat double precision,
    p_place_note varchar, p_area bigint, p_responsible bigint, p_department bigint,
    p_status varchar, p_public boolean, p_due timestamptz, p_recorded_by integer,
    p_hop_rules varchar[], p_hop_areas bigint[], p_hop_departments bigint[]
) RETURNS TABLE (case_id bigint, created boolean, reporter_role varchar)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
    v_role varchar := '';
    v_id bigint;
BEGIN
    IF p_reporter IS NOT NULL THEN
        SELECT r.role INTO v_role
          FROM activities_roleappointment r
         WHERE r.worker_id = p_reporter AND r.ended_on IS NULL AND r.role = ANY(p_probe_roles)
         ORDER BY r.role LIMIT 1;
        v_role := coalesce(v_role, '');
    END IF;
    INSERT INTO feedback_case (
        created_at, updated_at, kind, category_id, text, priority, source, source_note,
        reporter_id, reporter_role, station_id, location, place_note, area_id,
        responsible_area_id, department_id, status, status_reason, duplicate_of_id, public,
        answer, published_at, due_at, late, overdue_since, escalations, paused_since,
        accepted_at, first_response_at, resolved_at, closed_at, reopen_count, satisfied,
        recorded_by_id, client_key
    ) VALUES (
        p_at, p_at, p_kind, p_category, p_text, p_priority, p_source, p_source_note,
        p_reporter, v_role, p_station,
        CASE WHEN p_lng IS NULL THEN NULL
             ELSE ST_SetSRID(ST_MakePoint(p_lng, p_lat), 4326)::geography END,
        p_place_note, p_area, p_responsible, p_department, p_status, '', NULL, p_public,
        '', NULL, p_due, false, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL,
        p_recorded_by, p_key
    )
    ON CONFLICT (client_key) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        RETURN QUERY SELECT c.id, false, c.reporter_role FROM feedback_case c
                      WHERE c.client_key = p_key;
        RETURN;
    END IF;
    INSERT INTO feedback_casehop (case_id, rule, to_area_id, to_department_id, reason,
                                  actor_id, at)
    SELECT v_id, h.rule, h.area, h.department, '', p_recorded_by, p_at
      FROM unnest(p_hop_rules, p_hop_areas, p_hop_departments) AS h(rule, area, department);
    INSERT INTO feedback_casestatuschange (case_id, from_status, to_status, actor_id,
                                           reason, at)
    VALUES (v_id, '', p_status, p_recorded_by, '', p_at);
    RETURN QUERY SELECT v_id, true, v_role;
END;
$$;
