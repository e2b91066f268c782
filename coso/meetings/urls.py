from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("org/<str:code>/", views.calendar, name="calendar"),
    path("org/<str:code>/rhythm/", views.rhythm, name="rhythm"),
    path("org/<str:code>/plan/", views.plan, name="plan"),
    path("org/<str:code>/compliance/", views.compliance, name="compliance"),
    path("org/<str:code>/compliance/alerts/", views.compliance_alerts, name="compliance_alerts"),
    path("org/<str:code>/quality/", views.quality, name="quality"),
    path("org/<str:code>/assignments/", views.assignments, name="assignments"),
    path("org/<str:code>/criteria/", views.criteria, name="criteria"),
    path("org/<str:code>/criteria/add/", views.criteria_add, name="criteria_add"),
    path("org/<str:code>/programmes/", views.programmes, name="programmes"),
    path("org/<str:code>/programmes/add/", views.programme_add, name="programme_add"),
    path("programmes/<int:pk>/", views.programme, name="programme"),
    path("resolutions/<int:pk>/", views.resolution, name="resolution"),
    path("resolutions/<int:pk>/resolution.docx", views.resolution_docx, name="resolution_docx"),
    path("tasks/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/invitation/", views.invitation, name="invitation"),
    path("<int:pk>/invitation.docx", views.invitation_docx, name="invitation_docx"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/dues/", views.dues, name="dues"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/minutes/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/minutes/amend/", views.amend, name="amend"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("<int:pk>/resolutions/add/", views.resolution_add, name="resolution_add"),
    path("<int:pk>/score/", views.score, name="score"),
    path("<int:pk>/assign/", views.assign, name="assign"),
]
