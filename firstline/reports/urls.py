from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panel/", views.panel, name="panel"),
    path("signoff/", views.signoff, name="signoff"),
    path("daily.xlsx", views.daily_xlsx, name="daily_xlsx"),
    path("exports/", views.exports_page, name="exports"),
    path("exports/<slug:kind>.xlsx", views.export_ledger, name="export"),
]
