from django.urls import path

from . import views

app_name = "draw"
urlpatterns = [
    path("tasks/<int:task_pk>/announce/", views.announce, name="announce"),
    path("recusals/", views.recusals, name="recusals"),
    path("voids/", views.void_requests, name="voids"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<str:public_id>/<str:what>/", views.audit_download, name="audit_download"),
    path("<str:public_id>/recusal/", views.recusal_new, name="recusal_new"),
    path("<str:public_id>/", views.detail, name="detail"),
]
