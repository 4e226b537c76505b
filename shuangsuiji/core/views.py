import time
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import audit, registry, second_factor, selectors, services, throttle, todo
from .decorators import requires
from .errors import DomainError
from .forms import (
    AccountFilterForm,
    ActivationForm,
    ApiTokenForm,
    AuditFilterForm,
    BusinessLineForm,
    CalendarYearForm,
    DepartmentForm,
    LoginForm,
    RefuseForm,
    RoleGrantForm,
    SecondFactorForm,
    UserForm,
)
from .paging import CappedPaginator, list_page
from .params import id_param
from .permissions import Action, can


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.required(user):
            # Not signed in yet: the password was right, the code comes next (GB/T 22239-2019
            # 8.1.4.1 d). The session holds only who is signing in, for a few minutes, under a
            # new key, so that a session id planted before the password is worth nothing.
            self.request.session.cycle_key()
            self.request.session[second_factor.PENDING_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "at": time.time(),
                "next": self.get_success_url(),
            }
            return redirect("core:second_factor")
        services.login_succeeded(user=user, address=throttle.client_address(self.request))
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            max_failures=settings.LOGIN_MAX_FAILURES,
            lockout_minutes=settings.LOGIN_LOCKOUT_MINUTES,
        )


# How long the code step waits after the password (then the password is asked again).
PENDING_SECONDS = 300


