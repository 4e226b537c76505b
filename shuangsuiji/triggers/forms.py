"""Forms of the trigger pages: record a trigger, ask for a triggered task, decide, merge."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from shuangsuiji.core.scope import visible_to
from shuangsuiji.directory.models import Target
from shuangsuiji.planning.forms import ItemChoiceField
from shuangsuiji.planning.models import TriggerCategory

from . import selectors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_TARGETS = 200


class TriggerForm(forms.Form):
    category = forms.ChoiceField(label="触发类别", choices=TriggerCategory.choices)
    source = forms.CharField(
        label="来源",
        max_length=200,
        required=False,
        help_text="如：12345政务服务便民热线、市市场监督管理局、上级部署文件文号",
    )
    source_department = forms.ModelChoiceField(
        label="转办/交办部门", queryset=None, required=False, empty_label="（无）"
    )
    followup = forms.ModelChoiceField(
        label="来自抄告/移送的台账条目", queryset=None, required=False, empty_label="（无）"
    )
    received_on = forms.DateField(label="收到日期", widget=DATE)
    targets_text = forms.CharField(
        label="检查对象",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个：统一社会信用代码，或非市场主体的标识",
    )
    items = ItemChoiceField(label="检查事项", queryset=None, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label="情况描述（内部，不公开）", widget=forms.Textarea(attrs={"rows": 4}))
    complainant = forms.CharField(
        label="投诉举报人及联系方式（保密）",
        max_length=200,
        required=False,
        help_text="仅本部门可见，不公开、不导出",
    )

    def __init__(self, *args, user, departments: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["source_department"].queryset = departments.exclude(pk=user.department_id).order_by(
            "name"
        )
        self.fields["followup"].queryset = selectors.transfers_received(user)
        self.fields["followup"].label_from_instance = lambda f: (
            f"{f.department.name} → {f.target.name}（{f.problem[:30]}）"
        )
        self.fields["items"].queryset = selectors.department_items(user)
        if not self.is_bound:
            self.initial.setdefault("received_on", timezone.localdate())

    def clean_targets_text(self) -> list[Target]:
        keys = [line.strip() for line in self.cleaned_data["targets_text"].splitlines() if line.strip()]
        if len(keys) > MAX_TARGETS:
            raise forms.ValidationError(f"一次最多指定 {MAX_TARGETS} 个检查对象")
        mine = visible_to(Target, self.user)
        found, missing = [], []
        for n, key in enumerate(keys, 1):
            kind, _, rest = key.partition(":")
            q = (
                Q(uscc=key.upper())
                | Q(nonmarket_key=key)
                | (Q(kind=kind, nonmarket_key=rest) if rest else Q(pk__in=[]))
            )
            t = mine.filter(q).order_by("pk").first()
            if t is None:
                missing.append(f"第 {n} 行“{key[:40]}”")
            elif t not in found:
                found.append(t)
        if missing:
            raise forms.ValidationError(f"本部门对象库中找不到：{'、'.join(missing)}")
        if not found:
            raise forms.ValidationError("请至少指定一个检查对象")
        return found


class RequestForm(forms.Form):
    window_start = forms.DateField(label="检查开始日期", widget=DATE)
    window_end = forms.DateField(label="检查结束日期", widget=DATE)
    team_size = forms.IntegerField(label="每组执法人员数", min_value=2, max_value=10, initial=2)
    reason = forms.CharField(label="申请理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批", choices=[("approve", "批准"), ("refuse", "不予批准")])
    note = forms.CharField(label="审批意见", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    selection = forms.ModelChoiceField(label="并入的随机抽查", queryset=None, empty_label=None)
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, trigger, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selection"].queryset = selectors.merge_candidates(trigger)
        self.fields["selection"].label_from_instance = lambda s: (
            f"{s.target.name} · {s.draw.task.code} {s.draw.task.name}（{s.draw.task.get_state_display()}）"
        )
