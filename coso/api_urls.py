"""/api/v1/: the OpenAPI schema, its docs page, and each app's endpoints (token or session auth).

URL names (namespace "api"): api-root; schema, docs; org-list, org-detail, org-subtree, org-periods, org-history,
org-structure, org-children; tree; restructuring-list, restructuring-detail; decision-list, decision-detail;
kind-list, category-list; grant-list, grant-detail, grant-revoke; me; member-list, member-detail,
member-recognise, member-exit, member-flags, member-discipline, member-transfer; transfer-list, transfer-detail,
transfer-arrive, transfer-return; bulk-move; member-statistics, structure-checks.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from coso.accounts.api import GrantViewSet, MeView
from coso.members.api import (
    BulkMoveView,
    MemberStatisticsView,
    MemberViewSet,
    StructureChecksView,
    TransferViewSet,
)
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
router.register("members", MemberViewSet, basename="member")
router.register("transfers", TransferViewSet, basename="transfer")

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tree/", TreeView.as_view(), name="tree"),
    path("me/", MeView.as_view(), name="me"),
    path("bulk-moves/", BulkMoveView.as_view(), name="bulk-move"),
    path("member-statistics/<str:code>/", MemberStatisticsView.as_view(), name="member-statistics"),
    path("structure-checks/<str:code>/", StructureChecksView.as_view(), name="structure-checks"),
    *router.urls,
]
