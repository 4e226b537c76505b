from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from . import audit, selectors, services
from .decorators import requires
from .errors import DomainError
from .forms import ApiTokenForm, CalendarYearForm, LoginForm
from .models import CalendarYear, User
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


@login_required
def job_detail(request, pk):
    job = get_object_or_404(selectors.jobs_for(request.user), pk=pk)
    template = "core/_job_status.html" if request.headers.get("HX-Request") else "core/job_detail.html"
    return render(request, template, {"job": job})


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
    departments = selectors.departments_in_scope(request.user).prefetch_related("business_lines")
    users = (
        User.objects.filter(department__in=departments)
        .select_related("department")
        .order_by("department", "role")
    )
    return render(request, "core/org.html", {"departments": departments, "users": users})


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
