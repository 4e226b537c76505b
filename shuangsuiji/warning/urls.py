from django.urls import path

from . import careless_views

app_name = "warning"
urlpatterns: list = [  # the pages of the watch list and the signals register here
    path("careless/", careless_views.careless_list, name="careless"),
    path("careless/inspectors/<int:pk>/", careless_views.careless_inspector, name="careless_inspector"),
]
