"""`coso report NAME ...`: run a registered report (`coso report structure --org CODE --as-of D --json`)."""

from coso.core.management.subcommands import RegistryCommand
from coso.core.registry import REPORTS


class Command(RegistryCommand):
    help = "Chạy một báo cáo: " + ", ".join(sorted(REPORTS)) if REPORTS else "Chạy một báo cáo."
    registry = REPORTS
    dest = "report"
    reads_replica = True
