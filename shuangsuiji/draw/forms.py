from django import forms

from shuangsuiji.core.forms import DateTimeInput


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


class WitnessCommitForm(forms.Form):
    label = forms.CharField(label="见证人编号", max_length=20)
    description = forms.CharField(label="身份", max_length=100, help_text="如：区纪委监委派驻纪检组干部")
    number = forms.CharField(
        label="见证人输入的数字",
        max_length=20,
        widget=forms.PasswordInput(render_value=False),
        help_text="由见证人本人输入，1–20 位数字，揭示前不显示",
    )


class WitnessRevealForm(forms.Form):
    label = forms.CharField(label="见证人编号", max_length=20)
    number = forms.CharField(label="见证人再次输入的数字", max_length=20)

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        if labels is not None:
            self.fields["label"].widget = forms.Select(choices=[(x, x) for x in labels])


class RunForm(forms.Form):
    public_value = forms.CharField(label="公开随机值", max_length=100, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class RecusalRequestForm(forms.Form):
    # The member's id is read by core.params.id_param before the member is looked up.
    reason = forms.CharField(label="企业申请回避的理由", max_length=500)
