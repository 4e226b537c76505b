"""No input makes a 5xx (issue 14, finding 5): a number past 64 bits, a negative or non-numeric
id in a query string or a form field is a 400 page (a 422 on the API) whose Chinese message names
the field, and nothing is changed."""

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver

from shuangsuiji.core import services as core_services
from shuangsuiji.core.models import AuditEntry

# The standing world of the permission matrix (one draw with teams and a pending recusal, tasks,
# tokens), built once for the module and rolled back after it.
from shuangsuiji.core.tests import test_permission_matrix as matrix

standing, world, objs = matrix.standing, matrix.world, matrix.objs

HUGE = "10000000000000000000"  # past 2⁶³
JUST_PAST = "9223372036854775808"  # 2⁶³: the first value a signed 64-bit column cannot hold
BAD_IDS = [HUGE, JUST_PAST, "-1", "0", "abc", "1.5", "", "１２"]


def _bearer(user) -> dict:
    _, secret = core_services.api_token_create(actor=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# ---- the API ---------------------------------------------------------------------------------

API_LISTS = [
    "/api/v1/directory/targets",
    "/api/v1/directory/inspectors",
    "/api/v1/public/results",
    "/api/v1/public/draws",
]


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize("page", [HUGE, JUST_PAST, "-1", "0", "abc"])
def test_api_page_out_of_range_is_422_in_chinese(world, url, page):
    r = Client().get(f"{url}?page={page}", **_bearer(world.a_admin))
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["field"] == "page"
    assert "page" in body["detail"] and "整数" in body["detail"], body


@pytest.mark.parametrize("tag", [HUGE, JUST_PAST, "-1", "0", "abc"])
def test_api_tag_out_of_range_is_422_in_chinese(world, tag):
    r = Client().get(f"/api/v1/directory/targets?tag={tag}", **_bearer(world.a_admin))
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "tag" and "tag" in r.json()["detail"]


@pytest.mark.parametrize("target_id", [HUGE, JUST_PAST, "-1", "0"])
def test_api_target_id_out_of_range_is_422(world, target_id):
    r = Client().get(f"/api/v1/directory/targets/{target_id}", **_bearer(world.a_admin))
    assert r.status_code == 422, r.content
    assert r.json()["field"] == "target_id"


def test_api_page_within_bounds_still_pages(world, objs):
    r = Client().get("/api/v1/directory/targets?page=1000000", **_bearer(world.a_admin))
    assert r.status_code == 200 and r.json()["items"] == []


def test_api_unsigned_and_malformed_body_answers_in_chinese(world):
    r = Client().get("/api/v1/directory/targets")
    assert r.status_code == 401 and "令牌" in r.json()["detail"]
    r = Client().post(
        "/api/v1/directory/targets", "{not json", content_type="application/json", **_bearer(world.a_admin)
    )
    assert r.status_code in (400, 422) and not r.json()["detail"].isascii(), r.content


# ---- pages: query strings --------------------------------------------------------------------


def _arg_free_pages():
    """Every page route without a path argument (the API is probed by schemathesis)."""
    out = []

    def walk(resolver, prefix):
        for p in resolver.url_patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLPattern):
                if "<" not in route and not route.startswith("api/"):
                    out.append("/" + route)
            else:
                walk(p, route)

    walk(get_resolver(), "")
    return sorted(set(out) - {"/logout/"})


# Each query parameter a page reads, with values no database column holds.
JUNK_QUERY = (
    f"page={HUGE}&tag={JUST_PAST}&year={HUGE}&month=abc&quarter=-1&department={JUST_PAST}"
    f"&as_of=2026-13-45&since=x&region={HUGE}&business_line=abc&specialty={HUGE}&item={HUGE}"
    "&show=%00&q=%00&key=abc&verify=1&format=abc"
)


@pytest.mark.parametrize("url", _arg_free_pages())
@pytest.mark.parametrize("actor", ["anonymous", "office", "a_admin", "sysadmin", "auditor"])
def test_no_page_answers_bad_query_with_a_server_error(client, world, objs, url, actor):
    if actor != "anonymous":
        client.force_login(getattr(world, actor))
    r = client.get(f"{url}?{JUNK_QUERY}")
    assert r.status_code < 500, (url, actor, r.status_code)


@pytest.mark.parametrize("page", [HUGE, JUST_PAST, "-1", "abc"])
@pytest.mark.parametrize("url", ["/directory/targets/", "/directory/inspectors/", "/audit/", "/jobs/"])
def test_page_lists_clamp_a_page_past_the_end(client, world, objs, url, page):
    client.force_login(world.a_admin if url != "/audit/" else world.auditor)
    assert client.get(f"{url}?page={page}").status_code == 200


@pytest.mark.parametrize("pk", [HUGE, JUST_PAST])
@pytest.mark.parametrize(
    "route", ["/directory/targets/{}/", "/planning/tasks/{}/", "/inspection/s/{}/", "/followup/{}/"]
)
def test_a_huge_id_in_a_page_path_is_not_found(client, world, objs, route, pk):
    client.force_login(world.a_admin)
    assert client.get(route.format(pk)).status_code == 404


# ---- pages: form fields ----------------------------------------------------------------------