def _signing_in(request):
    """(account, pending sign-in): the account between its password and its code, or a signed-in
    account whose session still lacks the second factor; (None, None) if neither."""
    if request.user.is_authenticated:
        return request.user, None
    pending = request.session.get(second_factor.PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None, None
    return selectors.active_user(pending["user"]), pending


def _factor_done(request) -> bool:
    return request.user.is_authenticated and (
        request.session.get(second_factor.FACTOR_KEY) or not second_factor.required(request.user)
    )


def _signed_in(request, user, pending):
    """The second factor was given: sign in (if only the password was) and mark the session."""
    address = throttle.client_address(request)
    if pending is not None:
        auth_login(request, user, backend=pending["backend"])
        services.login_succeeded(user=user, address=address)
    request.session.pop(second_factor.PENDING_KEY, None)
    request.session[second_factor.FACTOR_KEY] = True
    return redirect((pending or {}).get("next") or "core:home")


def _code_refused(request, user, form) -> None:
    """A wrong code counts as a failed sign-in (core/throttle.py), so 10⁶ codes cannot be tried."""
    until = services.login_failed(address=throttle.client_address(request), username=user.username)
    if until:
        form.add_error(None, LoginForm._refused(until))
    else:
        form.add_error("code", "动态口令不正确或已使用过，请输入手机上当前显示的 6 位数字")


def second_factor_step(request):
    """The code step of a privileged sign-in."""
    user, pending = _signing_in(request)
    if user is None:
        return redirect("core:login")
    if _factor_done(request):
        return redirect("core:home")
    factor = selectors.second_factor_of(user)
    if factor is None or factor.confirmed_at is None:
        return redirect("core:second_factor_enrol")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = throttle.refused_until(address=throttle.client_address(request), username=user.username)
        if until:
            form.add_error(None, LoginForm._refused(until))
        elif services.second_factor_check(user=user, code=form.cleaned_data["code"]):
            return _signed_in(request, user, pending)
        else:
            _code_refused(request, user, form)
    return render(request, "core/second_factor.html", {"form": form, "account": user})


def second_factor_enrol(request):
    """A privileged account without a second factor enrols before anything else."""
    user, pending = _signing_in(request)
    if user is None:
        return redirect("core:login")
    if _factor_done(request):
        return redirect("core:home")
    factor = selectors.second_factor_of(user)
    if factor is not None and factor.confirmed_at is not None:
        return redirect("core:second_factor")
    if factor is None:
        factor = services.second_factor_begin(user=user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        until = throttle.refused_until(address=throttle.client_address(request), username=user.username)
        if until:
            form.add_error(None, LoginForm._refused(until))
        else:
            try:
                services.second_factor_confirm(user=user, code=form.cleaned_data["code"])
            except DomainError:
                _code_refused(request, user, form)
            else:
                messages.success(request, "动态口令已启用，以后登录时输入手机上显示的 6 位数字")
                return _signed_in(request, user, pending)
    uri = second_factor.provisioning_uri(factor.secret, user.username)
    return render(
        request,
        "core/second_factor_enrol.html",
        {
            "form": form,
            "account": user,
            "qr": second_factor.qr_svg(uri),
            "secret": " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4)),
        },
    )


def activate(request, code):
    """The owner of an account sets its password with the one-time code an administrator
    handed over (开通账号或重置密码)."""
    activation = selectors.activation_by_code(code)
    form = ActivationForm(request.POST or None)
    if activation is not None and request.method == "POST" and form.is_valid():
        try:
            services.account_activate(code=code, password=form.cleaned_data["password1"])
        except DomainError as e:
            form.add_error("password1" if e.field == "password" else None, e.message)
        else:
            messages.success(request, "密码已设置，请用新密码登录")
            return redirect("core:login")
    return render(request, "core/activate.html", {"activation": activation, "form": form})


@login_required
def home(request):
    """工作台: the user's 待办, each count a link to the list that shows the same total
    (core/todo.py; every app registers its items)."""
    now = timezone.localtime()
    items = todo.for_user(request.user, now.date())
    return render(
        request,
        "core/home.html",
        {
            "now": now,
            "waiting": [t for t in items if t.item.urgent],
            "figures": [t for t in items if not t.item.urgent],
            "count_cap": todo.COUNT_CAP,
        },
    )


@requires(Action.JOB_VIEW)
def job_list(request):
    page = list_page(request, selectors.jobs_for(request.user))
    for job in page:
        kind = registry.job_kind(job.kind)
        job.kind_label = kind.label if kind else job.kind
    return render(request, "core/job_list.html", {"page": page})


@requires(Action.JOB_VIEW)
def job_detail(request, pk):
    job = get_object_or_404(selectors.jobs_for(request.user), pk=pk)
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    kind = registry.job_kind(job.kind)  # where a refused job is fixed and sent again
    return render(request, template, {"job": job, "retry_url": kind.retry_url if kind else ""})


@requires(Action.JOB_VIEW)
def job_output(request, pk):
    """A job's kept file (a refused import's full error list), for whoever may see the job."""
    job = get_object_or_404(selectors.jobs_for(request.user), pk=pk)
    if not job.output_file:
        raise Http404
    try:
        f = job.output_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(f, as_attachment=True, filename=Path(job.output_file.name).name)


@requires(Action.CALENDAR_EDIT)
def calendar(request):
    form = CalendarYearForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.calendar_year_save(
                actor=request.user,
                year=d["year"],
                holidays=d["holidays"],
                workdays=d["workdays"],
                complete=d["complete"],
                note=d["note"],
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, f"{d['year']} 年节假日安排已保存")
            return redirect("core:calendar")
    cal = selectors.work_calendar()
    this_year = timezone.localdate().year
    years = [(y, cal.is_provisional(y)) for y in range(this_year - 1, this_year + 3)]
    entered = selectors.calendar_years()
    return render(request, "core/calendar.html", {"form": form, "years": years, "entered": entered})


@requires(Action.ORG_MANAGE)
def org(request):
    """The sysadmin keeps departments, business lines and accounts of the jurisdiction."""
    departments = selectors.departments_in_scope(request.user)
    regions = selectors.regions_under(request.user.region)
    uppers = selectors.upper_departments(request.user.region)
    forms_ = {
        "dept": DepartmentForm(prefix="dept", regions=regions, uppers=uppers),
        "line": BusinessLineForm(prefix="line", departments=departments),
        "user": UserForm(prefix="user", departments=departments),
    }
    issued = None  # a one-time code, shown once on this answer and never again
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "dept":
                f = forms_["dept"] = DepartmentForm(
                    request.POST, prefix="dept", regions=regions, uppers=uppers
                )
                if f.is_valid():
                    services.department_create(actor=request.user, **f.cleaned_data)
                    messages.success(request, f"已新建部门：{f.cleaned_data['name']}")
                    return redirect("core:org")
            elif which == "line":
                f = forms_["line"] = BusinessLineForm(request.POST, prefix="line", departments=departments)
                if f.is_valid():
                    services.business_line_create(actor=request.user, **f.cleaned_data)
                    messages.success(request, f"已新建业务条线：{f.cleaned_data['name']}")
                    return redirect("core:org")
            elif which == "user":
                f = forms_["user"] = UserForm(request.POST, prefix="user", departments=departments)
                if f.is_valid():
                    account, code = services.account_create(actor=request.user, **f.cleaned_data)
                    issued = _issued(request, account, code, "新建账号")
                    forms_["user"] = UserForm(prefix="user", departments=departments)
            elif which in ("unlock", "deactivate", "activate", "reset"):
                user_id = id_param(request.POST, "user", label="账号")
                target = get_object_or_404(selectors.accounts_in_scope(request.user), pk=user_id)
                if which == "reset":
                    code = services.user_password_reset(actor=request.user, user=target)
                    issued = _issued(request, target, code, "重置密码")
                elif which == "unlock":
                    services.user_unlock(actor=request.user, user=target)
                else:
                    services.user_set_active(actor=request.user, user=target, active=which == "activate")
                if issued is None:
                    messages.success(request, f"已处理账号：{target.username}")
                    return redirect("core:org")
        except DomainError as e:
            f = forms_.get(which)
            if f is not None:
                f.add_error(e.field if e.field in f.fields else None, e.message)
            else:
                messages.error(request, e.message)
    filters = AccountFilterForm(request.GET, user=request.user)  # the 待办 home links with show=locked
    return render(
        request,
        "core/org.html",
        {
            "departments": departments.select_related("upper").prefetch_related("business_lines"),
            "page": list_page(request, filters.rows()),
            "filters": filters,
            "forms": forms_,
            "issued": issued,
            "activation_hours": services.ACTIVATION_HOURS,
        },
    )


def _issued(request, account, code, what):
    return {
        "account": account,
        "what": what,
        "url": request.build_absolute_uri(reverse("core:activate", args=[code])),
    }


@requires(Action.ROLE_CONFIRM)
def roles(request):
    """Role grants (双人授权): the secadmin asks, a second person confirms or refuses."""
    grantor = can(request.user, Action.ROLE_GRANT)
    accounts = selectors.accounts_in_scope(request.user).exclude(pk=request.user.pk)
    form = RoleGrantForm(request.POST or None, accounts=accounts) if grantor else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                grant = services.role_grant_request(actor=request.user, **form.cleaned_data)
            except DomainError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(
                    request,
                    f"已授予：{grant.user.username} → {grant.get_role_display()}"
                    if grant.status == "confirmed"
                    else f"已申请：{grant.user.username} → {grant.get_role_display()}，待第二人确认后生效",
                )
                return redirect("core:roles")
    pending = request.GET.get("status") == "pending"  # the 待办 home's link: 待确认 only
    grants = selectors.role_grants_shown(request.user, {"status": "pending"} if pending else {})
    page = list_page(request, grants)
    for g in page:
        g.decidable = services.role_grant_may_decide(request.user, g)
    return render(
        request,
        "core/roles.html",
        {
            "form": form,
            "page": page,
            "pending": pending,
            "grantor": grantor,
            "refuse_form": RefuseForm(),
        },
    )


@requires(Action.ROLE_GRANT)
def role_accounts(request):
    """账号与动态口令: the secadmin's list of the jurisdiction's accounts, to reset a second factor."""
    filters = AccountFilterForm(request.GET, user=request.user)
    rows = filters.rows().exclude(pk=request.user.pk).select_related("second_factor")
    return render(request, "core/role_accounts.html", {"filters": filters, "page": list_page(request, rows)})


@requires(Action.ROLE_CONFIRM)
@require_POST
def role_grant_confirm(request, pk):
    grant = get_object_or_404(selectors.role_grants_in_scope(request.user), pk=pk)
    try:
        services.role_grant_confirm(actor=request.user, grant=grant)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已确认：{grant.user.username} → {grant.get_role_display()}")
    return redirect("core:roles")


@requires(Action.ROLE_CONFIRM)
@require_POST
def role_grant_refuse(request, pk):
    grant = get_object_or_404(selectors.role_grants_in_scope(request.user), pk=pk)
    form = RefuseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        grant = services.role_grant_refuse(actor=request.user, grant=grant, note=note)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request, f"已{grant.get_status_display()}：{grant.user.username} → {grant.get_role_display()}"
        )
    return redirect("core:roles")


@requires(Action.ROLE_GRANT)
@require_POST
def second_factor_reset(request, pk):
    account = get_object_or_404(selectors.accounts_in_scope(request.user), pk=pk)
    try:
        services.second_factor_reset(actor=request.user, user=account)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已重置 {account.username} 的动态口令，其下次登录时重新绑定")
    return redirect("core:role_accounts")


@requires(Action.AUDIT_VIEW)
def audit_log(request):
    form = AuditFilterForm({k: v for k, v in request.GET.items() if k not in ("page", "verify")} or None)
    page = CappedPaginator(form.entries(), 50).get_page(request.GET.get("page"))
    for e in page:
        e.action_label = registry.audit_action_label(e.action)
    result = None
    if request.GET.get("verify"):
        n, broken, why = audit.verify()
        result = {"checked": n, "broken": broken, "why": why}
    return render(
        request,
        "core/audit_log.html",
        {"page": page, "result": result, "form": form, "count_cap": page.paginator.cap},
    )


@login_required
def tokens(request):
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and "revoke" in request.POST:
        token_id = id_param(request.POST, "revoke", label="要注销的令牌")
        token = get_object_or_404(request.user.api_tokens, pk=token_id)
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"令牌“{token.name}”已注销")
        return redirect("core:tokens")
    if request.method == "POST" and form.is_valid():
        _, secret = services.api_token_create(
            actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
    return render(
        request, "core/tokens.html", {"form": form, "secret": secret, "tokens": request.user.api_tokens.all()}
    )


def bad_request(request, exception):
    """handler400: a malformed value (core.params) answered on the site's own page, its message
    naming the field; Django's default shows neither."""
    message = getattr(exception, "message", "") or "请求中有无法识别的内容，请返回上一页重新填写。"
    if not hasattr(request, "user"):
        # Refused by a middleware before sign-in is read (an unparseable body): the page's
        # context processors would need request.user, so the page is rendered without them.
        return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))
    return render(request, "400.html", {"message": message}, status=400)
