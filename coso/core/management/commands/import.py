"""`coso import NAME FILE [--dry-run]`: run a registered importer (`coso import orgs FILE.xlsx`)."""

from coso.core.management.subcommands import RegistryCommand
from coso.core.registry import IMPORTERS


class Command(RegistryCommand):
    help = "Nhập dữ liệu từ tệp Excel."
    registry = IMPORTERS
    dest = "importer"
