from django.urls import path

from . import anchors, results, views

app_name = "publicity"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("draws/", views.draw_list, name="draws"),
    path("draws/<str:public_id>.json", views.draw_json, name="draw_json"),
    path("draws/<str:public_id>/", views.draw, name="draw"),
    path("selection/<str:token>/", views.selection, name="selection"),
    path("results/", results.search, name="results"),
    path("export/results.csv", results.export_results_csv, name="export_results_csv"),
    path("export/results.json", results.export_results_json, name="export_results_json"),
    path("export/draws.json", results.export_draws_json, name="export_draws_json"),
    path("audit-anchors/", anchors.audit_anchors, name="audit_anchors"),
    path("audit-anchors.json", anchors.audit_anchors_json, name="audit_anchors_json"),
]
