-- The ledger is append-only: the trigger on points_pointsentry (migration 0002) calls this
-- before every UPDATE or DELETE of an entry and refuses it. A mistake is corrected by a
-- reversing entry.
CREATE OR REPLACE FUNCTION points_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'points entries are never changed or deleted: add a reversing entry'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;
