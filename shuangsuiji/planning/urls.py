from django.urls import path

from . import views

app_name = "planning"
urlpatterns = [
    path("goals/", views.goals, name="goals"),
    path("joint-lists/", views.joint_lists, name="joint_lists"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_pk>/tasks/new/", views.task_edit, name="task_create"),
    path("plans/<int:plan_pk>/tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("workplan/", views.workplan, name="workplan"),
    path("workplan/<int:pk>/", views.milestone, name="milestone"),
    path("simulator/", views.simulator_page, name="simulator"),
]
