from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("gate/", views.gate, name="gate"),
    path("gate/sw.js", views.gate_sw, name="gate_sw"),
    path("today/", views.today, name="today"),
    path("compounds/<int:compound_id>/", views.compound, name="compound"),
    path("compounds/<int:compound_id>/policy/", views.policy_save, name="policy_save"),
    path("compounds/<int:compound_id>/checkpoints/", views.checkpoint_add, name="checkpoint_add"),
    path("compounds/<int:compound_id>/passes/issue/", views.passes_issue, name="passes_issue"),
    path("compounds/<int:compound_id>/passes/print/", views.passes_print, name="passes_print"),
    path("checkpoints/<int:checkpoint_id>/toggle/", views.checkpoint_toggle,
         name="checkpoint_toggle"),
    path("passes/<str:code>/revoke/", views.pass_revoke, name="pass_revoke"),
    path("offline/", views.offline, name="offline"),
    path("offline/<int:verdict_id>/review/", views.offline_review, name="offline_review"),
    path("visitors/", views.visitors, name="visitors"),
    path("duty/", views.duty, name="duty"),
    path("duty/checkpoints/<int:checkpoint_id>/plan/", views.duty_plan, name="duty_plan"),
    path("duty/shifts/<int:shift_id>/", views.duty_check, name="duty_check"),
]
