"""/api/v1: the same data and the same permission layer as the pages. Signed in by session in the
browser (with CSRF) or by a personal API token (Authorization: Bearer …) for scripts."""

from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from shuangsuiji.core import services as core_services
from shuangsuiji.core.errors import DomainError, Forbidden, NotFound


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = core_services.api_token_user(token)
        if user:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session; django-ninja checks CSRF on unsafe methods."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="双随机、一公开监管平台 API",
    version="1",
    description="检查对象、执法检查人员、抽查事项。权限与页面相同：只返回当前账号范围内的数据。",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    urls_namespace="api",
)


@api.exception_handler(Forbidden)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(NotFound)
def _not_found(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=404)


@api.exception_handler(DomainError)
def _domain(request, exc):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


api.add_router("/directory", "shuangsuiji.directory.api.router")
api.add_router("/public", "shuangsuiji.publicity.api.router")
