from django.urls import path

from . import views

urlpatterns = [
    path("r/<str:token>/", views.report, name="report"),
    path("", views.isolation_index, name="index"),
    path("new/", views.isolation_new, name="new"),
    path("<int:pk>/", views.isolation_detail, name="detail"),
    path("alerts/", views.alerts_page, name="alerts"),
    path("alerts/panel/", views.alerts_panel, name="alerts_panel"),
    path("alerts/<int:pk>/<str:action>/", views.alert_action, name="alert_action"),
    path("lockdowns/", views.lockdown_index, name="lockdowns"),
    path("lockdowns/<int:pk>/lift/", views.lockdown_lift, name="lockdown_lift"),
    path("compounds/<int:compound_id>/lockdowns/", views.compound_lockdowns,
         name="compound_lockdowns"),
    path("sites/", views.site_index, name="sites"),
    path("sites/<int:pk>/", views.site_board, name="site"),
]
