import re
from decimal import Decimal
from fractions import Fraction

from django import forms
from django.utils.html import format_html

from shuangsuiji.core.forms import DateInput
from shuangsuiji.core.models import BusinessLine, Department
from shuangsuiji.directory.models import IndustryLevel, TargetKind

from . import selectors
from .models import JointList, Milestone, PlanStatus, QuotaMode, Task, TaskMode, TaskState
from .presets import PRESETS

PCT = {"min_value": 0, "max_value": 100, "decimal_places": 2, "required": False}


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label="按实施方案预设", choices=[(p.key, p.label) for p in PRESETS])
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


def _percent(share):
    if share is None:
        return None
    p = (share * 100).normalize()
    return p.quantize(1) if p == p.to_integral_value() else p


class GoalsForm(forms.Form):
    """Shares are entered as percentages (3 means 3%)."""

    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    coverage = forms.DecimalField(label="抽查企业覆盖率不低于（%）", **PCT)
    coverage_snapshot = forms.DateField(label="企业数口径日期", widget=DateInput())
    joint_task_share = forms.DecimalField(label="联合抽查次数占比不低于（%）", **PCT)
    joint_household_share = forms.DecimalField(label="联合抽查户数占比不低于（%）", **PCT)
    credit_share = forms.DecimalField(label="运用信用风险分类的抽查次数占比不低于（%）", **PCT)
    publicity_on_time = forms.DecimalField(label="抽查结果按时公示率（%）", **PCT)
    followup_rate = forms.DecimalField(label="后续处置率（%）", **PCT)
    source = forms.CharField(label="依据", max_length=200, required=False)

    SHARES = (
        "coverage",
        "joint_task_share",
        "joint_household_share",
        "credit_share",
        "publicity_on_time",
        "followup_rate",
    )

    @classmethod
    def initial_from(cls, goals):
        if not goals:
            return {}
        # Shown as percentages without trailing zeros: 3, not 3.0000; 100, not 1E+2.
        data = {k: _percent(getattr(goals, k)) for k in cls.SHARES}
        return data | {
            "year": goals.year,
            "coverage_snapshot": goals.coverage_snapshot,
            "source": goals.source,
        }

    def shares(self) -> dict:
        return {
            k: (self.cleaned_data[k] / 100 if self.cleaned_data[k] is not None else None) for k in self.SHARES
        }


class ItemChoiceField(forms.ModelMultipleChoiceField):
    """抽查事项 as checkboxes: the item's code marked as a code, then its name."""

    def label_from_instance(self, obj):
        return format_html('<span data-code="事项编码">{}</span> {}', obj.code, obj.name)


class JointListForm(forms.ModelForm):
    industries_text = forms.CharField(
        label="行业代码", required=False, help_text="国民经济行业分类代码，多个用逗号分隔，如 62（餐饮业）"
    )

    class Meta:
        model = JointList
        fields = ["name", "lead", "participants", "items", "note"]
        widgets = {"participants": forms.CheckboxSelectMultiple, "items": forms.CheckboxSelectMultiple}
        field_classes = {"items": ItemChoiceField}

    def __init__(self, *args, departments=None, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = departments
        self.fields["participants"].queryset = departments
        self.fields["items"].queryset = items


RATIO_FIELDS = {c: f"ratio_{c}" for c in "ABCD"}
# the fields of each quota mode: only the chosen mode's are shown, and the others are ignored
QUOTA_FIELDS = {QuotaMode.RATIO: list(RATIO_FIELDS.values()), QuotaMode.TOTAL: ["total"]}
# a picker's text is split at commas, 、, semicolons and spaces; "获鹿镇（130110100）" as a region
# prints itself reads as its name and its code, each naming the same region
_SPLIT = re.compile(r"[,，、;；\s（）()]+")
_MAX_MATCHES = 8


def _tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text or "") if t]


