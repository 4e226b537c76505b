"""The second factor of privileged roles (GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别
技术): a TOTP code (RFC 6238, pyotp) after the password.

A session is fully signed in when it carries FACTOR_KEY. The sign-in page never signs a
privileged account in before its code is given (core/views.py), and one middleware refuses
every page and API call of a privileged session without the key, so no page can forget it (a
session from before this rule, or of an account granted a privileged role while signed in).

Programmatic sign-ins (Django's test client `force_login`/`login`, a shell) pass a bare
`HttpRequest` to `login()`; every request that reaches the site over HTTP is a WSGIRequest or
ASGIRequest, so marking the bare ones as fully signed in lets tests sign in directly without
opening any path to a real visitor."""

import hmac
from io import BytesIO

import pyotp
import segno
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import SECOND_FACTOR_ROLES

FACTOR_KEY = "ssj_second_factor"
PENDING_KEY = "ssj_pending_sign_in"  # the password was right; the code step comes next
ISSUER = "双随机监管平台"


def required(user) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def accepted_step(secret: str, code: str, *, after: int) -> int | None:
    """The time step `code` belongs to (now, or one step either side for a phone's clock
    drift), if later than `after`, the last one used: a code works once. None otherwise."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if step > after and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here: the secret never leaves the server."""
    out = BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=5, xmldecl=False, svgns=True, title="动态口令二维码"
    )
    return out.getvalue().decode()


def mark_programmatic_sign_in(sender, request, user, **kwargs):
    if type(request) is HttpRequest and hasattr(request, "session"):
        request.session[FACTOR_KEY] = True


def connect() -> None:
    user_logged_in.connect(mark_programmatic_sign_in, dispatch_uid="ssj_second_factor_programmatic")


# Pages a privileged session without its second factor may still open.
_OPEN_PATHS = ("/login/", "/logout/", "/static/", "/public/", "/activate/")


class SecondFactorMiddleware:
    """Refuses a privileged, signed-in session that has not given its second factor: pages go
    to the code step (or enrolment), the API answers 401. After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and required(user)
            and not request.session.get(FACTOR_KEY)
            and not request.path_info.startswith(_OPEN_PATHS)
        ):
            if request.path_info.startswith("/api/"):
                if "HTTP_AUTHORIZATION" not in request.META:
                    return JsonResponse({"detail": "请先完成动态口令验证"}, status=401)
                # A token (created from a fully signed-in session) answers for itself; the
                # half-signed session must not stand in if the token is refused.
                request.user = AnonymousUser()
                return self.get_response(request)
            return redirect("core:second_factor")
        return self.get_response(request)
