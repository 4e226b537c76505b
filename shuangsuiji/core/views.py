from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import audit, selectors, services
from .decorators import requires
from .errors import DomainError
from .forms import ApiTokenForm, BusinessLineForm, CalendarYearForm, DepartmentForm, LoginForm, UserForm
from .models import CalendarYear, Department, User
from .permissions import Action


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        services.login_succeeded(form.get_user())
        return super().form_valid(form)


@login_required
def home(request):
    return render(request, "core/home.html", {"now": timezone.localtime()})


@requires(Action.JOB_VIEW)
def job_list(request):
    page = Paginator(selectors.jobs_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page})


@requires(Action.JOB_VIEW)
def job_detail(request, pk):
    job = get_object_or_404(selectors.jobs_for(request.user), pk=pk)
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job, "retry_url": RETRY_URLS.get(job.kind)})


# Where a refused import is fixed and sent again.
RETRY_URLS = {
    "target_import": "directory:target_import",
    "inspector_import": "directory:inspector_import",
    "item_import": "directory:item_import",
}


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
    entered = CalendarYear.objects.prefetch_related("days")
    return render(request, "core/calendar.html", {"form": form, "years": years, "entered": entered})


@requires(Action.ORG_MANAGE)
def org(request):
    """The sysadmin keeps departments, business lines and accounts of the jurisdiction."""
    departments = selectors.departments_in_scope(request.user)
    regions = selectors.regions_under(request.user.region)
    uppers = Department.objects.filter(region__code__in=_upper_codes(request.user.region))
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
                target = get_object_or_404(User, pk=request.POST.get("user"), department__in=departments)
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
    users = User.objects.filter(department__in=departments).select_related("department", "business_line")
    return render(
        request,
        "core/org.html",
        {
            "departments": departments.select_related("upper").prefetch_related("business_lines"),
            "users": users.order_by("department__region_id", "department__name", "role"),
            "forms": forms_,
        },
    )


def _upper_codes(region) -> list[str]:
    """The city and province above a county (where its 上级对口部门 sit)."""
    return [region.code[:4] + "00", region.code[:2] + "0000"]


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
        token = get_object_or_404(request.user.api_tokens, pk=request.POST["revoke"])
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
