from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coso.members"
    label = "members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        from coso.core.registry import register_demo, register_importer, register_report

        from . import demo, importer, reports_cli

        register_report(reports_cli.MEMBERS)
        register_importer(importer.IMPORT_MEMBERS)
        register_demo(20, "members", demo.load)
