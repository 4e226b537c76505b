from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from . import registry, selectors, services, throttle
from .models import BusinessLine, Department, Region, Role, User


class LoginForm(AuthenticationForm):
    """Sign-in with throttling per client address (等保2.0 第三级 登录失败处理; the rules are in
    core/throttle.py). A wrong password, an unknown name and a disabled account get the same
    answer, and a refusal reads the same whether or not the name exists."""

    error_messages = {
        "invalid_login": "用户名或密码错误。连续多次错误将暂停登录。",
        "inactive": "用户名或密码错误。连续多次错误将暂停登录。",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data  # the field errors say what is missing
        address = throttle.client_address(self.request)
        until = throttle.refused_until(address=address, username=username)
        if until:
            # Refused before the password is checked: no hash, nothing counted.
            raise self._refused(until)
        try:
            return super().clean()
        except forms.ValidationError:
            until = services.login_failed(address=address, username=username)
            if until:
                raise self._refused(until) from None
            raise

    def confirm_login_allowed(self, user):
        # A disabled account answers like a wrong password: the answer must not tell it exists.
        if not user.is_active:
            raise self.get_invalid_login_error()

    @staticmethod
    def _refused(until):
        return forms.ValidationError(
            f"登录失败次数过多，已暂停从当前地址登录该账号，请于 {timezone.localtime(until):%H:%M} 后再试，"
            "或联系系统管理员解锁。",
            code="throttled",
        )


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    holidays = forms.CharField(
        label="放假日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个日期，如 2027-01-01",
    )
    workdays = forms.CharField(
        label="调休上班日期",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个日期",
    )
    complete = forms.BooleanField(label="已录入国务院办公厅公布的全年安排", required=False)
    note = forms.CharField(label="依据", required=False, max_length=200)

    def _dates(self, field):
        import datetime as dt

        out = []
        for n, line in enumerate(self.cleaned_data.get(field, "").split(), start=1):
            try:
                out.append(dt.date.fromisoformat(line.strip()))
            except ValueError:
                raise forms.ValidationError(f"第 {n} 行“{line}”不是 YYYY-MM-DD 格式的日期") from None
        return out

    def clean_holidays(self):
        return self._dates("holidays")

    def clean_workdays(self):
        return self._dates("workdays")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100)
    days = forms.IntegerField(label="有效天数", min_value=1, max_value=3650, initial=365)


class DepartmentForm(forms.Form):
    name = forms.CharField(label="部门名称", max_length=100)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none())
    is_office = forms.BooleanField(label="双随机办公室", required=False)
    upper = forms.ModelChoiceField(label="上级对口部门", queryset=Department.objects.none(), required=False)

    def __init__(self, *args, regions=None, uppers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["upper"].queryset = uppers


class BusinessLineForm(forms.Form):
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.none())
    name = forms.CharField(label="业务条线名称", max_length=100)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments


class UserForm(forms.Form):
    """The sysadmin opens an account: no role (the secadmin asks for one, a second person
    confirms) and no password (its owner sets it with the one-time code)."""

    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.none())
    business_line = forms.ModelChoiceField(
        label="业务条线", queryset=BusinessLine.objects.none(), required=False
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["business_line"].queryset = BusinessLine.objects.filter(department__in=departments)


class RoleGrantForm(forms.Form):
    user = forms.ModelChoiceField(label="账号", queryset=User.objects.none())
    role = forms.ChoiceField(label="授予角色", choices=Role.choices)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如：任命文件文号")

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.username}（{u.display_name or '—'}，{u.department}，{u.get_role_display() or '待授权'}）"
        )


class RefuseForm(forms.Form):
    note = forms.CharField(label="理由", max_length=200, required=False)


class ActivationForm(forms.Form):
    """The owner sets the password with the one-time code (validators apply in the service)."""

    password1 = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，含大写、小写、数字、符号中的三类",
    )
    password2 = forms.CharField(
        label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        d = super().clean()
        if d.get("password1") and d.get("password1") != d.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return d


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="动态口令",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="手机验证器（如 FreeOTP、Google Authenticator、微信小程序“腾讯身份验证器”）上显示的 6 位数字",
    )


