import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from shuangsuiji.core.errors import DomainError, Forbidden
from shuangsuiji.core.paging import ApiPages
from shuangsuiji.core.params import ApiId
from shuangsuiji.core.permissions import Action, can
from shuangsuiji.core.selectors import region_by_code

from . import selectors, services
from .models import TargetKind
from .selectors import TargetFilter

router = Router(tags=["一单两库一指引"])


def _require(request, action: Action):
    if not can(request.auth, action):
        raise Forbidden("您没有权限进行此操作")


class TargetOut(Schema):
    id: int
    kind: str
    key: str
    name: str
    region: str
    address: str
    industry: str | None
    founded_on: dt.date | None
    status: str
    risk_class: str | None = Field(
        None, description="信用风险分类：仅名录维护部门、双随机办公室可见，其他部门为 null"
    )

    @staticmethod
    def resolve_key(obj):
        return obj.key_display

    @staticmethod
    def resolve_risk_class(obj):
        # targets_for's annotation: NULL where the caller's department does not keep the target
        return obj.visible_risk_class

    @staticmethod
    def resolve_region(obj):
        return obj.region_id

    @staticmethod
    def resolve_industry(obj):
        return obj.industry_id


class TargetFilterIn(Schema):
    q: str = ""
    region: str = ""
    kind: str = ""
    industry: str = ""
    tag: ApiId | None = None
    risk_class: str = ""
    status: str = ""


class TargetIn(Schema):
    kind: TargetKind
    key: str
    name: str
    region: str
    address: str = ""
    founded_on: dt.date | None = None
    risk_class: str = ""


class InspectorOut(Schema):
    id: int
    name: str
    id_masked: str
    department: str
    certificate_no: str
    certificate_expiry: dt.date | None
    on_duty: bool
    is_expert: bool

    @staticmethod
    def resolve_department(obj):
        return obj.department.name


class ItemOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    methods: list[str]
    offsite_only: bool
    status: str


@router.get(
    "/targets", response=list[TargetOut], summary="检查对象（按统一社会信用代码精确、按名称模糊查询并筛选）"
)
@paginate(ApiPages, page_size=50)
def target_list(request, filters: Query[TargetFilterIn]):
    _require(request, Action.DIRECTORY_VIEW)
    return TargetFilter(**filters.dict()).apply(selectors.targets_for(request.auth)).order_by("id")


@router.get("/targets/{target_id}", response=TargetOut, summary="检查对象详情")
def target_detail(request, target_id: ApiId):
    _require(request, Action.DIRECTORY_VIEW)
    return get_object_or_404(selectors.targets_for(request.auth), pk=target_id)


@router.post("/targets", response={201: TargetOut}, summary="新增检查对象（本部门）")
def target_create(request, data: TargetIn):
    _require(request, Action.TARGET_EDIT)
    region = region_by_code(data.region)
    if not region:
        raise DomainError(f"行政区划代码“{data.region}”不存在", field="region")
    t = services.target_create(
        actor=request.auth,
        department=request.auth.department,
        kind=data.kind,
        name=data.name,
        region=region,
        key=data.key,
        address=data.address,
        founded_on=data.founded_on,
        risk_class=data.risk_class,
    )
    # read back through the caller's scope: the class as the caller may see it
    return Status(201, selectors.targets_for(request.auth).get(pk=t.pk))


@router.get("/inspectors", response=list[InspectorOut], summary="执法检查人员")
@paginate(ApiPages, page_size=50)
def inspector_list(request):
    _require(request, Action.DIRECTORY_VIEW)
    return selectors.inspectors_for(request.auth).select_related("department").order_by("id")


@router.get("/items", response=list[ItemOut], summary="抽查事项清单")
def item_list(request):
    _require(request, Action.DIRECTORY_VIEW)
    return list(selectors.items_for(request.auth).order_by("code"))
