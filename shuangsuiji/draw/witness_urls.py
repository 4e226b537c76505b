"""The witness's own page, public (no sign-in: the link's token is the credential), mounted
under /public/witness/ beside the public portal (config/urls.py)."""

from django.urls import path

from . import views

app_name = "draw_witness"
urlpatterns = [
    path("<str:token>/", views.witness_page, name="page"),
]
