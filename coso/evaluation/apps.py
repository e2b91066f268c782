from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "coso.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        from coso.core.registry import register_demo

        from . import (
            demo,
            importer,  # noqa: F401 - registers `coso import evaluations`
        )
        from .reports_cli import EVALUATION  # noqa: F401 - registers `coso report evaluation`

        register_demo(40, "evaluation", demo.load)  # after the members (20) and meetings (30)
