from django.urls import path

from . import views

urlpatterns = [
    path("calls/", views.calls, name="calls"),
    path("calls/log/", views.call_log, name="call_log"),
    path("calls/phone/<int:resident_id>/", views.call_phone, name="call_phone"),
    path("calls/panel/", views.calls_panel, name="calls_panel"),
    path("requests/", views.board, name="board"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/take/", views.request_take, name="request_take"),
    path("requests/<int:pk>/status/", views.request_status, name="request_status"),
    path("requests/<int:pk>/paid-back/", views.request_paid_back, name="request_paid_back"),
    path("requests/<int:pk>/phone/<int:resident_id>/", views.errand_phone, name="errand_phone"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("stock/", views.stock, name="stock"),
    # The isolation app's self-report page posts "I need something" here.
    path("r/<str:token>/help/", views.self_report_help, name="self_report_help"),
]
