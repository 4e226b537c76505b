from decimal import Decimal
from fractions import Fraction

from django import forms
from django.utils.html import format_html

from shuangsuiji.core.forms import DateInput
from shuangsuiji.core.models import BusinessLine, Department
from shuangsuiji.directory.models import TargetKind

from .models import JointList, Milestone, QuotaMode, Task, TaskMode
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


class TaskForm(forms.ModelForm):
    ratio_A = forms.DecimalField(label="A类（低风险）比例（%）", initial=1, **PCT)
    ratio_B = forms.DecimalField(label="B类（一般风险）比例（%）", initial=3, **PCT)
    ratio_C = forms.DecimalField(label="C类（较高风险）比例（%）", initial=10, **PCT)
    ratio_D = forms.DecimalField(label="D类（高风险）比例（%）", initial=30, **PCT)
    scope_regions_text = forms.CharField(
        label="区划范围", required=False, help_text="区划代码，多个用逗号分隔；空为本辖区全部"
    )
    scope_industries_text = forms.CharField(
        label="行业范围", required=False, help_text="国民经济行业分类代码前缀，如 62（餐饮业）"
    )
    scope_kinds = forms.MultipleChoiceField(
        label="对象类型", choices=TargetKind.choices, required=False, widget=forms.CheckboxSelectMultiple
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
        self.fields["departments"].queryset = departments
        self.fields["departments"].required = False
        self.fields["departments"].help_text = "部门联合任务请勾选参与部门（牵头部门自动包含）"
        self.fields["business_lines"].queryset = BusinessLine.objects.filter(department=department)
        self.fields["items"].queryset = items
        self.fields["scope_tags"].queryset = tags
        self.fields["joint_list"].queryset = joint_lists
        self.fields["mode"].choices = TaskMode.choices
        self.fields["quota_mode"].choices = QuotaMode.choices
        if self.instance.pk:
            for c, f in RATIO_FIELDS.items():
                if c in (self.instance.ratios or {}):
                    self.initial[f] = float(self.instance.ratios[c]) * 100
            self.initial["scope_regions_text"] = ",".join(self.instance.scope_regions)
            self.initial["scope_industries_text"] = ",".join(self.instance.scope_industries)

    def service_fields(self) -> dict:
        d = dict(self.cleaned_data)
        d["ratios"] = {}
        for c, f in RATIO_FIELDS.items():
            value = d.pop(f, None)
            if value is not None:
                d["ratios"][c] = str(value / 100)
        d["scope_regions"] = [
            x.strip() for x in d.pop("scope_regions_text").replace("，", ",").split(",") if x.strip()
        ]
        d["scope_industries"] = [
            x.strip() for x in d.pop("scope_industries_text").replace("，", ",").split(",") if x.strip()
        ]
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
        for name, f in self.fields.items():  # the per-class inputs sit in table cells without a <label>
            f.widget.attrs.setdefault("aria-label", f.label)
            if name[-2:] in ("_A", "_B", "_C", "_D"):
                f.widget.attrs["style"] = "width:7em"

    def class_fields(self):
        """(class, count, ratio, rate, min, max) bound fields per class, for the table."""
        return [(c, *(self[f"{k}_{c}"] for k in ("count", "ratio", "rate", "min", "max"))) for c in "ABCD"]

    def capacity_fields(self):
        return [self[k] for k in ("inspectors", "days", "per_day", "team_size", "goal")]

    def share(self, name: str):
        return Fraction(self.cleaned_data[name]) / 100
