from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "coso.meetings"
    label = "meetings"
    verbose_name = "Sinh hoạt chi bộ"

    def ready(self) -> None:
        from coso.core.registry import register_demo

        from . import demo
        from .reports_cli import MEETINGS  # noqa: F401 - registers `coso report meetings`

        register_demo(30, "meetings", demo.load)
