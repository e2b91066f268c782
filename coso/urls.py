from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="orgs:tree", permanent=False), name="home"),
    path("", include("coso.accounts.urls")),
    path("orgs/", include("coso.orgs.urls")),
    path("members/", include("coso.members.urls")),
    path("meetings/", include("coso.meetings.urls")),
    path("evaluation/", include("coso.evaluation.urls")),
    path("api/v1/", include("coso.api_urls")),
]

handler400 = "coso.core.handlers.bad_request"
handler403 = "coso.core.handlers.permission_denied"
handler404 = "coso.core.handlers.page_not_found"
handler500 = "coso.core.handlers.server_error"
