from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("targets/", views.target_list, name="target_list"),
    path("targets/new/", views.target_create, name="target_create"),
    path("targets/import/", views.target_import, name="target_import"),
    path("targets/import/<int:pk>/", views.target_import_preview, name="target_import_preview"),
    path("targets/import/<int:pk>/changes.xlsx", views.target_import_changes, name="target_import_changes"),
    path("targets/template/<str:template>.<str:fmt>", views.target_template, name="target_template"),
    path("targets/export.<str:fmt>", views.target_export, name="target_export"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/own-class/", views.target_own_class, name="target_own_class"),
    path("keeper/", views.keeper, name="keeper"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/accept/", views.suggestion_accept, name="suggestion_accept"),
    path("suggestions/<int:pk>/reject/", views.suggestion_reject, name="suggestion_reject"),
    path("inspectors/", views.inspector_list, name="inspector_list"),
    path("inspectors/new/", views.inspector_create, name="inspector_create"),
    path("inspectors/import/", views.inspector_import, name="inspector_import"),
    path("inspectors/template.<str:fmt>", views.inspector_template, name="inspector_template"),
    path("inspectors/export.<str:fmt>", views.inspector_export, name="inspector_export"),
    path("inspectors/<int:pk>/", views.inspector_detail, name="inspector_detail"),
    path("inspectors/<int:pk>/edit/", views.inspector_edit, name="inspector_edit"),
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_edit, name="item_create"),
    path("items/import/", views.item_import, name="item_import"),
    path("items/template.<str:fmt>", views.item_template, name="item_template"),
    path("items/export.<str:fmt>", views.item_export, name="item_export"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/claim/", views.item_claim, name="item_claim"),
    path("items/<int:pk>/publish/", views.item_publish, name="item_publish"),
    path("tags/", views.tag_list, name="tag_list"),
]