def _refused_unchanged(client, url, data, field):
    before = AuditEntry.objects.count()
    r = client.post(url, data)
    assert r.status_code == 400, (url, data, r.status_code)
    text = r.content.decode()
    assert field in text and "整数" in text, text
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("which", ["unlock", "deactivate", "activate"])
def test_org_account_actions_refuse_a_bad_user_id(client_for, world, objs, which, bad):
    _refused_unchanged(client_for(world.sysadmin), "/org/", {"form": which, "user": bad}, "user")


@pytest.mark.parametrize("bad", BAD_IDS)
def test_token_revoke_refuses_a_bad_id(client_for, world, objs, bad):
    core_services.api_token_create(actor=world.a_admin, name="报表脚本")
    _refused_unchanged(client_for(world.a_admin), "/tokens/", {"revoke": bad}, "revoke")


@pytest.mark.parametrize("bad", BAD_IDS)
def test_recusal_decision_refuses_a_bad_request_id(client_for, world, objs, bad):
    _refused_unchanged(
        client_for(world.a_reviewer), "/draw/recusals/", {"request": bad, "decision": "approve"}, "request"
    )


@pytest.mark.parametrize("bad", BAD_IDS)
def test_draw_recusal_request_refuses_a_bad_member_id(client_for, world, objs, bad):
    url = f"/draw/{objs.draw.public_id}/recusal/"
    _refused_unchanged(client_for(world.a_admin), url, {"member": bad, "reason": "亲属关系"}, "member")


@pytest.mark.parametrize("bad", BAD_IDS)
def test_draw_recusal_page_refuses_a_bad_target_id(client_for, world, objs, bad):
    r = client_for(world.a_admin).get(f"/draw/{objs.draw.public_id}/recusal/", {"s": bad})
    assert r.status_code == 400 and "检查对象" in r.content.decode()


@pytest.mark.parametrize("bad", BAD_IDS)
def test_task_send_down_refuses_a_bad_department_id(client_for, world, objs, bad):
    url = f"/planning/tasks/{objs.task.pk}/"
    _refused_unchanged(
        client_for(world.a_admin), url, {"action": "send_down", "departments": [bad]}, "departments"
    )


def test_the_400_page_is_the_sites_own_in_chinese(client_for, world, objs):
    r = client_for(world.a_admin).post("/tokens/", {"revoke": "abc"})
    assert r.status_code == 400
    text = r.content.decode()
    assert "<h1>请求有误</h1>" in text and "“abc”" in text


@pytest.mark.parametrize("url", ["/tokens/", "/api/v1/directory/targets"])
def test_a_multipart_body_without_boundary_is_400(client_for, world, url):
    before = AuditEntry.objects.count()
    r = client_for(world.a_admin).generic("POST", url, b"name=x", content_type="multipart/form-data")
    assert r.status_code == 400, r.content
    assert "请求有误" in r.content.decode()
    assert AuditEntry.objects.count() == before


# A NUL character: PostgreSQL cannot hold it in text, so it must never reach a query.


@pytest.mark.parametrize("url", ["/public/results/?q=%00", "/directory/targets/?q=a%00b", "/?x%00=1"])
def test_a_nul_in_a_query_is_a_400_page(client_for, world, url):
    r = client_for(world.a_admin).get(url)
    assert r.status_code == 400 and "空字符" in r.content.decode()


def test_a_nul_in_a_cookie_or_form_field_is_refused_before_the_session(client, world):
    client.cookies["sessionid"] = "abcdefgh\x00ijk"
    assert client.get("/").status_code == 400
    client.cookies.clear()
    before = AuditEntry.objects.count()
    r = client.post("/login/", {"username": "a_admin\x00", "password": "x"})
    assert r.status_code == 400 and "username" in r.content.decode()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("url", ["/api/v1/public/results?q=%00", "/api/v1/directory/targets?q=%00"])
def test_a_nul_in_an_api_query_is_422(world, url):
    r = Client().get(url, **_bearer(world.a_admin))
    assert r.status_code == 422 and r.json()["field"] == "q" and "空字符" in r.json()["detail"]


def test_a_nul_in_a_json_body_is_422_and_nothing_is_written(world):
    headers = _bearer(world.a_admin)
    before = AuditEntry.objects.count()
    body = {"kind": "enterprise", "key": "x", "name": "鹿泉\x00公司", "region": "130110"}
    r = Client().post("/api/v1/directory/targets", body, content_type="application/json", **headers)
    assert r.status_code == 422 and r.json()["field"] == "body"
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("url", ["/api/v1/public/results", "/api/v1/public/draws"])
def test_a_since_before_the_platforms_years_is_422(url):
    # 0:00 of 0001-01-01 in Beijing is before the first instant a datetime can hold in UTC
    r = Client().get(f"{url}?since=0001-01-01")
    assert r.status_code == 422 and r.json()["field"] == "since"
    assert "不得早于 2000-01-01" in r.json()["detail"]


def test_a_json_body_nested_past_reason_is_400_not_500(world):
    headers = _bearer(world.a_admin)
    body = "[" * 100_000 + "]" * 100_000
    r = Client().post("/api/v1/directory/targets", body, content_type="application/json", **headers)
    assert r.status_code == 400 and not r.json()["detail"].isascii()
