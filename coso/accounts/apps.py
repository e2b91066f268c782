from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coso.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from coso.core.registry import register_demo

        from . import demo

        register_demo(15, "accounts", demo.load)  # after the organizations (10): the grants name them
