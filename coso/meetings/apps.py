from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "coso.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        from coso.core.registry import register_demo, register_report

        from . import demo, reports_cli

        register_report(reports_cli.MEETINGS)
        register_demo(30, "meetings", demo.load)
