from django.urls import path

from . import views

urlpatterns = [
    path("", views.residents, name="residents"),
    path("residents/<int:pk>/", views.resident, name="resident"),
    path("households/<int:pk>/", views.household, name="household"),
    path("panel/", views.panel, name="panel"),
    path("screening/", views.screening, name="screening"),
    path("screening/<int:household_id>/", views.visit_new, name="visit_new"),
    path("screening/<int:household_id>/done/<int:visit_id>/", views.visit_done,
         name="visit_done"),
    path("key-persons/", views.key_persons, name="key_persons"),
    path("key-persons/export.csv", views.key_persons_export, name="key_persons_export"),
    path("risk-areas/", views.risk_areas, name="risk_areas"),
    path("risk-areas/<int:pk>/end/", views.risk_area_end, name="risk_area_end"),
    path("coverage/", views.coverage, name="coverage"),
    path("responsibility/<int:resident_id>/", views.responsibility, name="responsibility"),
    path("import/", views.import_upload, name="import"),
    path("import/template.xlsx", views.import_template, {"fmt": "xlsx"},
         name="import_template_xlsx"),
    path("import/template.csv", views.import_template, {"fmt": "csv"},
         name="import_template_csv"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("import/<int:pk>/errors.csv", views.import_job_errors, name="import_job_errors"),
    path("export/", views.export, name="export"),
    path("audit/", views.audit_log, name="audit"),
]
