from django.urls import path

from . import views

urlpatterns = [
    path("", views.lists_home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("upload/status/", views.upload_status, name="upload_status"),
    path("<int:pk>/", views.checklist_page, name="checklist"),
    path("<int:pk>/export/", views.checklist_export, name="export"),
    path("<int:pk>/handover/", views.checklist_handover, name="handover"),
    path("<int:pk>/rows/<int:number>/route/", views.row_route, name="route"),
    path("items/", views.items, name="items"),
    path("items/<int:pk>/", views.item_answer, name="item_answer"),
    path("items/<int:pk>/phone/", views.item_phone, name="item_phone"),
    path("panel/", views.items_panel, name="panel"),
    path("cases/", views.cases, name="cases"),
    path("cases/test/", views.test_result, name="test_result"),
    path("cases/<int:pk>/<slug:step>/", views.case_step, name="case_step"),
    path("dashboard/", views.dashboard_panel, name="dashboard_panel"),
]
