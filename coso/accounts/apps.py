from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coso.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và phân quyền"

    def ready(self) -> None:
        from coso.core.registry import register_demo

        from . import demo

        register_demo(15, "accounts", demo.load)  # after the organizations (10): the grants name them
        from django.contrib.auth import signals

        from coso.core import access

        def logged_in(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            access.record(user, access.Kind.LOGIN, "Đăng nhập bằng mật khẩu", request=request)

        def logged_out(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            if user is not None:
                access.record(user, access.Kind.LOGOUT, "Đăng xuất", request=request)

        def login_failed(sender, credentials, request=None, **kwargs):  # type: ignore[no-untyped-def]
            name = str((credentials or {}).get("username", ""))
            access.record(
                None,
                access.Kind.LOGIN_FAILED,
                "Sai tên đăng nhập hoặc mật khẩu",
                request=request,
                username=name,
            )

        signals.user_logged_in.connect(logged_in, dispatch_uid="coso-access-login")
        signals.user_logged_out.connect(logged_out, dispatch_uid="coso-access-logout")
        signals.user_login_failed.connect(login_failed, dispatch_uid="coso-access-login-failed")
