"""The reviewed exemptions of the cross-department probe (test_probe.py), in one file.

The probe asks every route and API operation, with the ids of department A's records, as each
actor who has no part in them, and expects a refusal. An answer other than a refusal is allowed
only where it is written here, with the reason; a change to this file is a change to who may see
what, and is reviewed as such.

Keys: (method, route, actor), where method is GET, POST or "*" for both, route the urlconf's
spelling ("directory/items/<int:pk>/") or the OpenAPI path, and actor one of test_probe.PROBERS
or "*" for all of them. An exempted request must still never answer with a server error."""

PUBLIC = "公示门户：任何人可以查看，由 publicity 的测试检查公开内容"

EXEMPT: dict[tuple[str, str, str], str] = {
    # The item list (抽查事项清单) is the jurisdiction's, published by the office for every
    # department of the county to read and claim: not department A's record.
    ("*", "directory/items/<int:pk>/", "b_admin"): "辖区共用的抽查事项清单，本县各部门均可查看",
    ("*", "directory/items/<int:pk>/", "b_inspector"): "辖区共用的抽查事项清单，本县各部门均可查看",
    (
        "*",
        "directory/items/<int:pk>/claim/",
        "b_admin",
    ): "本县部门认领已发布的事项是它自己的操作（GET 回到事项页）",
    # The workplan's milestones are the office's, and every member department is a responsible
    # unit that reads them (R-ADM-3).
    ("GET", "planning/workplan/<int:pk>/", "b_admin"): "实施方案任务分工，各成员单位均可查看",
    ("GET", "planning/workplan/<int:pk>/", "b_inspector"): "实施方案任务分工，各成员单位均可查看",
    # The enterprise's QR code opens the public verification page: anyone holding the code.
    ("GET", "inspection/checkin/<str:token>/", "*"): "扫码入企页面对持码人公开（不含内部信息）",
    # The auditor re-runs draws from their frozen pools and full records (separation of duties).
    ("*", "draw/audit/<str:public_id>/<str:what>/", "auditor"): "审计员下载冻结的对象池与完整记录以重算抽取",
    # The same auditor gets a closed task's whole dossier (pool included) to check it (archive).
    (
        "GET",
        "planning/tasks/<int:pk>/dossier/",
        "auditor",
    ): "审计员下载办结任务的完整档案（含对象池）以核对抽取",
    # The owner of a new account sets its password there with the one-time code, before any
    # sign-in; an unknown code only gets “链接无效”.
    ("*", "activate/<str:code>/", "*"): "一次性开通码设置密码的页面，对持码人开放（无效码只显示链接无效）",
    ("*", "public/plans/<int:pk>/", "*"): PUBLIC,
    ("*", "public/draws/<str:public_id>.json", "*"): PUBLIC,
    ("*", "public/draws/<str:public_id>/", "*"): PUBLIC,
    ("*", "public/selection/<str:token>/", "*"): PUBLIC,
    # A witness's own device: the one-time link is the credential, for whoever holds it (the
    # witness has no account); an unknown, replaced or spent link only gets “链接无效” (404).
    (
        "*",
        "public/witness/<str:token>/",
        "*",
    ): "见证人本人设备页面，凭一次性链接访问（无效链接只显示链接无效）",
    ("*", "followup/public/visits/<str:public_id>.json", "*"): PUBLIC,
}


def exempt(method: str, route: str, actor: str) -> str | None:
    for key in ((method, route, actor), (method, route, "*"), ("*", route, actor), ("*", route, "*")):
        if key in EXEMPT:
            return EXEMPT[key]
    return None
