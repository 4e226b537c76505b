"""gunicorn settings of an app node (deploy/systemd/shuangsuiji-web.service). The same processes
as scripts/demo (2 workers × 4 threads), bound to the node's private address for the balancer.
See deploy/RUNBOOK.md."""

import os

bind = os.environ.get("SHUANGSUIJI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SHUANGSUIJI_WORKERS", "2"))
threads = int(os.environ.get("SHUANGSUIJI_THREADS", "4"))
timeout = 120  # an import's upload streams through before the job takes over
graceful_timeout = 30
keepalive = 5  # above nginx's upstream keepalive_timeout is not needed: nginx closes first
worker_tmp_dir = "/dev/shm"
# The app writes its own JSON line per request with the request id (core/ops): no second access log.
accesslog = None
loglevel = "warning"
# X-Forwarded-Proto: https is believed only from the balancer, so that request.is_secure() holds
# (CSRF's origin check, secure cookies); the same addresses as SHUANGSUIJI_TRUSTED_PROXIES.
forwarded_allow_ips = os.environ.get("SHUANGSUIJI_TRUSTED_PROXIES", "127.0.0.1")


def child_exit(server, worker):
    """A worker gone: its metric files are merged no more (prometheus_client multiprocess mode,
    PROMETHEUS_MULTIPROC_DIR set by the unit)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
