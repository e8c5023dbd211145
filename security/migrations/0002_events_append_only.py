"""The security audit log is append-only (security/sql/security_event_append_only.v1.sql):
no UPDATE ever, no DELETE of an entry younger than 184 days."""

from django.db import migrations

from core.sql import sql_function

CREATE_TRIGGER = """
CREATE TRIGGER security_event_append_only
    BEFORE UPDATE OR DELETE ON security_securityevent
    FOR EACH ROW EXECUTE FUNCTION security_event_append_only();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS security_event_append_only ON security_securityevent;"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS security_event_append_only();"


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [
        sql_function("security", "security_event_append_only", 1, reverse_sql=DROP_FUNCTION),
        migrations.RunSQL(CREATE_TRIGGER, DROP_TRIGGER),
    ]
