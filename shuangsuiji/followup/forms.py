"""Forms of the ledger and return-visit pages. The filter form is the one definition of the ledger's
filters (STYLE.md 8)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.core.forms import ListFilter
from shuangsuiji.core.selectors import departments_in_scope

from . import selectors
from .models import OPEN_STATES, DispositionKind, FindingCategory, FollowUp, FollowUpState, VisitConclusion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LedgerFilterForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    department = forms.ModelChoiceField(label="责任部门", queryset=None, required=False, empty_label="全部")
    kind = forms.ChoiceField(
        label="处置方式",
        required=False,
        choices=[("", "全部"), ("none", "尚未确定"), *DispositionKind.choices],
    )
    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), ("open", "未办结"), *FollowUpState.choices]
    )
    overdue = forms.BooleanField(label="只看已逾期", required=False)

    def __init__(self, *args, departments: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments

    def apply(self, qs: QuerySet[FollowUp], today: dt.date) -> QuerySet[FollowUp]:
        if not self.is_valid():
            return qs
        c = self.cleaned_data
        if c.get("year"):
            qs = qs.filter(year=c["year"])
        if c.get("department"):
            qs = qs.filter(Q(department=c["department"]) | Q(transfer_to=c["department"]))
        if c.get("kind") == "none":
            qs = qs.filter(kind="")
        elif c.get("kind"):
            qs = qs.filter(kind=c["kind"])
        if c.get("state") == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif c.get("state"):
            qs = qs.filter(state=c["state"])
        if c.get("overdue"):
            qs = qs.filter(state__in=OPEN_STATES, due_on__lt=today)
        return qs


def ledger_filtered(user, params, today: dt.date) -> tuple["LedgerFilterForm", QuerySet[FollowUp]]:
    """(the filter form, the entries it chooses): what the ledger lists and the 待办 home counts."""
    departments = departments_in_scope(user).filter(is_office=False).order_by("name")
    form = LedgerFilterForm(params or None, departments=departments)
    return form, form.apply(selectors.ledger_in_scope(user), today)


class DisposeForm(forms.Form):
    kind = forms.ChoiceField(label="处置方式", choices=DispositionKind.choices)
    measure = forms.CharField(
        label="处置内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="整改要求、惩戒措施或移送事由",
    )
    due_on = forms.DateField(
        label="办结期限",
        required=False,
        widget=DATE,
        help_text="立案查处自动为立案后 90 日；列入经营异常名录自动为发现后 10 个工作日",
    )
    case_number = forms.CharField(label="立案号", required=False, max_length=60)
    receiving_organ = forms.CharField(label="接收机关（移送司法机关）", required=False, max_length=100)
    transfer_to = forms.ModelChoiceField(label="接收部门（抄告/移送）", queryset=None, required=False)
    on = forms.DateField(label="决定日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args, departments: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_to"].queryset = departments


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label="处置结果", widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label="结果日期", widget=DATE, initial=timezone.localdate)
    penalty_decision_no = forms.CharField(label="行政处罚决定书文号", required=False, max_length=80)
    penalty_content = forms.CharField(
        label="处罚内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    penalty_decided_on = forms.DateField(label="处罚决定日期", required=False, widget=DATE)


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(
        label="核查结论", choices=[("1", "整改到位"), ("0", "整改未到位")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="核查情况", required=False, max_length=500)
    on = forms.DateField(label="核查日期", widget=DATE, initial=timezone.localdate)


class ReturnTransferForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=300)


class VisitDrawForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    department = forms.ModelChoiceField(label="部门", queryset=None, required=False, empty_label="全辖区")
    share = forms.DecimalField(
        label="抽取比例（%）",
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        initial=Decimal("5"),
    )
    weighted_share = forms.DecimalField(
        label="加权抽取比例（%）",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text="选填。填写后，检查不认真信号中被标记人员的检查单独分层，按此比例抽取（须高于抽取比例）",
    )
    public_value_source = forms.CharField(
        label="公开随机值来源",
        max_length=200,
        help_text="如：2026-11-25 福彩3D开奖号码。须在公告之后产生；抽取时录入，参与种子计算，任何人可复核",
    )

    def __init__(self, *args, departments: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class VisitRunForm(forms.Form):
    public_value = forms.CharField(label="公开随机值", max_length=100)


class VisitRecordForm(forms.Form):
    conclusion = forms.ChoiceField(label="回访结论", choices=VisitConclusion.choices)
    findings = forms.MultipleChoiceField(
        label="发现的问题",
        required=False,
        choices=FindingCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="回访情况", widget=forms.Textarea(attrs={"rows": 2}))
    on = forms.DateField(label="回访日期", widget=DATE, initial=timezone.localdate)


class InboxFilterForm(ListFilter):
    """移送收件箱's filters; the 待办 home links with state=transfer_pending."""

    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *selectors.INBOX_STATES.items()]
    )
    sender = forms.ModelChoiceField(label="移送部门", required=False, queryset=None, empty_label="全部")
    q = forms.CharField(label="检查对象名称", required=False, max_length=50)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["sender"].queryset = selectors.inbox_senders(user)

    def rows(self):
        c = self.values()
        return selectors.inbox_shown(
            self.user, state=c.get("state", ""), sender=c.get("sender"), q=c.get("q", "").strip()
        )
