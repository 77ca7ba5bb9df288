from django.urls import path

from . import views

urlpatterns = [
    # public: no login
    path("p/<str:code>/declare/", views.declare, name="declare"),
    path("p/<str:code>/tip/", views.tip, name="tip"),
    path("n/<str:token>/", views.notice_public, name="notice_public"),
    path("n/<str:token>/files/<int:pk>/", views.notice_attachment_public,
         name="notice_attachment"),
    # staff
    path("panel/", views.panel, name="panel"),
    path("declarations/", views.declarations, name="declarations"),
    path("declarations/<int:pk>/confirm/", views.declaration_confirm,
         name="declaration_confirm"),
    path("tips/", views.tips, name="tips"),
    path("tips/new/", views.tip_new, name="tip_new"),
    path("tips/<int:pk>/verify/", views.tip_verify, name="tip_verify"),
    path("tips/<int:pk>/reward-issued/", views.reward_issue, name="reward_issue"),
    path("tips/<int:pk>/contact/", views.tip_contact, name="tip_contact"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/attachments/", views.notice_attach, name="notice_attach"),
    path("notices/<int:pk>/poster/", views.notice_poster, name="notice_poster"),
    path("posters/<str:code>/", views.community_poster, name="community_poster"),
    path("households/<int:household_id>/members/new/", views.member_add, name="member_add"),
]
