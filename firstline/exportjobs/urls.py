from django.urls import path

from . import views

urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/download/", views.job_download, name="job_download"),
]
