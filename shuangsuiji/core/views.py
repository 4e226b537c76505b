from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from . import audit, registry, selectors, services, throttle
from .decorators import requires
from .errors import DomainError
from .forms import ApiTokenForm, BusinessLineForm, CalendarYearForm, DepartmentForm, LoginForm, UserForm
from .params import id_param
from .permissions import Action


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        services.login_succeeded(user=form.get_user(), address=throttle.client_address(self.request))
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            max_failures=settings.LOGIN_MAX_FAILURES,
            lockout_minutes=settings.LOGIN_LOCKOUT_MINUTES,
        )


@login_required
def home(request):
    return render(request, "core/home.html", {"now": timezone.localtime()})


@requires(Action.JOB_VIEW)
def job_list(request):
    page = Paginator(selectors.jobs_for(request.user), 30).get_page(request.GET.get("page"))
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
                    services.user_create(actor=request.user, **f.cleaned_data)
                    messages.success(request, f"已新建账号：{f.cleaned_data['username']}")
                    return redirect("core:org")
            elif which in ("unlock", "deactivate", "activate"):
                user_id = id_param(request.POST, "user", label="账号")
                target = get_object_or_404(selectors.accounts_in_scope(request.user), pk=user_id)
                if which == "unlock":
                    services.user_unlock(actor=request.user, user=target)
                else:
                    services.user_set_active(actor=request.user, user=target, active=which == "activate")
                messages.success(request, f"已处理账号：{target.username}")
                return redirect("core:org")
        except DomainError as e:
            f = forms_.get(which)
            if f is not None:
                f.add_error(e.field if e.field in f.fields else None, e.message)
            else:
                messages.error(request, e.message)
    users = selectors.accounts_in_scope(request.user)
    return render(
        request,
        "core/org.html",
        {
            "departments": departments.select_related("upper").prefetch_related("business_lines"),
            "users": users.order_by("department__region_id", "department__name", "role"),
            "forms": forms_,
        },
    )


@requires(Action.AUDIT_VIEW)
def audit_log(request):
    page = Paginator(selectors.audit_entries(), 50).get_page(request.GET.get("page"))
    result = None
    if request.GET.get("verify"):
        n, broken, why = audit.verify()
        result = {"checked": n, "broken": broken, "why": why}
    return render(request, "core/audit_log.html", {"page": page, "result": result})


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
