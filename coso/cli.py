"""The `coso` console command: runs Django's management commands with Coso's settings.

`coso report structure --org CODE --as-of 2025-07-01 --json`, `coso import orgs FILE.xlsx --dry-run`,
`coso token USERNAME`, and every other `manage.py` command (`coso migrate`, `coso runserver` ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["coso", *sys.argv[1:]])


if __name__ == "__main__":
    main()
