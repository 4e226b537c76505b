from django.urls import path

from . import views

app_name = "triggers"
urlpatterns = [
    path("", views.trigger_list, name="list"),
    path("new/", views.trigger_new, name="new"),
    path("<int:pk>/", views.trigger_detail, name="detail"),
    path("<int:pk>/request/", views.trigger_request, name="request"),
    path("<int:pk>/merge/", views.trigger_merge, name="merge"),
    path("requests/<int:pk>/decide/", views.request_decide, name="decide"),
]
