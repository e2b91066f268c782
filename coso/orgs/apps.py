from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "coso.orgs"
    label = "orgs"
    verbose_name = "Tổ chức đảng"

    def ready(self) -> None:
        from coso.core.registry import register_demo, register_importer, register_report

        from . import demo, importer, reports_cli

        register_report(reports_cli.STRUCTURE)
        register_importer(importer.IMPORT_ORGS)
        register_demo(10, "orgs", demo.load)