class DateInput(forms.DateInput):
    """The browser's date picker: its value must be ISO (YYYY-MM-DD), whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ListFilter(forms.Form):
    """A list page's filters, read from its query string and from the 待办 home's link parameters
    by the same form, so the home's count is the list's total (issue 18). A value not recognised
    is left out and the page says so (templates/_filter_ignored.html); the others still apply."""

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data or None, **kwargs)
        self.user = user

    def values(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data  # the fields that were recognised


class TagPicker(forms.CheckboxSelectMultiple):
    """Tags picked by ticking them, never by Ctrl-click (issue 18): a checkbox list in a box of its
    own; with script a filter box above it shows only the tags whose names match (static/js/
    picker.js), without script the list works as it is."""

    template_name = "core/widgets/tag_picker.html"

    class Media:
        js = ["js/picker.js"]


ACCOUNT_STATES = {"locked": "锁定中", "active": "正常", "inactive": "停用"}


class AccountFilterForm(ListFilter):
    """部门与账号's account list; the 待办 home links with show=locked."""

    show = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ACCOUNT_STATES.items()])
    department = forms.ModelChoiceField(label="部门", required=False, queryset=None, empty_label="全部")
    role = forms.ChoiceField(
        label="角色", required=False, choices=[("", "全部"), ("none", "待授权"), *Role.choices]
    )
    q = forms.CharField(label="登录名或姓名", required=False, max_length=50)

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, user=user, **kwargs)
        self.fields["department"].queryset = selectors.departments_in_scope(user).order_by("name")

    def rows(self):
        c = self.values()
        return selectors.accounts_shown(
            self.user,
            show=c.get("show", ""),
            department=c.get("department"),
            role=c.get("role", ""),
            q=c.get("q", "").strip(),
        )


class AuditFilterForm(forms.Form):
    """The audit log's filters (issue 18): who, which action (by its Chinese name), which kind
    of object, which days."""

    actor = forms.CharField(label="操作人", required=False, help_text="登录名、姓名，或“系统”")
    action = forms.ChoiceField(label="操作", required=False)
    object_type = forms.ChoiceField(label="对象类型", required=False)
    since = forms.DateField(label="自", required=False, widget=DateInput())
    until = forms.DateField(label="至", required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = sorted(registry.audit_actions().items(), key=lambda kv: (kv[1], kv[0]))
        self.fields["action"].choices = [("", "全部")] + labels
        models_ = sorted(
            (m for m in apps.get_models() if m.__module__.startswith("shuangsuiji.")),
            key=lambda m: str(m._meta.verbose_name),
        )
        self.fields["object_type"].choices = [("", "全部")] + [
            (m._meta.label_lower, m._meta.verbose_name) for m in models_
        ]

    def clean_actor(self):
        text = self.cleaned_data["actor"].strip()
        if text:
            ids, system = selectors.audit_actors(text)
            if not ids and not system:
                raise forms.ValidationError(f"没有登录名或姓名为“{text}”的账号（系统自身的操作请填“系统”）")
            self.actor_ids, self.system = ids, system
        return text

    def clean(self):
        d = super().clean()
        if d.get("since") and d.get("until") and d["since"] > d["until"]:
            self.add_error("until", "结束日期早于开始日期")
        return d

    def entries(self):
        """The entries the valid filters select; a bad value selects none (never everything)."""
        if not self.is_bound:
            return selectors.audit_entries()
        if not self.is_valid():
            return selectors.audit_entries().none()
        d = self.cleaned_data
        return selectors.audit_entries(
            actor_ids=getattr(self, "actor_ids", None),
            system=getattr(self, "system", False),
            actions=[d["action"]] if d["action"] else None,
            object_type=d["object_type"],
            since=d["since"],
            until=d["until"],
        )
