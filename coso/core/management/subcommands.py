"""A command whose subcommands are the entries of a registry (`coso import NAME ...`, `coso report NAME ...`)."""

from typing import Any, ClassVar

from django.core.management.base import BaseCommand

from coso.core.dbsetup import ensure_database


class RegistryCommand(BaseCommand):
    """One subcommand per registry entry, each with the entry's help and arguments; `handle` runs the entry."""

    registry: ClassVar[dict[str, Any]]
    dest: ClassVar[str]

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
        return self.registry[options[self.dest]].run(self, **options)
