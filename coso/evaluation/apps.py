from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "coso.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        from . import importer  # noqa: F401 - registers `coso import evaluations`
        from .reports_cli import EVALUATION  # noqa: F401 - registers `coso report evaluation`
