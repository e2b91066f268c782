from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "coso.orgs"
    label = "orgs"
    verbose_name = "Tổ chức đảng"

    def ready(self) -> None:
        from coso.core.registry import register_importer, register_report

        from .reports_cli import IMPORT_ORGS, STRUCTURE

        register_report(STRUCTURE)
        register_importer(IMPORT_ORGS)
