from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
