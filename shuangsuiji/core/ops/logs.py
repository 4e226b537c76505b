"""Structured logs: one JSON object per line, with the request id on every record logged while
a request is served (its own lines, Django's, a service's), so that the lines of one request can
be found again across the balancer and the app nodes.

Loaded by settings.LOGGING before the apps are: imports nothing of Django's models."""

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

# The request being served on this thread (or task): set by ops.middleware.RequestLogMiddleware.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# What a balancer's id may look like (nginx's $request_id is 32 hex digits; a UUID has dashes):
# anything else is replaced, so a client cannot write into the log through the header.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

# The attributes every LogRecord has: the rest are what a caller passed in `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> bool:
    return bool(value) and _ID.fullmatch(value) is not None


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on the record (empty outside a request). On the handler, so
    that records propagated from every logger pass through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx/5xx (django.request) after the middlewares have answered, with the
            # request itself on the record: its id is there.
            record.request_id = request_id_var.get() or getattr(
                getattr(record, "request", None), "request_id", ""
            )
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601 with zone), level, logger, message, request_id,
    the record's `extra` fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)
