from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coso.core"
    label = "core"
    verbose_name = "Lõi dùng chung"

    def ready(self) -> None:
        from . import converters  # noqa: F401  (registers the <id:…> path converter)
