"""/api/v1/: the OpenAPI schema, its docs page, and each app's endpoints (token or session auth).

URL names (namespace "api"): api-root; schema, docs; org-list, org-detail, org-subtree, org-periods, org-history,
org-structure, org-children; tree; restructuring-list, restructuring-detail; decision-list, decision-detail;
kind-list, category-list; grant-list, grant-detail, grant-revoke; me.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from coso.accounts.api import GrantViewSet, MeView
from coso.orgs.api import (
    CategoryViewSet,
    DecisionViewSet,
    KindViewSet,
    OrgViewSet,
    RestructuringViewSet,
    TreeView,
)

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False  # organization codes may contain dots
router.register("orgs", OrgViewSet, basename="org")
router.register("restructurings", RestructuringViewSet, basename="restructuring")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("kinds", KindViewSet, basename="kind")
router.register("categories", CategoryViewSet, basename="category")
router.register("grants", GrantViewSet, basename="grant")

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tree/", TreeView.as_view(), name="tree"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
