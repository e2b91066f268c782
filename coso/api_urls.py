"""/api/v1/: the OpenAPI schema, its docs page, and each app's endpoints (token or session auth).

URL names (namespace "api"): api-root; schema, docs; org-list, org-detail, org-subtree, org-periods, org-history,
org-structure, org-children; tree; restructuring-list, restructuring-detail; decision-list, decision-detail, decision-file;
kind-list, category-list; grant-list, grant-detail, grant-revoke; me; member-list, member-detail,
member-recognise, member-exit, member-flags, member-discipline, member-transfer; transfer-list, transfer-detail,
transfer-arrive, transfer-return; bulk-move; member-statistics, structure-checks; meetings (coso/meetings/api/): meeting-list, meeting-detail, meeting-cancel,
meeting-agenda, meeting-attendance, meeting-minutes, meeting-minutes-adopt, meeting-minutes-amend,
meeting-amendments, meeting-resolutions, meeting-score, meeting-assignments, resolution-tasks, task-list,
task-follow-up, dues-list, criteria-set-list, meeting-rhythm, meeting-calendar, meeting-compliance,
who-went-where, programme-list, programme-detail, programme-cells, programme-roll-out, programme-report;
evaluation (coso/evaluation/api.py ROUTES): evaluation-period-list, -detail, -advance, -publish, -entries,
-progress, -decisions; evaluation-my-entries, evaluation-entry-detail, -self, -review, -facts, -reconsider;
evaluation-results, evaluation-trends, evaluation-weak-units, evaluation-schemes, evaluation-import.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from coso.accounts.api import GrantViewSet, MeView
from coso.evaluation import api as evaluation_api
from coso.meetings import api as meetings_api
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

MEETINGS = [
    ("", meetings_api.MeetingListView, "meeting-list"),
    ("<int:pk>/", meetings_api.MeetingDetailView, "meeting-detail"),
    ("<int:pk>/cancel/", meetings_api.MeetingCancelView, "meeting-cancel"),
    ("<int:pk>/agenda/", meetings_api.AgendaView, "meeting-agenda"),
    ("<int:pk>/attendance/", meetings_api.AttendanceView, "meeting-attendance"),
    ("<int:pk>/minutes/", meetings_api.MinutesView, "meeting-minutes"),
    ("<int:pk>/minutes/adopt/", meetings_api.MinutesAdoptView, "meeting-minutes-adopt"),
    ("<int:pk>/minutes/amend/", meetings_api.MinutesAmendView, "meeting-minutes-amend"),
    ("<int:pk>/minutes/amendments/", meetings_api.AmendmentListView, "meeting-amendments"),
    ("<int:pk>/resolutions/", meetings_api.ResolutionListView, "meeting-resolutions"),
    ("<int:pk>/score/", meetings_api.ScoreView, "meeting-score"),
    ("<int:pk>/assignments/", meetings_api.MeetingAssignmentView, "meeting-assignments"),
    ("resolutions/<int:pk>/tasks/", meetings_api.ResolutionTaskView, "resolution-tasks"),
    ("tasks/", meetings_api.TaskListView, "task-list"),
    ("tasks/<int:pk>/follow-up/", meetings_api.TaskFollowUpView, "task-follow-up"),
    ("dues/", meetings_api.DuesListView, "dues-list"),
    ("criteria-sets/", meetings_api.CriteriaSetListView, "criteria-set-list"),
    ("rhythm/<str:code>/", meetings_api.RhythmView, "meeting-rhythm"),
    ("calendar/<str:code>/", meetings_api.CalendarView, "meeting-calendar"),
    ("book/<str:code>/", meetings_api.BookView, "meeting-book"),
    ("compliance/<str:code>/", meetings_api.ComplianceView, "meeting-compliance"),
    ("who-went-where/<str:code>/", meetings_api.WhoWentWhereView, "who-went-where"),
    ("programmes/", meetings_api.ProgrammeListView, "programme-list"),
    ("programmes/<int:pk>/", meetings_api.ProgrammeDetailView, "programme-detail"),
    ("programmes/<int:pk>/cells/", meetings_api.ProgrammePilotView, "programme-cells"),
    ("programmes/<int:pk>/roll-out/", meetings_api.ProgrammeRollOutView, "programme-roll-out"),
    ("programmes/<int:pk>/report/", meetings_api.ProgrammeReportView, "programme-report"),
]

urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("tree/", TreeView.as_view(), name="tree"),
    path("me/", MeView.as_view(), name="me"),
    path("bulk-moves/", BulkMoveView.as_view(), name="bulk-move"),
    path("member-statistics/<str:code>/", MemberStatisticsView.as_view(), name="member-statistics"),
    path("structure-checks/<str:code>/", StructureChecksView.as_view(), name="structure-checks"),
    *[path(f"meetings/{route}", view.as_view(), name=name) for route, view, name in MEETINGS],
    *router.urls,
    # evaluation (coso/evaluation/api.py: ROUTES names the URLs, evaluation-*)
    *[path(f"evaluation/{route}", view.as_view(), name=name) for route, view, name in evaluation_api.ROUTES],
]
