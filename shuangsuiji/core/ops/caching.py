"""How long a public page may be cached, and conditional answers (304), so that a proxy in front
can serve a province's portal (issue 20).

- `public_page`: an anonymous GET/HEAD is answered with `Cache-Control: public, max-age=
  PUBLIC_CACHE_SECONDS` (60 s by default), an ETag (Django's digest of the page as rendered, so it
  is exact), and, where the view names a cheap source, a Last-Modified; a request whose
  If-None-Match or If-Modified-Since still holds gets 304. With a Last-Modified source, an
  If-Modified-Since alone is answered before the page is rendered (RFC 9110: If-None-Match, when
  sent, takes precedence and needs the page's digest).
  A signed-in visitor's page carries the navigation and the sign-out form's CSRF token, and a
  page that used a CSRF token or showed a message is someone's own: those are `private,
  no-store`, never shared.
- `private_page`: `private, no-store` always (an enterprise's selection page, a witness's page:
  the link is the credential and the forms carry CSRF tokens).

Last-Modified is announced only when the newest change is at least LAST_MODIFIED_SETTLE seconds
old: an HTTP date has whole seconds, so a page rendered within the same second as a change could
otherwise be taken as current after a second change in that second."""

import datetime as dt
from functools import wraps

from django.conf import settings
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.http import http_date

LAST_MODIFIED_SETTLE = dt.timedelta(seconds=2)


def _private(response):
    response.headers.pop("Cache-Control", None)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _personal(request) -> bool:
    """The page as rendered belongs to this visitor: it holds a CSRF token (set on the visitor's
    cookie) or showed the visitor's messages."""
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    storage = getattr(request, "_messages", None)
    return storage is not None and bool(getattr(storage, "used", False) and len(storage))


def private_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return _private(view(request, *args, **kwargs))

    return wrapped


def public_page(last_modified=None):
    """`last_modified(request, *args, **kwargs)` → the time of the newest change the page shows,
    or None; leave it out where no cheap, exact source exists (a page that changes with the date)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
                return _private(view(request, *args, **kwargs))
            changed = last_modified(request, *args, **kwargs) if last_modified else None
            if changed is not None and timezone.now() - changed < LAST_MODIFIED_SETTLE:
                changed = None
            stamp = int(changed.timestamp()) if changed is not None else None
            if stamp is not None and "HTTP_IF_NONE_MATCH" not in request.META:
                early = get_conditional_response(request, last_modified=stamp)
                if early is not None:
                    return _public(early, stamp)
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
            if _personal(request):
                return _private(response)
            if not response.streaming:
                set_response_etag(response)
            _public(response, stamp)
            return get_conditional_response(
                request, etag=response.get("ETag"), last_modified=stamp, response=response
            )

        return wrapped

    return decorator


def _public(response, stamp):
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
    return response
