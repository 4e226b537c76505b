from django.urls import path

from . import views

app_name = "publicity"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("draws/<str:public_id>.json", views.draw_json, name="draw_json"),
    path("draws/<str:public_id>/", views.draw, name="draw"),
    path("selection/<str:token>/", views.selection, name="selection"),
]
