"""On PostgreSQL, a trigram index for accent-insensitive substring search of member names (ARCHITECTURE.md:
6 million names, 8.2 s without, 0.1 s with). SQLite has no such index; the search key column serves it."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_search_trgm ON members_member USING gin (search_key gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_seed")]
    operations = [migrations.RunPython(forwards, backwards)]
