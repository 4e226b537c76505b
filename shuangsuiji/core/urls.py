from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .ops import health, metrics

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.second_factor_step, name="second_factor"),
    path("login/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/<str:code>/", views.activate, name="activate"),
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/output/", views.job_output, name="job_output"),
    path("calendar/", views.calendar, name="calendar"),
    path("org/", views.org, name="org"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:pk>/confirm/", views.role_grant_confirm, name="role_grant_confirm"),
    path("roles/<int:pk>/refuse/", views.role_grant_refuse, name="role_grant_refuse"),
    path("roles/accounts/", views.role_accounts, name="role_accounts"),
    path("roles/accounts/<int:pk>/factor-reset/", views.second_factor_reset, name="second_factor_reset"),
    path("audit/", views.audit_log, name="audit_log"),
    path("tokens/", views.tokens, name="tokens"),
    # answered by ops.middleware.EndpointsMiddleware before sessions and sign-in; here for reverse()
    path("healthz", health.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
]
