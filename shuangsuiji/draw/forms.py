from django import forms

from shuangsuiji.core.forms import DateInput, DateTimeInput, ListFilter

from . import selectors
from .models import RecusalStatus, VoidReason, VoidRequestStatus


class AnnounceForm(forms.Form):
    draw_at = forms.DateTimeField(label="抽取时间", widget=DateTimeInput())
    place = forms.CharField(label="抽取地点", max_length=200, required=False)
    public_value_source = forms.CharField(
        label="公开随机值来源",
        max_length=200,
        help_text="须为公告后才产生、任何人可查的数值，如：2026-03-10 福彩3D开奖号码；抽取时由工作人员录入",
    )
    public_value_at = forms.DateTimeField(
        label="公开随机值产生时间",
        widget=DateTimeInput(),
        help_text="见证人须在此时间之前完成承诺；此时间之后才能抽取",
    )


class AnnounceConfirmForm(AnnounceForm):
    """The second step: the same terms, carried over, and the confirmation that the pool preview
    and the terms were checked. Without it nothing is announced."""

    confirmed = forms.BooleanField(
        label="我已核对对象池预览和抽取安排，确认公告；公告后对象池即冻结，不可撤销",
        error_messages={"required": "请勾选确认后再公告"},
    )

    def terms(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "confirmed"}


class WitnessInviteForm(forms.Form):
    """The lead registers a witness; the witness types their number on their own device."""

    label = forms.CharField(label="见证人编号", max_length=20)
    description = forms.CharField(label="身份", max_length=100, help_text="如：区纪委监委派驻纪检组干部")


def _number_input():
    return forms.PasswordInput(
        render_value=False,
        attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off", "maxlength": "20"},
    )


class WitnessCommitForm(forms.Form):
    """On the witness's own page: the number twice, so that a slip of the finger is caught before
    it is committed (it cannot be changed afterwards)."""

    number = forms.CharField(
        label="您选定的数字", max_length=20, widget=_number_input(), help_text="1–20 位数字"
    )
    number_again = forms.CharField(label="再次输入同一数字", max_length=20, widget=_number_input())

    def clean(self):
        data = super().clean()
        if (
            data.get("number")
            and data.get("number_again")
            and data["number"].strip() != data["number_again"].strip()
        ):
            raise forms.ValidationError("两次输入的数字不一致，请重新输入")
        return data


class WitnessRevealForm(forms.Form):
    """On the witness's own page, once everyone has committed: the same number again."""

    number = forms.CharField(
        label="再次输入您承诺时的数字",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}),
    )


class RunForm(forms.Form):
    public_value = forms.CharField(label="公开随机值", max_length=100, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class RecusalRequestForm(forms.Form):
    # The member's id is read by core.params.id_param before the member is looked up.
    reason = forms.CharField(label="企业申请回避的理由", max_length=500)


class VoidRequestForm(forms.Form):
    """作废申请 (draw/voids.py): a reason from the list and a text; after a pool-related reason
    the redraw replaces only what the pool removed, unless a full redraw is asked for with why."""

    reason = forms.ChoiceField(label="作废原因", choices=[("", "请选择")] + list(VoidReason.choices))
    text = forms.CharField(label="具体说明", max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    full_redraw = forms.BooleanField(
        label="全部重新抽取",
        required=False,
        help_text="仅适用于对象池原因：不勾选时，重新抽取保留仍然有效的抽中对象，只补抽被移除的对象；其他原因一律全部重新抽取",
    )
    full_redraw_reason = forms.CharField(label="全部重新抽取的理由", max_length=500, required=False)


class _DaysFilter(ListFilter):
    since = forms.DateField(label="申请日期自", required=False, widget=DateInput())
    until = forms.DateField(label="至", required=False, widget=DateInput())

    def clean(self):
        d = super().clean()
        if d.get("since") and d.get("until") and d["since"] > d["until"]:
            self.add_error("until", "结束日期早于开始日期")
        return d


class VoidFilterForm(_DaysFilter):
    """作废申请's filters; the 待办 home links with status=pending."""

    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部"), *VoidRequestStatus.choices]
    )
    lead = forms.ModelChoiceField(label="牵头部门", required=False, queryset=None, empty_label="全部")
    field_order = ["status", "lead", "since", "until"]

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["lead"].queryset = selectors.void_request_leads(user)

    def rows(self):
        c = self.values()
        return selectors.void_requests_shown(
            self.user,
            status=c.get("status", ""),
            lead=c.get("lead"),
            since=c.get("since"),
            until=c.get("until"),
        )


class RecusalFilterForm(_DaysFilter):
    """回避申请's filters; the 待办 home links with status=pending."""

    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *RecusalStatus.choices])
    q = forms.CharField(label="检查对象或人员", required=False, max_length=50)
    field_order = ["status", "q", "since", "until"]

    def rows(self):
        c = self.values()
        return selectors.recusals_shown(
            self.user,
            status=c.get("status", ""),
            q=c.get("q", "").strip(),
            since=c.get("since"),
            until=c.get("until"),
        )
