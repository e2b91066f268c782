"""On SQLite too the meetings' (org, date) index carries the columns the compliance figures read (status, kind,
month, present_expected, expected), so each (cell, month) probe of a subtree's year reads the index alone instead
of visiting every meeting row (a province's year: the figures' statement about 40% faster). SQLite has no INCLUDE:
the columns follow the key, so the index still serves every (org, date) lookup in the same order. Same name, so
the model's declaration (and migration 0003 on PostgreSQL) still describes it. A later migration that makes SQLite
rebuild the table (Django remakes it for most column changes) builds the plain index again and must repeat this."""

from django.db import migrations

COLUMNS = "status, kind, month, present_expected, expected"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS meeting_org_date")
    schema_editor.execute(f"CREATE INDEX meeting_org_date ON meetings_meeting (org_id, date, {COLUMNS})")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP INDEX IF EXISTS meeting_org_date")
    schema_editor.execute("CREATE INDEX meeting_org_date ON meetings_meeting (org_id, date)")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0004_attendance_unexcused_covering")]

    operations = [migrations.RunPython(covering, plain)]
