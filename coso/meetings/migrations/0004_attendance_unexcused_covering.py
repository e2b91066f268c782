"""On PostgreSQL the partial index of unexcused absences also carries the columns the absence alert filters on
(role, exempt, suspended, away), so the alert reads a member's absences from the index alone instead of visiting
each attendance row. Same name, key columns and condition: only PostgreSQL supports INCLUDE."""

from django.db import migrations

COLUMNS = "role, exempt, suspended, away"
CONDITION = "presence = 'absent_unexcused'"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS attendance_unexcused")
    schema_editor.execute(
        "CREATE INDEX attendance_unexcused ON meetings_attendance (member_id, meeting_id) "
        f"INCLUDE ({COLUMNS}) WHERE {CONDITION}"
    )


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS attendance_unexcused")
    schema_editor.execute(
        f"CREATE INDEX attendance_unexcused ON meetings_attendance (member_id, meeting_id) WHERE {CONDITION}"
    )


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_meeting_org_date_covering")]

    operations = [migrations.RunPython(covering, plain)]
