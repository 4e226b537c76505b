from django.urls import path

from . import careless_views, views

app_name = "warning"
urlpatterns: list = [
    # 风险预警名单 (the watch list)
    path("watch/", views.watch_list, name="watch_list"),
    path("watch/settings/", views.watch_settings, name="watch_settings"),
    path("watch/<int:pk>/", views.watch_detail, name="watch_detail"),
    path("watch/<int:pk>/trigger/", views.watch_trigger, name="watch_trigger"),
    path("watch/<int:pk>/propose/", views.watch_propose, name="watch_propose"),
    # 检查不认真信号 (the careless-inspection signals)
    path("careless/", careless_views.careless_list, name="careless"),
    path("careless/inspectors/<int:pk>/", careless_views.careless_inspector, name="careless_inspector"),
]