def _minimal(found: list) -> list:
    """Drop the industries another match already covers (62 covers 629 其他餐饮业)."""
    codes = [i.code for i in found]
    return [i for i in found if not any(i.code != c and i.code.startswith(c) for c in codes)]


class TaskForm(forms.ModelForm):
    ratio_A = forms.DecimalField(label="A类（低风险）比例（%）", initial=1, **PCT)
    ratio_B = forms.DecimalField(label="B类（一般风险）比例（%）", initial=3, **PCT)
    ratio_C = forms.DecimalField(label="C类（较高风险）比例（%）", initial=10, **PCT)
    ratio_D = forms.DecimalField(label="D类（高风险）比例（%）", initial=30, **PCT)
    scope_regions_text = forms.CharField(
        label="区划范围",
        required=False,
        help_text="输入区划名称或代码查找，如：获鹿镇；多个用顿号分隔；留空为本辖区全部",
        widget=forms.TextInput(attrs={"list": "region-options", "data-picker": "", "autocomplete": "off"}),
    )
    scope_industries_text = forms.CharField(
        label="行业范围",
        required=False,
        help_text="输入行业名称或国民经济行业分类代码查找，如：餐饮业 或 62；多个用顿号分隔；留空为不限行业",
        widget=forms.TextInput(attrs={"list": "industry-options", "data-picker": "", "autocomplete": "off"}),
    )
    scope_kinds = forms.MultipleChoiceField(
        label="对象类型",
        choices=TargetKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="留空时按所选事项的检查对象类型确定（保存后显示）；事项均未规定时为全部类型",
    )

    class Meta:
        model = Task
        fields = [
            "name",
            "mode",
            "joint_list",
            "departments",
            "business_lines",
            "items",
            "scope_kinds",
            "scope_tags",
            "quota_mode",
            "total",
            "team_size",
            "window_start",
            "window_end",
            "publish_selection_on",
        ]
        widgets = {
            "departments": forms.CheckboxSelectMultiple,
            "business_lines": forms.CheckboxSelectMultiple,
            "items": forms.CheckboxSelectMultiple,
            "scope_tags": forms.CheckboxSelectMultiple,
            "window_start": DateInput(),
            "window_end": DateInput(),
            "publish_selection_on": DateInput(),
        }
        field_classes = {"items": ItemChoiceField}

    def __init__(self, *args, department: Department, departments, items, tags, joint_lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.region = department.region
        self.notes: list[str] = []  # how typed names were read, shown after saving
        self.fields["departments"].queryset = departments
        self.fields["departments"].required = False
        self.fields["departments"].help_text = "部门联合任务请勾选参与部门（牵头部门自动包含）"
        self.fields["business_lines"].queryset = BusinessLine.objects.filter(department=department)
        self.fields["items"].queryset = items
        self.fields["items"].help_text = "只列出已发布、已认领的事项；部门联合任务可选参与部门认领的事项"
        self.fields["scope_tags"].queryset = tags
        self.fields["joint_list"].queryset = joint_lists
        self.fields["mode"].choices = TaskMode.choices
        self.fields["quota_mode"].choices = QuotaMode.choices
        self.fields["total"].help_text = "按总数抽取时填写：全部对象不分层，抽取这么多户"
        if self.instance.pk:
            for c, f in RATIO_FIELDS.items():
                if c in (self.instance.ratios or {}):
                    self.initial[f] = float(self.instance.ratios[c]) * 100
            self.initial["scope_regions_text"] = "、".join(self._region_labels(self.instance.scope_regions))
            self.initial["scope_industries_text"] = "、".join(
                self._industry_labels(self.instance.scope_industries)
            )

    # ---- what the template shows ---------------------------------------------------------------

    @staticmethod
    def _region_labels(codes) -> list[str]:
        found = selectors.regions_by_code(codes)
        return [f"{c} {found[c].name}" if c in found else c for c in codes]

    @staticmethod
    def _industry_labels(codes) -> list[str]:
        found = selectors.industries_by_code(codes)
        return [f"{c} {found[c].name}" if c in found else c for c in codes]

    def region_options(self):
        return selectors.scope_region_choices(self.region)

    def industry_options(self):
        return selectors.industry_choices()

    def item_groups(self) -> list[tuple[str, list[tuple]]]:
        """(department, [(item, checked, its target types in Chinese)]) for the grouped list."""
        value = self["items"].value() or []
        chosen = {str(getattr(v, "pk", v)) for v in value}
        kinds = dict(TargetKind.choices)
        return [
            (
                name,
                [
                    (i, str(i.pk) in chosen, " ".join(str(kinds.get(k, k)) for k in i.target_kinds))
                    for i in items
                ],
            )
            for name, items in selectors.task_items_by_department(self.region, self.department)
        ]

    def error_rows(self) -> list[tuple[str, str, str]]:
        """(row id, label, message) of every field error, in the form's order, for the summary."""
        return [
            (f"row-{name}", self.fields[name].label, e)
            for name in self.fields
            for e in self.errors.get(name, [])
        ]

    # ---- reading the pickers -------------------------------------------------------------------

    def clean_scope_regions_text(self) -> list[str]:
        codes: list[str] = []
        for t in _tokens(self.cleaned_data.get("scope_regions_text", "")):
            found = selectors.regions_named(self.region, t)
            current = [r for r in found if r.retired_on is None]
            found = current or found
            if not found:
                raise forms.ValidationError(
                    f"本辖区内没有名称或代码为“{t}”的区划，请从列表中选择或输入区划代码"
                )
            if len(found) > 1:
                raise forms.ValidationError(
                    f"“{t}”对应多个区划：{'、'.join(f'{r.name}（{r.code}）' for r in found[:_MAX_MATCHES])}，请输入其中一个的名称或代码"
                )
            if not t.isdigit():
                self.notes.append(f"区划“{t}”已识别为：{found[0].name}（{found[0].code}）")
            codes.append(found[0].code)
        return list(dict.fromkeys(codes))

    def clean_scope_industries_text(self) -> list[str]:
        codes: list[str] = []
        for t in _tokens(self.cleaned_data.get("scope_industries_text", "")):
            found = _minimal(selectors.industries_named(t))
            if not found:
                raise forms.ValidationError(
                    f"没有名称或代码为“{t}”的行业，请从列表中选择，或输入国民经济行业分类代码（如 62）"
                )
            if len(found) > _MAX_MATCHES:
                raise forms.ValidationError(
                    f"“{t}”匹配到 {len(found)} 个行业（如 {'、'.join(str(i) for i in found[:3])}），请输入更具体的名称或代码"
                )
            if t.upper() != found[0].code or len(found) > 1:
                self.notes.append(f"行业“{t}”已识别为：{'、'.join(str(i) for i in found)}")
            for i in found:
                # a 门类 is a letter; targets carry 4-digit codes: it stands for its 大类
                codes += selectors.section_divisions(i.code) if i.level == IndustryLevel.SECTION else [i.code]
        return list(dict.fromkeys(codes))

    def clean(self):
        data = super().clean()
        # the fields of the quota mode not chosen are hidden: whatever they hold is ignored
        chosen = data.get("quota_mode") or QuotaMode.RATIO
        for mode, names in QUOTA_FIELDS.items():
            if mode != chosen:
                for name in names:
                    self._errors.pop(name, None)
                    data[name] = None
        if data.get("mode") != TaskMode.JOINT:  # shown for a 部门联合 task only
            data["departments"], data["joint_list"] = [], None
        return data

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        d["ratios"] = {}
        for c, f in RATIO_FIELDS.items():
            value = d.pop(f, None)
            if value is not None:
                d["ratios"][c] = str(value / 100)
        d["scope_regions"] = d.pop("scope_regions_text")
        d["scope_industries"] = d.pop("scope_industries_text")
        d["departments"] = list(d["departments"])
        return d


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class AssignmentPresetForm(forms.Form):
    preset = forms.ChoiceField(
        label="载入实施方案的任务分工", choices=[(p.key, p.label) for p in PRESETS if p.assignments]
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["year", "content", "departments", "unit_name", "due_on", "due_text", "note"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 2}),
            "departments": forms.CheckboxSelectMultiple,
            "due_on": DateInput(),
        }

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        self.fields["departments"].required = False
        self.fields["year"].min_value = 2000

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        d["departments"] = list(d["departments"])
        return d


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DateInput(), required=False)
    note = forms.CharField(label="完成情况", max_length=500, required=False)


