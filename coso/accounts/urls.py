from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/password/done/"),
        name="password_change",
    ),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.create_token, name="token"),
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("access-log/", views.access_log, name="access_log"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", views.revoke, name="revoke"),
]
