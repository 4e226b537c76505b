"""The two middlewares of ops, first in settings.MIDDLEWARE.

RequestLogMiddleware (outermost): gives the request its id — the balancer's X-Request-ID when
the connection comes from a trusted proxy (core/throttle.py's rule for X-Forwarded-For), else a
new one —, puts it on every log record of the request and on the response, counts the request
for /metrics by view name, and writes one log line per request (`shuangsuiji.request`, INFO;
/healthz and /metrics at DEBUG, so a balancer checking every few seconds does not fill the log).

EndpointsMiddleware (next): answers /healthz and /metrics itself, before the host check, the
session, CSRF, sign-in and the second factor: the balancer and the scraper carry no cookie and
may name the node by its address. The URLs are still in core/urls.py (reverse, the permission
matrix); this only answers them early."""

import logging
import time

from django.urls import resolve

from .. import throttle
from . import health, logs
from . import metrics as metrics_module

access_log = logging.getLogger("shuangsuiji.request")

EARLY = {"/healthz": health.healthz, "/metrics": metrics_module.metrics}
QUIET = set(EARLY)


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


def _user_id(request):
    """The signed-in user's id, if the request got as far as loading it (never loads it here)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # AuthenticationMiddleware's lazy object
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID")
        if throttle.from_trusted_proxy(request) and logs.valid_request_id(given):
            request_id = given
        else:
            request_id = logs.new_request_id()
        request.request_id = request_id
        token = logs.request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            response["X-Request-ID"] = request_id
            view = _view_name(request)
            metrics_module.observe(
                view=view, method=request.method, status=response.status_code, seconds=seconds
            )
            access_log.log(
                logging.DEBUG if request.path_info in QUIET else logging.INFO,
                "%s %s %s",
                request.method,
                request.get_full_path()[:500],
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path_info[:500],
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    "user_id": _user_id(request),
                    "client": throttle.client_address(request),
                },
            )
            return response
        finally:
            logs.request_id_var.reset(token)


class EndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = EARLY.get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.resolver_match = resolve(request.path_info)
        return view(request)