KIND_CHOICES = [("enterprise", "企业"), ("", "全部类型")]


class SimulatorScopeForm(forms.Form):
    department = forms.ModelChoiceField(
        label="部门", queryset=Department.objects.none(), required=False, empty_label="全辖区"
    )
    kind = forms.ChoiceField(label="对象类型", choices=KIND_CHOICES, required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments


_PCT = {"min_value": 0, "max_value": 100, "decimal_places": 4}


class SimulatorForm(forms.Form):
    """The simulator's inputs; shares in percent. Per class: count, ratio, problem rate and the
    optimiser's bounds."""

    inspectors = forms.IntegerField(label="执法检查人员（名）", min_value=0)
    days = forms.DecimalField(label="每人可用于抽查的工作日", min_value=0, decimal_places=2)
    per_day = forms.DecimalField(label="每人每日检查户数", min_value=Decimal("0.01"), decimal_places=2)
    team_size = forms.IntegerField(label="每组执法人员数", min_value=2, max_value=10)
    goal = forms.IntegerField(label="覆盖目标（户）", min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for c in "ABCD":
            self.fields[f"count_{c}"] = forms.IntegerField(label=f"{c}类对象数", min_value=0)
            self.fields[f"ratio_{c}"] = forms.DecimalField(label=f"{c}类抽查比例（%）", **_PCT)
            self.fields[f"rate_{c}"] = forms.DecimalField(label=f"{c}类问题发现率（%）", **_PCT)
            self.fields[f"min_{c}"] = forms.DecimalField(label=f"{c}类比例下限（%）", **_PCT)
            self.fields[f"max_{c}"] = forms.DecimalField(label=f"{c}类比例上限（%）", **_PCT)
        # The per-class inputs sit in table cells without a <label>; app.css sizes them (the content
        # security policy refuses a style attribute).
        for f in self.fields.values():
            f.widget.attrs.setdefault("aria-label", f.label)

    def class_fields(self):
        """(class, count, ratio, rate, min, max) bound fields per class, for the table."""
        return [(c, *(self[f"{k}_{c}"] for k in ("count", "ratio", "rate", "min", "max"))) for c in "ABCD"]

    def capacity_fields(self):
        return [self[k] for k in ("inspectors", "days", "per_day", "team_size", "goal")]

    def share(self, name: str):
        return Fraction(self.cleaned_data[name]) / 100


class _ListFilter(forms.Form):
    """A list's filters, read from its query string and from the 待办 home's link parameters by
    the same form, so the home's count is the list's total (issue 18). A value not recognised is
    left out, and the page says so."""

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data or None, **kwargs)
        self.user = user

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data  # the fields that were recognised


class PlanFilterForm(_ListFilter):
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *selectors.PLAN_FILTERS.items(), *PlanStatus.choices],
    )

    def rows(self):
        return selectors.plans_filtered(self.user, status=self.values().get("status", ""))


class TaskFilterForm(_ListFilter):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *TaskState.choices])
    lead = forms.ModelChoiceField(label="牵头部门", required=False, queryset=None, empty_label="全部")
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["lead"].queryset = selectors.task_leads(user)

    def rows(self):
        c = self.values()
        return selectors.tasks_filtered(
            self.user, state=c.get("state") or "", lead=c.get("lead"), year=c.get("year")
        )
