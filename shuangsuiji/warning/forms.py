"""Forms of the watch list's pages: the office's settings, and the two things a department starts
from a row (a 监测预警 trigger, a class proposal). The services check everything again."""

from django import forms

from shuangsuiji.directory.models import RiskClass
from shuangsuiji.planning.forms import ItemChoiceField
from shuangsuiji.triggers.selectors import department_items

from .watch import SETTING_FIELDS


class WatchSettingsForm(forms.Form):
    def __init__(self, *args, current, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, low, high) in SETTING_FIELDS.items():
            self.fields[name] = forms.IntegerField(
                label=label,
                min_value=low,
                max_value=high,
                initial=getattr(current, name),
                error_messages={
                    "required": f"请填写【{label}】",
                    "invalid": f"【{label}】须为整数",
                    "min_value": f"【{label}】不能小于 {low}",
                    "max_value": f"【{label}】不能大于 {high}",
                },
            )


class WatchTriggerForm(forms.Form):
    items = ItemChoiceField(label="检查事项", queryset=None, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label="情况描述（内部，不公开）", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = department_items(user)


class WatchProposeForm(forms.Form):
    risk_class = forms.ChoiceField(label="建议的信用风险分类", choices=[("", "请选择"), *RiskClass.choices])
    reason = forms.CharField(label="建议理由", max_length=150, widget=forms.Textarea(attrs={"rows": 3}))
