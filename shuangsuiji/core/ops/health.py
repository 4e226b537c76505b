"""/healthz: whether this app node can serve, for the balancer's health check. It asks the
database one cheap question under a short statement timeout, and answers 200 "ok" or 503 with
the reason in Chinese. No sign-in, no session, no host check: ops.middleware answers it before
those middlewares run (the balancer has no cookie and may name the node by its address)."""

import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpResponse

log = logging.getLogger(__name__)


def database_problem() -> str | None:
    """None when the database answers a trivial query within HEALTHZ_TIMEOUT_MS, else why not
    (in Chinese, for the operator reading the balancer's log)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # set_config(…, true) is SET LOCAL: it ends with this transaction, so a pooled
                # connection does not keep the short timeout for the next request.
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [str(settings.HEALTHZ_TIMEOUT_MS)]
                )
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except DatabaseError as e:
        # A connection the server dropped (a restarted primary) is thrown away at the end of this
        # request by Django (close_old_connections), so the next check connects afresh.
        timed_out = "statement timeout" in str(e) or "canceling statement" in str(e)
        log.warning("health check: database %s", type(e).__name__, extra={"error": str(e)[:300]})
        return "数据库响应超时" if timed_out else "数据库无法连接"
    if row != (1,):
        return "数据库应答异常"
    return None


def healthz(request):
    problem = database_problem()
    resp = HttpResponse(
        f"不可用：{problem}" if problem else "ok",
        status=503 if problem else 200,
        content_type="text/plain; charset=utf-8",
    )
    resp["Cache-Control"] = "no-store"
    return resp
