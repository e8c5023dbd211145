-- The security audit log is append-only: the trigger on security_securityevent (migration
-- 0002) calls this before every UPDATE or DELETE and refuses any UPDATE, and any DELETE of an
-- entry younger than 184 days (等保 level 3 keeps six months at least). The beat job's purge
-- of older entries passes; nothing else does.
CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '184 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'security audit entries are never changed, nor deleted before 184 days'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
