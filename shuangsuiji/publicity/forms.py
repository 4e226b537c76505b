"""The public lists' filters: one definition each, read by the list and by the portal's home,
whose counts link to them."""

from django import forms

from shuangsuiji.core.forms import ListFilter
from shuangsuiji.draw.models import DrawStatus

from . import selectors


class PublicDrawFilterForm(ListFilter):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    department = forms.ModelChoiceField(label="牵头部门", required=False, queryset=None, empty_label="全部")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *DrawStatus.choices])
    q = forms.CharField(label="任务名称", required=False, max_length=50)

    def __init__(self, data, **kwargs):
        super().__init__(data, user=None, **kwargs)
        self.fields["department"].queryset = selectors.draw_departments()

    def rows(self):
        c = self.values()
        return selectors.draws_shown(
            year=c.get("year"),
            department=c.get("department"),
            status=c.get("status", ""),
            q=c.get("q", "").strip(),
        )


class PublicPlanFilterForm(ListFilter):
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    department = forms.ModelChoiceField(label="部门", required=False, queryset=None, empty_label="全部")

    def __init__(self, data, **kwargs):
        super().__init__(data, user=None, **kwargs)
        self.fields["department"].queryset = selectors.plan_departments()

    def rows(self):
        c = self.values()
        return selectors.plans_shown(year=c.get("year"), department=c.get("department"))
