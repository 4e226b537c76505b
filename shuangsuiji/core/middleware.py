from django.http import JsonResponse

from . import params, uploads
from .errors import BadInput


class SecurityHeadersMiddleware:
    """Headers Django does not set itself. Every asset is the app's own, so the policy can be
    'self' only: a page that tried to load from the internet would fail loudly in testing."""

    CSP = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if request.user.is_authenticated:
            response.setdefault("Cache-Control", "no-store")
        return response


class BodyCapMiddleware:
    """The size cap of the request body, held before the body is read (core/uploads.py has the
    one table of caps per URL): a declared length over the cap is refused with 413 at once, and
    a multipart body is parsed here, through a handler that counts the bytes as they stream and
    stops at the cap. Placed before everything that could touch request.POST (CSRF does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = uploads.declared_length(request)
        multipart = request.content_type == "multipart/form-data"
        if not declared and not multipart:
            return self.get_response(request)
        kind = uploads.body_kind(request.path_info)
        if declared > uploads.body_cap(kind):
            return uploads.too_large_response(request, kind, declared)
        if multipart:
            request.upload_handlers.insert(0, uploads.CapUploadHandler(kind, request))
            try:
                request.POST  # noqa: B018  (parse now, while a refusal can still be a 413)
            except uploads.BodyTooLarge as e:
                for handler in request.upload_handlers:
                    partial = getattr(handler, "file", None)
                    if partial is not None:
                        partial.close()  # the temporary file of the part cut off
                return uploads.too_large_response(request, kind, e.received)
        return self.get_response(request)


class NulByteMiddleware:
    """A NUL character in the path, a query, form or JSON field or a cookie is refused before
    any view or the session looks it up: PostgreSQL cannot hold it in text, so it would be a 500
    wherever it reached a query. The API answers 422 (JSON), a page 400 (core.views.bad_request).
    After BodyCapMiddleware, which holds the size cap before the body is parsed here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = params.nul_field(request)
        if field is None:
            return self.get_response(request)
        message = f"{field}：不得含空字符（NUL，\\0）"
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message, "field": field}, status=422)
        raise BadInput(message, field=field)
