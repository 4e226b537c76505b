from django import forms

from shuangsuiji.core.errors import DomainError
from shuangsuiji.core.forms import DateInput, TagPicker
from shuangsuiji.core.models import Region
from shuangsuiji.core.selectors import region_code_named

from .importing import MODE_LABELS, MODE_NOTES
from .models import Inspector, Item, Method, RegistrationStatus, RiskClass, TagLibrary, Target, TargetKind
from .selectors import InspectorFilter, TargetFilter, industry_for_code, industry_text_known


class IndustryCodeField(forms.CharField):
    """A GB/T 4754-2017 code typed at any level — 门类 C, 大类 C13 or 13, 中类 131, 小类 C1311 or
    1311 — stored as the category of that level; an unknown code is refused in Chinese."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "行业")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "help_text",
            "行业代码，可填任一层级：门类（C）、大类（C13 或 13）、中类（131）、小类（C1311 或 1311）",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return getattr(value, "code", value)

    def clean(self, value):
        text = super().clean(getattr(value, "code", value))
        if not text:
            return None
        try:
            return industry_for_code(text)
        except DomainError as e:
            raise forms.ValidationError(e.message) from None


class TargetFilterForm(forms.Form):
    q = forms.CharField(
        label="统一社会信用代码 / 名称",
        required=False,
        help_text="代码、名称的一部分、行业名称或标签名称（如 餐饮）",
    )
    region = forms.CharField(label="区划", required=False, help_text="名称或代码，如 鹿泉、130110")
    kind = forms.ChoiceField(label="主体类型", required=False, choices=[("", "全部")] + TargetKind.choices)
    industry = forms.CharField(
        label="行业", required=False, help_text="行业代码（任一层级，如 C、13、1311）或行业名称（如 餐饮）"
    )
    tag = forms.IntegerField(label="标签", required=False)
    risk_class = forms.ChoiceField(
        label="风险分类", required=False, choices=[("", "全部")] + RiskClass.choices
    )
    status = forms.ChoiceField(
        label="登记状态", required=False, choices=[("", "全部")] + RegistrationStatus.choices
    )

    def __init__(self, *args, tags=(), within: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.tags, self.within = list(tags), within
        self.fields["q"].widget.attrs["placeholder"] = "代码、名称、行业或标签"
        self.fields["region"].widget.attrs["placeholder"] = "名称或代码"
        self.fields["industry"].widget.attrs["placeholder"] = "名称或代码"
        self.fields["tag"] = forms.TypedChoiceField(
            label="标签",
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", "全部")] + [(t.pk, t.name) for t in tags],
        )

    def clean_region(self):
        text = self.cleaned_data["region"].strip()
        if not text:
            return ""
        try:
            return region_code_named(text, within=self.within)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None

    def clean_industry(self):
        text = self.cleaned_data["industry"].strip()
        if text and not industry_text_known(text):
            raise forms.ValidationError(
                f"没有代码或名称为“{text}”的行业（可填行业代码或名称的一部分，如 C13、1311、餐饮）"
            )
        return text

    def filter(self) -> TargetFilter:
        """Only the valid fields: a bad value (a stale tag id in a bookmark, a region or industry
        that names nothing) is shown as an error naming the field, and never widens the list or
        the export."""
        if not self.is_bound:
            return TargetFilter()
        if not self.is_valid():
            return TargetFilter(invalid=True)
        q = self.cleaned_data["q"].strip()
        q_tags = tuple(t.pk for t in self.tags if q and q in t.name)
        return TargetFilter(**self.cleaned_data, q_tags=q_tags)


class InspectorFilterForm(forms.Form):
    q = forms.CharField(label="姓名 / 执法证号", required=False)
    on_duty = forms.ChoiceField(
        label="在岗", required=False, choices=[("", "全部"), ("1", "在岗"), ("0", "离岗")]
    )
    drawable_on = forms.DateField(label="执法证有效至少到", required=False, widget=DateInput())

    def filter(self) -> InspectorFilter:
        if not self.is_bound:
            return InspectorFilter()
        if not self.is_valid():
            return InspectorFilter(invalid=True)  # a bad value never widens the list
        d = self.cleaned_data
        return InspectorFilter(
            q=d["q"],
            on_duty=d["on_duty"],
            drawable_on=d["drawable_on"].isoformat() if d["drawable_on"] else "",
        )


class TargetForm(forms.ModelForm):
    key = forms.CharField(label="统一社会信用代码 / 身份证号 / 编码", max_length=60)
    industry = IndustryCodeField()
    tags = forms.ModelMultipleChoiceField(label="标签", queryset=None, required=False, widget=TagPicker)

    class Meta:
        model = Target
        fields = ["kind", "name", "region", "address", "industry", "founded_on", "status", "risk_class"]
        widgets = {"founded_on": DateInput()}

    def __init__(self, *args, regions=None, tags=None, editing=False, kept_by=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kept_by:  # not the keeper: its shared fields read-only, the class not shown at all
            del self.fields["risk_class"]
            for name in ("name", "region", "address", "industry", "founded_on", "status"):
                self.fields[name].disabled = True
                self.fields[
                    name
                ].help_text = f"由{kept_by}维护，本部门不能修改；如需更正，请通过“按代码更新”导入提出变更建议"
        if regions is not None:
            self.fields["region"].queryset = regions
        self.fields["tags"].queryset = tags
        if self.instance.pk:
            self.initial["tags"] = list(self.instance.tags.filter(pk__in=tags))
        self.fields["industry"].required = False
        if editing:
            del self.fields["key"]
            del self.fields["kind"]


class InspectorForm(forms.ModelForm):
    id_number = forms.CharField(label="身份证号", max_length=18)

    class Meta:
        model = Inspector
        fields = [
            "name",
            "business_line",
            "certificate_no",
            "certificate_expiry",
            "specialties",
            "on_duty",
            "is_expert",
            "phone",
        ]
        widgets = {"certificate_expiry": DateInput(), "specialties": TagPicker}

    def __init__(self, *args, department=None, tags=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if department is not None:
            self.fields["business_line"].queryset = department.business_lines.all()
        if tags is not None:
            self.fields["specialties"].queryset = tags
        if editing:
            del self.fields["id_number"]


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（.xlsx、.xls 或 .csv）")
    mode = forms.ChoiceField(label="导入方式")
    encoding = forms.ChoiceField(
        label="CSV 编码", choices=[("auto", "自动识别"), ("utf-8", "UTF-8"), ("gbk", "GBK")], initial="auto"
    )

    def __init__(self, *args, kind: str, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mode"].choices = [
            (mode, label + MODE_NOTES.get((kind, mode), "")) for mode, label in MODE_LABELS[kind].items()
        ]
        if templates:
            self.fields["template"] = forms.ChoiceField(label="模板", choices=templates)


class OwnClassForm(forms.Form):
    risk_class = forms.ChoiceField(
        label="本部门分类（行业信用分级分类）",
        required=False,
        choices=[("", "不设置（采用名录维护部门的分类）")] + RiskClass.choices,
    )


class KeeperForm(forms.Form):
    department = forms.ModelChoiceField(label="名录维护部门", queryset=None)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class SuggestionRejectForm(forms.Form):
    reason = forms.CharField(label="驳回理由", max_length=200)


class ConflictForm(forms.Form):
    target_key = forms.CharField(label="检查对象统一社会信用代码", max_length=18)
    reason = forms.CharField(label="回避原因", max_length=200)


class TagForm(forms.Form):
    library = forms.ChoiceField(label="标签库", choices=TagLibrary.choices)
    name = forms.CharField(label="标签名称", max_length=50)
    description = forms.CharField(label="说明", max_length=200, required=False)


LEVEL_CHOICES = [("province", "省级"), ("city", "市级"), ("county", "县级")]


class ItemForm(forms.ModelForm):
    """The office's item: the checklist is one 检查要点 per line."""

    levels = forms.MultipleChoiceField(
        label="实施层级", choices=LEVEL_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    target_kinds = forms.MultipleChoiceField(
        label="检查对象类型", choices=TargetKind.choices, widget=forms.CheckboxSelectMultiple
    )
    methods = forms.MultipleChoiceField(
        label="检查方式", choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )
    checklist = forms.CharField(
        label="检查指引（每行一个检查要点）", widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    class Meta:
        model = Item
        fields = [
            "code",
            "name",
            "kind",
            "competent",
            "sub_items",
            "legal_basis",
            "levels",
            "target_kinds",
            "methods",
            "offsite_only",
            "required_specialties",
        ]
        widgets = {
            "sub_items": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.Textarea(attrs={"rows": 3}),
            "required_specialties": TagPicker,
        }

    def __init__(self, *args, specialties=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_specialties"].queryset = specialties
        if self.instance.pk:
            del self.fields["code"]
            self.initial["checklist"] = "\n".join(p.text for p in self.instance.checklist.all())

    def clean(self):
        d = super().clean()
        if d.get("offsite_only") and Method.ONSITE in d.get("methods", []):
            self.add_error("methods", "非现场检查事项不能选择“实地检查”")
        return d


def region_choices(user):
    return Region.objects.filter(code__startswith=user.region.scope_prefix, retired_on__isnull=True)


def tag_choices(user, library):
    from .selectors import tags_for

    return tags_for(user, library)
