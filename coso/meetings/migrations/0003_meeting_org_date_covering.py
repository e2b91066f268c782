"""On PostgreSQL the meetings' (org, date) index also carries the columns the compliance figures read (status,
kind, month, present_expected, expected), so a subtree's year is summed from the index alone (an index-only
scan) instead of visiting every meeting row. Same name, same key columns: only PostgreSQL supports INCLUDE, and
other databases keep the plain index."""

from django.db import migrations

COLUMNS = "status, kind, month, present_expected, expected"


def covering(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS meeting_org_date")
    schema_editor.execute(f"CREATE INDEX meeting_org_date ON meetings_meeting (org_id, date) INCLUDE ({COLUMNS})")


def plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS meeting_org_date")
    schema_editor.execute("CREATE INDEX meeting_org_date ON meetings_meeting (org_id, date)")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_seed")]

    operations = [migrations.RunPython(covering, plain)]
