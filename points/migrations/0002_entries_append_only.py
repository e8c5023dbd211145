"""The ledger is append-only in the database itself: UPDATE and DELETE of an entry are
refused whatever code tries them (a mistake is corrected by a reversing entry). TRUNCATE,
which the test runner uses to empty tables, is not a row operation and still works."""

from django.db import migrations

CREATE = """
CREATE FUNCTION points_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'points entries are never changed or deleted: add a reversing entry'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER points_entry_append_only
    BEFORE UPDATE OR DELETE ON points_pointsentry
    FOR EACH ROW EXECUTE FUNCTION points_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS points_entry_append_only ON points_pointsentry;
DROP FUNCTION IF EXISTS points_entry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("points", "0001_ledger")]

    operations = [migrations.RunSQL(CREATE, DROP)]
