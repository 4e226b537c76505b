"""Metrics for Prometheus (prometheus_client): requests and their latency by view name, the
background job queue, and whether the database answers. Not public: /metrics answers only a
client address in METRICS_ALLOWED_NETWORKS (default: this machine) or a request carrying
`Authorization: Bearer <SHUANGSUIJI_METRICS_TOKEN>`; the balancer does not pass /metrics on at all
(deploy/nginx).

Labels are bounded: a request is counted under its URL pattern's name (`publicity:draw`), never
its path, so a million draws make one series; a path no pattern matches counts as "unmatched".

Under gunicorn each worker process counts for itself; with PROMETHEUS_MULTIPROC_DIR set (the
deploy unit sets it, and deploy/gunicorn.conf.py clears a dead worker's files) a scrape of any
worker reads the sum of all of them (prometheus_client's multiprocess mode)."""

import hmac
import os

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .. import throttle
from ..models import Job, JobStatus
from .health import database_problem

# Our own registry, not the library's global one: the request metrics and the state read at
# scrape time, nothing a library registers on import.
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "shuangsuiji_http_requests",
    "HTTP requests answered, by view name, method and status code",
    ["view", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "shuangsuiji_http_request_duration_seconds",
    "Time from the request's arrival in the app to its answer, by view name",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
REPLICA_FALLBACKS = Counter(
    "shuangsuiji_replica_fallbacks",
    "Replica reads (public portal, reports) made from the primary instead: the replica down, "
    "lagging beyond REPLICA_MAX_LAG_SECONDS, or failing mid-request (core/ops/dbrouter.py)",
    ["reason"],
    registry=REGISTRY,
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def observe(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"  # a client may send any method name
    REQUESTS.labels(view, method, str(status)).inc()
    LATENCY.labels(view, method).observe(seconds)


class StateCollector:
    """What is read from the database at each scrape (so every worker reports the same): the
    jobs waiting and running, and whether the database answers."""

    def collect(self):
        problem = database_problem()
        up = GaugeMetricFamily("shuangsuiji_database_up", "1 when the database answers the health query")
        up.add_metric([], 0 if problem else 1)
        yield up
        jobs = GaugeMetricFamily(
            "shuangsuiji_jobs", "Background jobs queued or running (the job queue's depth)", labels=["status"]
        )
        counts = {JobStatus.QUEUED.value: 0, JobStatus.RUNNING.value: 0}
        if not problem:
            try:
                rows = (
                    Job.objects.filter(status__in=list(counts))
                    .values_list("status")
                    .annotate(n=Count("pk"))
                    .order_by()
                )
                counts.update(dict(rows))
            except DatabaseError:
                return
        for status, n in counts.items():
            jobs.add_metric([status], n)
        yield jobs


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_Own())
    registry.register(StateCollector())
    return registry


class _Own:
    """This process's request metrics, for a registry built per scrape."""

    def collect(self):
        yield from REGISTRY.collect()


def allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.META.get("HTTP_AUTHORIZATION", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
        return True
    ip = throttle.client_ip(request)
    return ip is not None and any(ip in net for net in settings.METRICS_ALLOWED_NETWORKS)


def metrics(request):
    if not allowed(request):
        return HttpResponse(
            "无权读取运行指标：仅限监控服务器地址或持有监控令牌的请求",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    resp = HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
    resp["Cache-Control"] = "no-store"
    return resp
