from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly_report, name="monthly"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:key>/", views.kpi_drill, name="kpi_drill"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/<int:department>/<str:key>/", views.assessment_drill, name="assessment_drill"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/monthly/<int:pk>/", views.monthly_submission_detail, name="monthly_submission"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/<int:pk>/", views.quarterly_detail, name="quarterly_detail"),
    path("schedule/", views.schedule, name="schedule"),
    path("estimates/", views.estimates, name="estimates"),
    path("rules/", views.rules_page, name="rules"),
]
