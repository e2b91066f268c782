from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    *views.IMPORT.urlpatterns(),
    path("open/<str:code>/", views.open_period, name="open"),
    path("results/<str:code>/", views.results, name="results"),
    path("trends/<str:code>/", views.trends, name="trends"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/step/", views.period_step, name="step"),
    path("periods/<int:pk>/decide/", views.decide, name="decide"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
]
