"""`coso import NAME FILE [--dry-run]`: run a registered importer (`coso import orgs FILE.xlsx`)."""

from django.core.management.base import BaseCommand

from coso.core.dbsetup import ensure_database
from coso.core.registry import IMPORTERS


class Command(BaseCommand):
    help = "Nhập dữ liệu từ tệp Excel."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="importer", required=True, parser_class=type(parser))
        for name, entry in sorted(IMPORTERS.items()):
            p = sub.add_parser(
                name,
                help=entry.help,
                called_from_command_line=getattr(parser, "called_from_command_line", False),
            )
            entry.add_arguments(p)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ensure_database(self.stderr)
        return IMPORTERS[options["importer"]].run(self, **options)
