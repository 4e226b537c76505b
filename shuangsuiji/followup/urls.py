from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("<int:pk>/", views.entry, name="entry"),
    path("inbox/", views.inbox, name="inbox"),
    path("visits/", views.visits, name="visits"),
    path("visits/<int:pk>/", views.visit_draw, name="visit_draw"),
    path("public/visits/<str:public_id>.json", views.visit_draw_json, name="visit_draw_json"),
]
