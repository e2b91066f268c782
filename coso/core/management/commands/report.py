"""`coso report NAME ...`: run a registered report (`coso report structure --org CODE --as-of D --json`)."""

from django.core.management.base import BaseCommand

from coso.core.dbsetup import ensure_database
from coso.core.registry import REPORTS


class Command(BaseCommand):
    help = "Chạy một báo cáo: " + ", ".join(sorted(REPORTS)) if REPORTS else "Chạy một báo cáo."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="report", required=True, parser_class=type(parser))
        for name, entry in sorted(REPORTS.items()):
            p = sub.add_parser(
                name,
                help=entry.help,
                called_from_command_line=getattr(parser, "called_from_command_line", False),
            )
            entry.add_arguments(p)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ensure_database(self.stderr)
        return REPORTS[options["report"]].run(self, **options)
