from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "coso.core"
    label = "core"
    verbose_name = "Lõi dùng chung"
