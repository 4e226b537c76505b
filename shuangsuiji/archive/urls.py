from django.urls import path

from . import views

# Mounted under /planning/ (config/urls.py), where the dossier has always been: the task page's
# link, bookmarks and the permission matrix keep the same address.
app_name = "archive"
urlpatterns = [
    path("tasks/<int:pk>/dossier/", views.task_dossier, name="task_dossier"),
]
