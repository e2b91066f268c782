"""A command whose subcommands are the entries of a registry (`coso import NAME ...`, `coso report NAME ...`)."""

import contextlib
from typing import Any, ClassVar

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError

from coso.core import replica
from coso.core.dbsetup import ensure_database
from coso.core.errors import BUSY_MESSAGE, is_busy


class RegistryCommand(BaseCommand):
    """One subcommand per registry entry, each with the entry's help and arguments; `handle` runs the entry."""

    registry: ClassVar[dict[str, Any]]
    dest: ClassVar[str]
    reads_replica: ClassVar[bool] = False  # `coso report`: reads go to the replica when one is configured

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest=self.dest, required=True, parser_class=type(parser))
        for name, entry in sorted(self.registry.items()):
            p = sub.add_parser(
                name,
                help=entry.help,
                called_from_command_line=getattr(parser, "called_from_command_line", False),
            )
            entry.add_arguments(p)

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        ensure_database(self.stderr)
        reading = replica.reports() if self.reads_replica else contextlib.nullcontext()
        try:
            with reading:
                return self.registry[options[self.dest]].run(self, **options)
        except OperationalError as exc:
            if is_busy(exc):
                raise CommandError(BUSY_MESSAGE) from None
            raise
