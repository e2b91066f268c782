from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("due/", views.due, name="due"),
    path("statistics/<str:code>/", views.statistics, name="statistics"),
    path("structure/<str:code>/", views.structure_checks, name="structure_checks"),
    path("org-summary/<str:code>/", views.org_summary, name="org_summary"),
    path("admit/", views.admit, name="admit"),
    *views.IMPORT.urlpatterns(),
    path("bulk-move/<str:code>/", views.bulk_move, name="bulk_move"),
    path("transfers/<int:pk>/letter.docx", views.transfer_letter, name="transfer_letter"),
    path("transfers/<int:pk>/arrival/", views.confirm_arrival, name="confirm_arrival"),
    path("transfers/<int:pk>/return/", views.confirm_return, name="confirm_return"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/history/", views.member_history, name="history"),
    path("<int:pk>/recognise/", views.recognise, name="recognise"),
    path("<int:pk>/flag/", views.flag, name="flag"),
    path("<int:pk>/exit/", views.exit_party, name="exit"),
    path("<int:pk>/discipline/", views.discipline, name="discipline"),
    path("<int:pk>/profile/", views.profile, name="profile"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
]
