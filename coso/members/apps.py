from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "coso.members"
    label = "members"
    verbose_name = "Đảng viên"

    def ready(self) -> None:
        from coso.core.registry import register_demo

        from . import (
            demo,
            importer,  # noqa: F401 - registers `coso import members`
        )
        from .reports_cli import MEMBERS  # noqa: F401 - registers `coso report members`

        register_demo(20, "members", demo.load)
