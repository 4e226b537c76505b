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
