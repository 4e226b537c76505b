from django import forms
from django.conf import settings

from shuangsuiji.core.forms import DateInput
from shuangsuiji.core.scope import jurisdiction
from shuangsuiji.directory.models import Method

from . import selectors
from .models import ResultCategory


class ResultForm(forms.Form):
    """One item's result; the prefix is the item's id, so one page saves every item at once. An
    item left without a result is not saved (services.results_save); one entered before cannot
    be emptied."""

    method = forms.ChoiceField(label="检查方式", choices=Method.choices)
    categories = forms.MultipleChoiceField(
        label="检查结果", widget=forms.CheckboxSelectMultiple, required=False
    )
    problem = forms.CharField(label="问题描述", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.code, c.name) for c in ResultCategory.objects.active()]
        if item is not None and item.offsite_only:
            self.fields["method"].choices = [c for c in Method.choices if c[0] != Method.ONSITE]


class FinishForm(forms.Form):
    finished_on = forms.DateField(label="检查完毕日期", widget=DateInput())
    summary = forms.CharField(label="检查情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SubmitForm(forms.Form):
    """The confirm step of 提交复核: the button that sends it sits behind 提交复核, away from every
    other button; the finish date is asked for only when none was recorded yet."""

    confirm = forms.BooleanField(widget=forms.HiddenInput, error_messages={"required": "请确认后再提交复核"})
    finished_on = forms.DateField(
        label="检查完毕日期",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "请填写正确的检查完毕日期"},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="照片或 PDF",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"}
        ),
        error_messages={"required": "请选择文件", "empty": "附件是空文件，请重新选择"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The cap as configured (SHUANGSUIJI_ATTACHMENT_MAX_MB), not a number written here.
        self.fields["file"].label = f"照片或 PDF（不超过 {settings.ATTACHMENT_MAX_BYTES // 1024 // 1024} MB）"


class CheckInForm(forms.Form):
    reason = forms.CharField(label="入企理由（低风险对象实地检查时必填）", required=False, max_length=300)
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)


class RatingForm(forms.Form):
    code = forms.CharField(label="评价码（见检查通知书）", max_length=12)
    score = forms.TypedChoiceField(
        label="评分", coerce=int, choices=[(i, f"{i} 分") for i in range(5, 0, -1)], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="意见（可不填）", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressFilterForm(forms.Form):
    """检查进度's filters (issue 18): the same form reads the page's query string and the 待办
    home's link parameters, so the home's count is the list's total."""

    state = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *selectors.PROGRESS_STATES.items()]
    )
    task = forms.ModelChoiceField(label="任务", required=False, queryset=None, empty_label="全部")
    department = forms.ModelChoiceField(label="部门", required=False, queryset=None, empty_label="全部")

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["task"].queryset = selectors.progress_tasks(user)
        self.fields["task"].label_from_instance = lambda t: f"{t.code} {t.name}"
        if jurisdiction(user).is_office:  # only the office sees several departments
            self.fields["department"].queryset = selectors.progress_departments(user)
        else:
            del self.fields["department"]

    def rows(self, today):
        """The rows the filters choose; a value not recognised is left out (the page says so)."""
        c = {}
        if self.is_bound:
            self.is_valid()
            c = self.cleaned_data  # the fields that were recognised
        return selectors.progress_rows(
            self.user,
            today=today,
            state=c.get("state") or "",
            task_id=c["task"].pk if c.get("task") else None,
            department_id=c["department"].pk if c.get("department") else None,
        )


def progress_for(user, params, today):
    """(the filter form, its rows): what 检查进度 shows and the 待办 home counts."""
    form = ProgressFilterForm(params or None, user=user)
    return form, form.rows(today)
