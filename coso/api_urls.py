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

from typing import Any

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
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
    ("<id:pk>/", meetings_api.MeetingDetailView, "meeting-detail"),
    ("<id:pk>/cancel/", meetings_api.MeetingCancelView, "meeting-cancel"),
    ("<id:pk>/agenda/", meetings_api.AgendaView, "meeting-agenda"),
    ("<id:pk>/attendance/", meetings_api.AttendanceView, "meeting-attendance"),
    ("<id:pk>/minutes/", meetings_api.MinutesView, "meeting-minutes"),
    ("<id:pk>/minutes/adopt/", meetings_api.MinutesAdoptView, "meeting-minutes-adopt"),
    ("<id:pk>/minutes/amend/", meetings_api.MinutesAmendView, "meeting-minutes-amend"),
    ("<id:pk>/minutes/amendments/", meetings_api.AmendmentListView, "meeting-amendments"),
    ("<id:pk>/resolutions/", meetings_api.ResolutionListView, "meeting-resolutions"),
    ("<id:pk>/score/", meetings_api.ScoreView, "meeting-score"),
    ("<id:pk>/assignments/", meetings_api.MeetingAssignmentView, "meeting-assignments"),
    ("resolutions/<id:pk>/tasks/", meetings_api.ResolutionTaskView, "resolution-tasks"),
    ("tasks/", meetings_api.TaskListView, "task-list"),
    ("tasks/<id:pk>/follow-up/", meetings_api.TaskFollowUpView, "task-follow-up"),
    ("dues/", meetings_api.DuesListView, "dues-list"),
    ("criteria-sets/", meetings_api.CriteriaSetListView, "criteria-set-list"),
    ("rhythm/<str:code>/", meetings_api.RhythmView, "meeting-rhythm"),
    ("calendar/<str:code>/", meetings_api.CalendarView, "meeting-calendar"),
    ("book/<str:code>/", meetings_api.BookView, "meeting-book"),
    ("compliance/<str:code>/", meetings_api.ComplianceView, "meeting-compliance"),
    ("who-went-where/<str:code>/", meetings_api.WhoWentWhereView, "who-went-where"),
    ("programmes/", meetings_api.ProgrammeListView, "programme-list"),
    ("programmes/<id:pk>/", meetings_api.ProgrammeDetailView, "programme-detail"),
    ("programmes/<id:pk>/cells/", meetings_api.ProgrammePilotView, "programme-cells"),
    ("programmes/<id:pk>/roll-out/", meetings_api.ProgrammeRollOutView, "programme-roll-out"),
    ("programmes/<id:pk>/report/", meetings_api.ProgrammeReportView, "programme-report"),
]


def literal_first(routes: list[tuple[str, Any, str]]) -> list[tuple[str, Any, str]]:
    """The routes with, at each segment, a literal one before a converter: `<id:pk>` matches any segment (so that
    `meetings/abc/` is a 400 naming the id), and must not catch `meetings/tasks/`."""
    return sorted(routes, key=lambda r: [part.startswith("<") for part in r[0].split("/")])


urlpatterns = [
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("tree/", TreeView.as_view(), name="tree"),
    path("me/", MeView.as_view(), name="me"),
    path("bulk-moves/", BulkMoveView.as_view(), name="bulk-move"),
    path("member-statistics/<str:code>/", MemberStatisticsView.as_view(), name="member-statistics"),
    path("structure-checks/<str:code>/", StructureChecksView.as_view(), name="structure-checks"),
    *[path(f"meetings/{route}", view.as_view(), name=name) for route, view, name in literal_first(MEETINGS)],
    *router.urls,
    # evaluation (coso/evaluation/api.py: ROUTES names the URLs, evaluation-*)
    *[
        path(f"evaluation/{route}", view.as_view(), name=name)
        for route, view, name in literal_first(evaluation_api.ROUTES)
    ],
]
