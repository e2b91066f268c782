from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "coso.evaluation"
    label = "evaluation"
    verbose_name = "Đánh giá, xếp loại chất lượng"

    def ready(self) -> None:
        from coso.core.registry import register_demo, register_importer, register_report

        from . import demo, importer, reports_cli

        register_report(reports_cli.EVALUATION)
        register_importer(importer.IMPORT_EVALUATIONS)
        register_demo(40, "evaluation", demo.load)  # after the members (20) and meetings (30)
