from django.urls import path

from . import views

app_name = "inspection"
urlpatterns = [
    path("", views.work, name="work"),
    path("review/", views.review, name="review"),
    path("s/<int:pk>/", views.target, name="target"),
    path("s/<int:pk>/notice/", views.notice, name="notice"),
    path("record/<int:pk>/", views.record, name="record"),
    path("checkin/<str:token>/", views.checkin_by_token, name="checkin"),
]
