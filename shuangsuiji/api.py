"""/api/v1: the same data and the same permission layer as the pages. Signed in by session in the
browser (with CSRF) or by a personal API token (Authorization: Bearer …) for scripts."""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError
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


# The error answers every operation may give, declared once for the whole schema (an operation
# that returned a status its schema does not list would break a generated client).
ERROR_SCHEMA = {
    "type": "object",
    "title": "错误",
    "properties": {
        "detail": {"type": "string", "description": "中文说明，指明出错的字段或记录"},
        "field": {"type": ["string", "null"], "description": "出错的字段"},
        "errors": {
            "type": "array",
            "description": "逐项的校验错误（422）",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["detail"],
}
ERROR_ANSWERS = {
    400: "请求有误：数据不符合业务规则，或请求体无法解析",
    401: "未登录，或 API 令牌无效、已过期、已注销",
    403: "无权进行此操作",
    404: "记录不存在，或不在当前账号的范围内",
    422: "参数或请求体不合格式（如数字超出范围、日期无效）",
}


class Api(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema with the shared error answers added to each operation: 401 and 403
        where it needs sign-in, 404 where its path names a record, 400 where it writes, 422
        where it takes parameters or a body."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path, operations in schema["paths"].items():
            for method, op in operations.items():
                codes = set()
                if op.get("security"):
                    codes |= {401, 403}
                if "{" in path:
                    codes.add(404)
                if method != "get":
                    codes.add(400)
                if op.get("parameters") or op.get("requestBody"):
                    codes |= {400, 422}  # 400: a body that is not JSON at all
                for code in sorted(codes):
                    op["responses"].setdefault(
                        code,
                        {
                            "description": ERROR_ANSWERS[code],
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


api = Api(
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


# ninja's own answers, in Chinese like the rest of the platform.
HTTP_ERRORS = {
    "Cannot parse request body": "请求体无法解析：须为合法的 JSON",
    "CSRF check Failed": "CSRF 校验失败：请刷新页面后重试，脚本请改用 API 令牌",
}


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = HTTP_ERRORS.get(exc.message) or ERROR_ANSWERS.get(exc.status_code) or "请求有误"
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def _http_404(request, exc):
    return api.create_response(request, {"detail": ERROR_ANSWERS[404]}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    """422: each error named by its field, in Chinese; the first also as `detail`/`field`."""
    errors = [{"field": _field(e), "message": f"{_field(e)}：{_message(e)}"} for e in exc.errors]
    first = errors[0] if errors else {"field": None, "message": ERROR_ANSWERS[422]}
    return api.create_response(
        request,
        {
            "detail": "；".join(e["message"] for e in errors) or first["message"],
            "field": first["field"],
            "errors": errors,
        },
        status=422,
    )


def _field(error) -> str:
    # loc is ("query", "page"), ("path", "target_id") or ("body", "data", "kind", ...)
    names = [str(x) for x in error.get("loc", ()) if isinstance(x, str)]
    names = names[2:] if names[:1] == ["body"] else names[1:]
    return ".".join(names) or "请求体"


_COMPARED = {  # pydantic's comparison: (said of a number, said of a day)
    "greater_than_equal": ("不得小于", "不得早于"),
    "greater_than": ("须大于", "须晚于"),
    "less_than_equal": ("不得大于", "不得晚于"),
    "less_than": ("须小于", "须早于"),
}


def _message(error) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return "必填"
    if kind.startswith("int_"):
        return "须为整数"
    if kind in _COMPARED:
        bound = next(iter(ctx.values()), "")
        number, day = _COMPARED[kind]
        return f"须为整数且{number} {bound}" if isinstance(bound, int) else f"{day} {bound}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "须为日期（YYYY-MM-DD）"
    if kind in ("enum", "literal_error"):
        return f"须为以下之一：{ctx.get('expected', '')}"
    if kind.startswith("bool"):
        return "须为 true 或 false"
    if kind == "string_too_long":
        return f"不得超过 {ctx.get('max_length')} 个字符"
    if kind == "string_too_short":
        return f"不得少于 {ctx.get('min_length')} 个字符"
    if kind.startswith("string") or kind == "str_type":
        return "须为文字"
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return "须为 JSON 对象"
    if kind == "list_type":
        return "须为列表"
    return "取值无效"


api.add_router("/directory", "shuangsuiji.directory.api.router")
api.add_router("/public", "shuangsuiji.publicity.api.router")
