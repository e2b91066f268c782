from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.org_list, name="list"),
    path("list/export.xlsx", views.export_list, name="export"),
    path("lookup/", views.lookup, name="lookup"),
    path("establish/", views.establish, name="establish"),
    path("merge/", views.merge, name="merge"),
    path("decisions/<int:pk>/file/", views.decision_file, name="decision_file"),
    path("changes/<int:pk>/", views.restructuring, name="restructuring"),
    path("vocabulary/", views.vocabulary, name="vocabulary"),
    *views.IMPORT.urlpatterns(),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/history/", views.org_history, name="history"),
    path("<str:code>/structure/", views.structure, name="structure"),
    path("<str:code>/rename/", views.rename, name="rename"),
    path("<str:code>/move/", views.move, name="move"),
    path("<str:code>/dissolve/", views.dissolve, name="dissolve"),
    path("<str:code>/split/", views.split, name="split"),
]
