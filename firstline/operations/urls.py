from django.urls import path

from . import views

urlpatterns = [
    path("signup/<str:token>/", views.signup, name="signup"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("mine/", views.mine, name="mine"),
    path("disinfection/", views.board, name="board"),
    path("stock/", views.stock, name="stock"),
    path("donations/<str:code>/", views.ledger, name="ledger"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/file/", views.task_file, name="task_file"),
    path("panel/", views.panel, name="panel"),
]
