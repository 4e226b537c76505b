from django.urls import include, path

from shuangsuiji.api import api

urlpatterns = [
    path("", include("shuangsuiji.core.urls")),
    path("directory/", include("shuangsuiji.directory.urls")),
    path("planning/", include("shuangsuiji.planning.urls")),
    path("planning/", include("shuangsuiji.archive.urls")),  # the task dossier, kept at its address
    path("draw/", include("shuangsuiji.draw.urls")),
    path("inspection/", include("shuangsuiji.inspection.urls")),
    # a witness's own device (draw/witness_urls.py): public, the one-time link is the credential
    path("public/witness/", include("shuangsuiji.draw.witness_urls")),
    path("public/", include("shuangsuiji.publicity.urls")),
    path("followup/", include("shuangsuiji.followup.urls")),
    path("triggers/", include("shuangsuiji.triggers.urls")),
    path("warning/", include("shuangsuiji.warning.urls")),
    path("reports/", include("shuangsuiji.reports.urls")),
    path("api/v1/", api.urls),
]

handler400 = "shuangsuiji.core.views.bad_request"  # a malformed value, named on the site's own page
