"""The permission matrix (STYLE.md 4): every page and API endpoint, every standing actor, the
answer the product should give per the roles of ARCHITECTURE.md.

The table is written out by hand on purpose: it is the specification, not a copy of
ROLE_ACTIONS, so a wrong entry in the role table (or a view that checks the wrong thing) shows
up here as a failing row.

- anonymous: pages redirect to the sign-in page, the API answers 401; the public portal
  (/public/) answers everyone alike;
- the sysadmin keeps accounts and the calendar and never reads supervision data (403);
- the auditor reads the audit log and downloads draw pools and records (403 elsewhere, except
  home and API tokens);
- a role that may never do an action gets 403 (in scope or not); a record outside the actor's
  scope is 404 (scope never reveals what exists); a department that can read a record it does
  not own (a joint task it takes part in) but may not act on it gets 403, as the services say.

Objects: a target supervised only by department A, an inspector of A, a published item and a
draft item of the county's list, a job created by a_admin; for planning and draws, the
county's year goals and a joint list, A's published 2026 plan with an A-only task, A's
published 2027 plan with a joint task (A leads, B takes part) drawn with teams, a selection
token, a pending recusal of an A member and a pending request to void the draw ({void}), A's
draft 2028 plan with a task, B's submitted 2026 plan, and A's published 2029 plan whose task's draw is announced with a witness registered
(the link's token: {witness}). The actors and objects are built once for the module (see
`standing`), so the ~900 rows stay fast."""

import datetime as dt
import re
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, get_resolver, resolve, reverse
from django.utils import timezone

from conftest import ACTORS, PASSWORD, build_world, make_ric, make_uscc, module_standing
from shuangsuiji.api import api
from shuangsuiji.core import services as core_services
from shuangsuiji.core.models import ApiToken, AuditEntry, Job, Role, User
from shuangsuiji.directory import services
from shuangsuiji.directory.models import Inspector, Target
from shuangsuiji.directory.tests.test_permissions import ROWS as DIRECTORY_ROWS
from shuangsuiji.draw import services as draw_services
from shuangsuiji.draw import voids as draw_voids
from shuangsuiji.draw import witnesses as draw_witnesses
from shuangsuiji.draw.models import TeamMember
from shuangsuiji.followup.tests.test_permissions import ROWS as FOLLOWUP_ROWS
from shuangsuiji.inspection import services as inspection
from shuangsuiji.planning import services as planning
from shuangsuiji.planning.models import QuotaMode, TaskMode
from shuangsuiji.reports.tests.test_permissions import ROWS as REPORTS_ROWS
from shuangsuiji.triggers.tests.test_permissions import ROWS as TRIGGERS_ROWS
from shuangsuiji.warning.tests.test_careless_permissions import ROWS as CARELESS_ROWS
from shuangsuiji.warning.tests.test_watch_permissions import ROWS as WATCH_ROWS

OK, CREATED, UNAUTH, DENIED, HIDDEN = 200, 201, 401, 403, 404
LOGIN = "302→sign-in"  # a redirect to the sign-in page
MOVED = "302"  # a redirect after a successful POST (or a signed-in visit to the sign-in page)
REFUSED = "302, refused"  # allowed, but the record's state forbids it: back with the message, nothing changed

TARGET_USCC = make_uscc("91130110MA0A00001")
NEW_USCC = make_uscc("91130110MA0A00099")
INSPECTOR_RIC = make_ric("13010219850612123")
NEW_RIC = make_ric("13010219900202456")

# (actor, method, url, expected). {target}, {inspector}, {item}, {draft}, {job}, {plan}, … are the
# objects above (see `_build_objects`); a URL's #fragment only names a POST's action.
MATRIX = [
    # ---- core pages ----------------------------------------------------------------------------
    ("anonymous", "GET", "/", LOGIN),
    ("office", "GET", "/", OK),
    ("a_admin", "GET", "/", OK),
    ("a_reviewer", "GET", "/", OK),
    ("a_inspector", "GET", "/", OK),
    ("b_admin", "GET", "/", OK),
    ("b_inspector", "GET", "/", OK),
    ("sysadmin", "GET", "/", OK),
    ("auditor", "GET", "/", OK),
    ("far_admin", "GET", "/", OK),
    ("anonymous", "GET", "/login/", OK),
    ("office", "GET", "/login/", MOVED),
    ("a_admin", "GET", "/login/", MOVED),
    ("a_reviewer", "GET", "/login/", MOVED),
    ("a_inspector", "GET", "/login/", MOVED),
    ("b_admin", "GET", "/login/", MOVED),
    ("b_inspector", "GET", "/login/", MOVED),
    ("sysadmin", "GET", "/login/", MOVED),
    ("auditor", "GET", "/login/", MOVED),
    ("far_admin", "GET", "/login/", MOVED),
    ("anonymous", "POST", "/logout/", LOGIN),
    ("office", "POST", "/logout/", LOGIN),
    ("a_admin", "POST", "/logout/", LOGIN),
    ("a_reviewer", "POST", "/logout/", LOGIN),
    ("a_inspector", "POST", "/logout/", LOGIN),
    ("b_admin", "POST", "/logout/", LOGIN),
    ("b_inspector", "POST", "/logout/", LOGIN),
    ("sysadmin", "POST", "/logout/", LOGIN),
    ("auditor", "POST", "/logout/", LOGIN),
    ("far_admin", "POST", "/logout/", LOGIN),
    # the balancer's health check and the metrics (core/ops): by address, not by role; the test
    # client connects from loopback, which /metrics allows by default (refusals: test_ops.py)
    ("anonymous", "GET", "/healthz", OK),
    ("office", "GET", "/healthz", OK),
    ("a_admin", "GET", "/healthz", OK),
    ("a_reviewer", "GET", "/healthz", OK),
    ("a_inspector", "GET", "/healthz", OK),
    ("b_admin", "GET", "/healthz", OK),
    ("b_inspector", "GET", "/healthz", OK),
    ("sysadmin", "GET", "/healthz", OK),
    ("auditor", "GET", "/healthz", OK),
    ("far_admin", "GET", "/healthz", OK),
    ("anonymous", "GET", "/metrics", OK),
    ("office", "GET", "/metrics", OK),
    ("a_admin", "GET", "/metrics", OK),
    ("a_reviewer", "GET", "/metrics", OK),
    ("a_inspector", "GET", "/metrics", OK),
    ("b_admin", "GET", "/metrics", OK),
    ("b_inspector", "GET", "/metrics", OK),
    ("sysadmin", "GET", "/metrics", OK),
    ("auditor", "GET", "/metrics", OK),
    ("far_admin", "GET", "/metrics", OK),
    ("anonymous", "GET", "/jobs/", LOGIN),
    ("office", "GET", "/jobs/", OK),
    ("a_admin", "GET", "/jobs/", OK),
    ("a_reviewer", "GET", "/jobs/", DENIED),
    ("a_inspector", "GET", "/jobs/", DENIED),
    ("b_admin", "GET", "/jobs/", OK),
    ("b_inspector", "GET", "/jobs/", DENIED),
    ("sysadmin", "GET", "/jobs/", DENIED),
    ("auditor", "GET", "/jobs/", DENIED),
    ("far_admin", "GET", "/jobs/", OK),
    ("anonymous", "GET", "/jobs/{job}/", LOGIN),
    ("office", "GET", "/jobs/{job}/", OK),
    ("a_admin", "GET", "/jobs/{job}/", OK),
    ("a_reviewer", "GET", "/jobs/{job}/", DENIED),
    ("a_inspector", "GET", "/jobs/{job}/", DENIED),
    ("b_admin", "GET", "/jobs/{job}/", HIDDEN),
    ("b_inspector", "GET", "/jobs/{job}/", DENIED),
    ("sysadmin", "GET", "/jobs/{job}/", DENIED),
    ("auditor", "GET", "/jobs/{job}/", DENIED),
    ("far_admin", "GET", "/jobs/{job}/", HIDDEN),
    # a refused import's full error list (the job's output file), as the job's page
    ("anonymous", "GET", "/jobs/{job}/output/", LOGIN),
    ("office", "GET", "/jobs/{job}/output/", OK),
    ("a_admin", "GET", "/jobs/{job}/output/", OK),
    ("a_reviewer", "GET", "/jobs/{job}/output/", DENIED),
    ("a_inspector", "GET", "/jobs/{job}/output/", DENIED),
    ("b_admin", "GET", "/jobs/{job}/output/", HIDDEN),
    ("b_inspector", "GET", "/jobs/{job}/output/", DENIED),
    ("sysadmin", "GET", "/jobs/{job}/output/", DENIED),
    ("auditor", "GET", "/jobs/{job}/output/", DENIED),
    ("far_admin", "GET", "/jobs/{job}/output/", HIDDEN),
    ("anonymous", "GET", "/calendar/", LOGIN),
    ("office", "GET", "/calendar/", OK),
    ("a_admin", "GET", "/calendar/", DENIED),
    ("a_reviewer", "GET", "/calendar/", DENIED),
    ("a_inspector", "GET", "/calendar/", DENIED),
    ("b_admin", "GET", "/calendar/", DENIED),
    ("b_inspector", "GET", "/calendar/", DENIED),
    ("sysadmin", "GET", "/calendar/", OK),
    ("auditor", "GET", "/calendar/", DENIED),
    ("far_admin", "GET", "/calendar/", DENIED),
    ("anonymous", "POST", "/calendar/", LOGIN),
    ("office", "POST", "/calendar/", MOVED),
    ("a_admin", "POST", "/calendar/", DENIED),
    ("a_reviewer", "POST", "/calendar/", DENIED),
    ("a_inspector", "POST", "/calendar/", DENIED),
    ("b_admin", "POST", "/calendar/", DENIED),
    ("b_inspector", "POST", "/calendar/", DENIED),
    ("sysadmin", "POST", "/calendar/", MOVED),
    ("auditor", "POST", "/calendar/", DENIED),
    ("far_admin", "POST", "/calendar/", DENIED),
    ("anonymous", "GET", "/org/", LOGIN),
    ("office", "GET", "/org/", DENIED),
    ("a_admin", "GET", "/org/", DENIED),
    ("a_reviewer", "GET", "/org/", DENIED),
    ("a_inspector", "GET", "/org/", DENIED),
    ("b_admin", "GET", "/org/", DENIED),
    ("b_inspector", "GET", "/org/", DENIED),
    ("sysadmin", "GET", "/org/", OK),
    ("auditor", "GET", "/org/", DENIED),
    ("far_admin", "GET", "/org/", DENIED),
    ("anonymous", "GET", "/audit/", LOGIN),
    ("office", "GET", "/audit/", DENIED),
    ("a_admin", "GET", "/audit/", DENIED),
    ("a_reviewer", "GET", "/audit/", DENIED),
    ("a_inspector", "GET", "/audit/", DENIED),
    ("b_admin", "GET", "/audit/", DENIED),
    ("b_inspector", "GET", "/audit/", DENIED),
    ("sysadmin", "GET", "/audit/", DENIED),
    ("auditor", "GET", "/audit/", OK),
    ("far_admin", "GET", "/audit/", DENIED),
    ("anonymous", "GET", "/tokens/", LOGIN),
    ("office", "GET", "/tokens/", OK),
    ("a_admin", "GET", "/tokens/", OK),
    ("a_reviewer", "GET", "/tokens/", OK),
    ("a_inspector", "GET", "/tokens/", OK),
    ("b_admin", "GET", "/tokens/", OK),
    ("b_inspector", "GET", "/tokens/", OK),
    ("sysadmin", "GET", "/tokens/", OK),
    ("auditor", "GET", "/tokens/", OK),
    ("far_admin", "GET", "/tokens/", OK),
    ("anonymous", "POST", "/tokens/", LOGIN),
    ("office", "POST", "/tokens/", OK),
    ("a_admin", "POST", "/tokens/", OK),
    ("a_reviewer", "POST", "/tokens/", OK),
    ("a_inspector", "POST", "/tokens/", OK),
    ("b_admin", "POST", "/tokens/", OK),
    ("b_inspector", "POST", "/tokens/", OK),
    ("sysadmin", "POST", "/tokens/", OK),
    ("auditor", "POST", "/tokens/", OK),
    ("far_admin", "POST", "/tokens/", OK),
    # Sign-in's second step and enrolment: a force_login session counts as fully signed in
    # (core/second_factor.py), so every signed-in actor is sent home; the real steps are in
    # test_second_factor.py. The activation page opens for anyone holding a code.
    ("anonymous", "GET", "/login/code/", LOGIN),
    ("office", "GET", "/login/code/", MOVED),
    ("a_admin", "GET", "/login/code/", MOVED),
    ("a_reviewer", "GET", "/login/code/", MOVED),
    ("a_inspector", "GET", "/login/code/", MOVED),
    ("b_admin", "GET", "/login/code/", MOVED),
    ("b_inspector", "GET", "/login/code/", MOVED),
    ("sysadmin", "GET", "/login/code/", MOVED),
    ("auditor", "GET", "/login/code/", MOVED),
    ("far_admin", "GET", "/login/code/", MOVED),
    ("anonymous", "GET", "/login/enrol/", LOGIN),
    ("office", "GET", "/login/enrol/", MOVED),
    ("a_admin", "GET", "/login/enrol/", MOVED),
    ("a_reviewer", "GET", "/login/enrol/", MOVED),
    ("a_inspector", "GET", "/login/enrol/", MOVED),
    ("b_admin", "GET", "/login/enrol/", MOVED),
    ("b_inspector", "GET", "/login/enrol/", MOVED),
    ("sysadmin", "GET", "/login/enrol/", MOVED),
    ("auditor", "GET", "/login/enrol/", MOVED),
    ("far_admin", "GET", "/login/enrol/", MOVED),
    ("anonymous", "GET", "/activate/not-a-code/", OK),
    ("office", "GET", "/activate/not-a-code/", OK),
    ("a_admin", "GET", "/activate/not-a-code/", OK),
    ("a_reviewer", "GET", "/activate/not-a-code/", OK),
    ("a_inspector", "GET", "/activate/not-a-code/", OK),
    ("b_admin", "GET", "/activate/not-a-code/", OK),
    ("b_inspector", "GET", "/activate/not-a-code/", OK),
    ("sysadmin", "GET", "/activate/not-a-code/", OK),
    ("auditor", "GET", "/activate/not-a-code/", OK),
    ("far_admin", "GET", "/activate/not-a-code/", OK),
    # Role grants: the secadmin asks (not a standing actor: test_accounts.py), the office is a
    # second person for department roles ({grant} asks for a reviewer of A).
    ("anonymous", "GET", "/roles/", LOGIN),
    ("office", "GET", "/roles/", OK),
    ("a_admin", "GET", "/roles/", DENIED),
    ("a_reviewer", "GET", "/roles/", DENIED),
    ("a_inspector", "GET", "/roles/", DENIED),
    ("b_admin", "GET", "/roles/", DENIED),
    ("b_inspector", "GET", "/roles/", DENIED),
    ("sysadmin", "GET", "/roles/", DENIED),
    ("auditor", "GET", "/roles/", DENIED),
    ("far_admin", "GET", "/roles/", DENIED),
    ("anonymous", "POST", "/roles/", LOGIN),
    ("office", "POST", "/roles/", DENIED),
    ("a_admin", "POST", "/roles/", DENIED),
    ("a_reviewer", "POST", "/roles/", DENIED),
    ("a_inspector", "POST", "/roles/", DENIED),
    ("b_admin", "POST", "/roles/", DENIED),
    ("b_inspector", "POST", "/roles/", DENIED),
    ("sysadmin", "POST", "/roles/", DENIED),
    ("auditor", "POST", "/roles/", DENIED),
    ("far_admin", "POST", "/roles/", DENIED),
    ("anonymous", "POST", "/roles/{grant}/confirm/", LOGIN),
    ("office", "POST", "/roles/{grant}/confirm/", MOVED),
    ("a_admin", "POST", "/roles/{grant}/confirm/", DENIED),
    ("a_reviewer", "POST", "/roles/{grant}/confirm/", DENIED),
    ("a_inspector", "POST", "/roles/{grant}/confirm/", DENIED),
    ("b_admin", "POST", "/roles/{grant}/confirm/", DENIED),
    ("b_inspector", "POST", "/roles/{grant}/confirm/", DENIED),
    ("sysadmin", "POST", "/roles/{grant}/confirm/", DENIED),
    ("auditor", "POST", "/roles/{grant}/confirm/", DENIED),
    ("far_admin", "POST", "/roles/{grant}/confirm/", DENIED),
    ("anonymous", "POST", "/roles/{grant}/refuse/", LOGIN),
    ("office", "POST", "/roles/{grant}/refuse/", MOVED),
    ("a_admin", "POST", "/roles/{grant}/refuse/", DENIED),
    ("a_reviewer", "POST", "/roles/{grant}/refuse/", DENIED),
    ("a_inspector", "POST", "/roles/{grant}/refuse/", DENIED),
    ("b_admin", "POST", "/roles/{grant}/refuse/", DENIED),
    ("b_inspector", "POST", "/roles/{grant}/refuse/", DENIED),
    ("sysadmin", "POST", "/roles/{grant}/refuse/", DENIED),
    ("auditor", "POST", "/roles/{grant}/refuse/", DENIED),
    ("far_admin", "POST", "/roles/{grant}/refuse/", DENIED),
    # 账号与动态口令: the secadmin's list (secadmin is not a standing actor: test_accounts.py)
    ("anonymous", "GET", "/roles/accounts/", LOGIN),
    ("office", "GET", "/roles/accounts/", DENIED),
    ("a_admin", "GET", "/roles/accounts/", DENIED),
    ("a_reviewer", "GET", "/roles/accounts/", DENIED),
    ("a_inspector", "GET", "/roles/accounts/", DENIED),
    ("b_admin", "GET", "/roles/accounts/", DENIED),
    ("b_inspector", "GET", "/roles/accounts/", DENIED),
    ("sysadmin", "GET", "/roles/accounts/", DENIED),
    ("auditor", "GET", "/roles/accounts/", DENIED),
    ("far_admin", "GET", "/roles/accounts/", DENIED),
    ("anonymous", "POST", "/roles/accounts/{account}/factor-reset/", LOGIN),
    ("office", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("a_admin", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("a_reviewer", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("a_inspector", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("b_admin", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("b_inspector", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("sysadmin", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("auditor", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    ("far_admin", "POST", "/roles/accounts/{account}/factor-reset/", DENIED),
    # ---- targets -------------------------------------------------------------------------------
    ("anonymous", "GET", "/directory/targets/", LOGIN),
    ("office", "GET", "/directory/targets/", OK),
    ("a_admin", "GET", "/directory/targets/", OK),
    ("a_reviewer", "GET", "/directory/targets/", OK),
    ("a_inspector", "GET", "/directory/targets/", OK),
    ("b_admin", "GET", "/directory/targets/", OK),
    ("b_inspector", "GET", "/directory/targets/", OK),
    ("sysadmin", "GET", "/directory/targets/", DENIED),
    ("auditor", "GET", "/directory/targets/", DENIED),
    ("far_admin", "GET", "/directory/targets/", OK),
    ("anonymous", "GET", "/directory/targets/new/", LOGIN),
    ("office", "GET", "/directory/targets/new/", DENIED),
    ("a_admin", "GET", "/directory/targets/new/", OK),
    ("a_reviewer", "GET", "/directory/targets/new/", DENIED),
    ("a_inspector", "GET", "/directory/targets/new/", DENIED),
    ("b_admin", "GET", "/directory/targets/new/", OK),
    ("b_inspector", "GET", "/directory/targets/new/", DENIED),
    ("sysadmin", "GET", "/directory/targets/new/", DENIED),
    ("auditor", "GET", "/directory/targets/new/", DENIED),
    ("far_admin", "GET", "/directory/targets/new/", OK),
    ("anonymous", "POST", "/directory/targets/new/", LOGIN),
    ("office", "POST", "/directory/targets/new/", DENIED),
    ("a_admin", "POST", "/directory/targets/new/", MOVED),
    ("a_reviewer", "POST", "/directory/targets/new/", DENIED),
    ("a_inspector", "POST", "/directory/targets/new/", DENIED),
    ("b_admin", "POST", "/directory/targets/new/", MOVED),
    ("b_inspector", "POST", "/directory/targets/new/", DENIED),
    ("sysadmin", "POST", "/directory/targets/new/", DENIED),
    ("auditor", "POST", "/directory/targets/new/", DENIED),
    ("far_admin", "POST", "/directory/targets/new/", MOVED),
    ("anonymous", "GET", "/directory/targets/import/", LOGIN),
    ("office", "GET", "/directory/targets/import/", DENIED),
    ("a_admin", "GET", "/directory/targets/import/", OK),
    ("a_reviewer", "GET", "/directory/targets/import/", DENIED),
    ("a_inspector", "GET", "/directory/targets/import/", DENIED),
    ("b_admin", "GET", "/directory/targets/import/", OK),
    ("b_inspector", "GET", "/directory/targets/import/", DENIED),
    ("sysadmin", "GET", "/directory/targets/import/", DENIED),
    ("auditor", "GET", "/directory/targets/import/", DENIED),
    ("far_admin", "GET", "/directory/targets/import/", OK),
    # the preview of an upload (issue 17): its department's only; {job} has none yet, so no list
    ("anonymous", "GET", "/directory/targets/import/{job}/", LOGIN),
    ("office", "GET", "/directory/targets/import/{job}/", DENIED),
    ("a_admin", "GET", "/directory/targets/import/{job}/", OK),
    ("a_reviewer", "GET", "/directory/targets/import/{job}/", DENIED),
    ("a_inspector", "GET", "/directory/targets/import/{job}/", DENIED),
    ("b_admin", "GET", "/directory/targets/import/{job}/", HIDDEN),
    ("b_inspector", "GET", "/directory/targets/import/{job}/", DENIED),
    ("sysadmin", "GET", "/directory/targets/import/{job}/", DENIED),
    ("auditor", "GET", "/directory/targets/import/{job}/", DENIED),
    ("far_admin", "GET", "/directory/targets/import/{job}/", HIDDEN),
    ("anonymous", "GET", "/directory/targets/import/{job}/changes.xlsx", LOGIN),
    ("office", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("a_admin", "GET", "/directory/targets/import/{job}/changes.xlsx", HIDDEN),
    ("a_reviewer", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("a_inspector", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("b_admin", "GET", "/directory/targets/import/{job}/changes.xlsx", HIDDEN),
    ("b_inspector", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("sysadmin", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("auditor", "GET", "/directory/targets/import/{job}/changes.xlsx", DENIED),
    ("far_admin", "GET", "/directory/targets/import/{job}/changes.xlsx", HIDDEN),
    ("anonymous", "POST", "/directory/targets/import/", LOGIN),
    ("office", "POST", "/directory/targets/import/", DENIED),
    ("a_admin", "POST", "/directory/targets/import/", MOVED),
    ("a_reviewer", "POST", "/directory/targets/import/", DENIED),
    ("a_inspector", "POST", "/directory/targets/import/", DENIED),
    ("b_admin", "POST", "/directory/targets/import/", MOVED),
    ("b_inspector", "POST", "/directory/targets/import/", DENIED),
    ("sysadmin", "POST", "/directory/targets/import/", DENIED),
    ("auditor", "POST", "/directory/targets/import/", DENIED),
    ("far_admin", "POST", "/directory/targets/import/", MOVED),
    ("anonymous", "GET", "/directory/targets/template/market.xlsx", LOGIN),
    ("office", "GET", "/directory/targets/template/market.xlsx", OK),
    ("a_admin", "GET", "/directory/targets/template/market.xlsx", OK),
    ("a_reviewer", "GET", "/directory/targets/template/market.xlsx", OK),
    ("a_inspector", "GET", "/directory/targets/template/market.xlsx", OK),
    ("b_admin", "GET", "/directory/targets/template/market.xlsx", OK),
    ("b_inspector", "GET", "/directory/targets/template/market.xlsx", OK),
    ("sysadmin", "GET", "/directory/targets/template/market.xlsx", DENIED),
    ("auditor", "GET", "/directory/targets/template/market.xlsx", DENIED),
    ("far_admin", "GET", "/directory/targets/template/market.xlsx", OK),
    ("anonymous", "GET", "/directory/targets/template/person.csv", LOGIN),
    ("office", "GET", "/directory/targets/template/person.csv", OK),
    ("a_admin", "GET", "/directory/targets/template/person.csv", OK),
    ("a_reviewer", "GET", "/directory/targets/template/person.csv", OK),
    ("a_inspector", "GET", "/directory/targets/template/person.csv", OK),
    ("b_admin", "GET", "/directory/targets/template/person.csv", OK),
    ("b_inspector", "GET", "/directory/targets/template/person.csv", OK),
    ("sysadmin", "GET", "/directory/targets/template/person.csv", DENIED),
    ("auditor", "GET", "/directory/targets/template/person.csv", DENIED),
    ("far_admin", "GET", "/directory/targets/template/person.csv", OK),
    ("anonymous", "GET", "/directory/targets/export.csv", LOGIN),
    ("office", "GET", "/directory/targets/export.csv", OK),
    ("a_admin", "GET", "/directory/targets/export.csv", OK),
    ("a_reviewer", "GET", "/directory/targets/export.csv", OK),
    ("a_inspector", "GET", "/directory/targets/export.csv", OK),
    ("b_admin", "GET", "/directory/targets/export.csv", OK),
    ("b_inspector", "GET", "/directory/targets/export.csv", OK),
    ("sysadmin", "GET", "/directory/targets/export.csv", DENIED),
    ("auditor", "GET", "/directory/targets/export.csv", DENIED),
    ("far_admin", "GET", "/directory/targets/export.csv", OK),
    ("anonymous", "GET", "/directory/targets/export.xlsx", LOGIN),
    ("office", "GET", "/directory/targets/export.xlsx", OK),
    ("a_admin", "GET", "/directory/targets/export.xlsx", OK),
    ("a_reviewer", "GET", "/directory/targets/export.xlsx", OK),
    ("a_inspector", "GET", "/directory/targets/export.xlsx", OK),
    ("b_admin", "GET", "/directory/targets/export.xlsx", OK),
    ("b_inspector", "GET", "/directory/targets/export.xlsx", OK),
    ("sysadmin", "GET", "/directory/targets/export.xlsx", DENIED),
    ("auditor", "GET", "/directory/targets/export.xlsx", DENIED),
    ("far_admin", "GET", "/directory/targets/export.xlsx", OK),
    ("anonymous", "GET", "/directory/targets/{target}/", LOGIN),
    ("office", "GET", "/directory/targets/{target}/", OK),
    ("a_admin", "GET", "/directory/targets/{target}/", OK),
    ("a_reviewer", "GET", "/directory/targets/{target}/", OK),
    ("a_inspector", "GET", "/directory/targets/{target}/", OK),
    ("b_admin", "GET", "/directory/targets/{target}/", HIDDEN),
    ("b_inspector", "GET", "/directory/targets/{target}/", HIDDEN),
    ("sysadmin", "GET", "/directory/targets/{target}/", DENIED),
    ("auditor", "GET", "/directory/targets/{target}/", DENIED),
    ("far_admin", "GET", "/directory/targets/{target}/", HIDDEN),
    ("anonymous", "GET", "/directory/targets/{target}/edit/", LOGIN),
    ("office", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("a_admin", "GET", "/directory/targets/{target}/edit/", OK),
    ("a_reviewer", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("a_inspector", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("b_admin", "GET", "/directory/targets/{target}/edit/", HIDDEN),
    ("b_inspector", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("sysadmin", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("auditor", "GET", "/directory/targets/{target}/edit/", DENIED),
    ("far_admin", "GET", "/directory/targets/{target}/edit/", HIDDEN),
    ("anonymous", "POST", "/directory/targets/{target}/edit/", LOGIN),
    ("office", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("a_admin", "POST", "/directory/targets/{target}/edit/", MOVED),
    ("a_reviewer", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("a_inspector", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("b_admin", "POST", "/directory/targets/{target}/edit/", HIDDEN),
    ("b_inspector", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("sysadmin", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("auditor", "POST", "/directory/targets/{target}/edit/", DENIED),
    ("far_admin", "POST", "/directory/targets/{target}/edit/", HIDDEN),
    # ---- inspectors ----------------------------------------------------------------------------
    ("anonymous", "GET", "/directory/inspectors/", LOGIN),
    ("office", "GET", "/directory/inspectors/", OK),
    ("a_admin", "GET", "/directory/inspectors/", OK),
    ("a_reviewer", "GET", "/directory/inspectors/", OK),
    ("a_inspector", "GET", "/directory/inspectors/", OK),
    ("b_admin", "GET", "/directory/inspectors/", OK),
    ("b_inspector", "GET", "/directory/inspectors/", OK),
    ("sysadmin", "GET", "/directory/inspectors/", DENIED),
    ("auditor", "GET", "/directory/inspectors/", DENIED),
    ("far_admin", "GET", "/directory/inspectors/", OK),
    ("anonymous", "GET", "/directory/inspectors/new/", LOGIN),
    ("office", "GET", "/directory/inspectors/new/", DENIED),
    ("a_admin", "GET", "/directory/inspectors/new/", OK),
    ("a_reviewer", "GET", "/directory/inspectors/new/", DENIED),
    ("a_inspector", "GET", "/directory/inspectors/new/", DENIED),
    ("b_admin", "GET", "/directory/inspectors/new/", OK),
    ("b_inspector", "GET", "/directory/inspectors/new/", DENIED),
    ("sysadmin", "GET", "/directory/inspectors/new/", DENIED),
    ("auditor", "GET", "/directory/inspectors/new/", DENIED),
    ("far_admin", "GET", "/directory/inspectors/new/", OK),
    ("anonymous", "POST", "/directory/inspectors/new/", LOGIN),
    ("office", "POST", "/directory/inspectors/new/", DENIED),
    ("a_admin", "POST", "/directory/inspectors/new/", MOVED),
    ("a_reviewer", "POST", "/directory/inspectors/new/", DENIED),
    ("a_inspector", "POST", "/directory/inspectors/new/", DENIED),
    ("b_admin", "POST", "/directory/inspectors/new/", MOVED),
    ("b_inspector", "POST", "/directory/inspectors/new/", DENIED),
    ("sysadmin", "POST", "/directory/inspectors/new/", DENIED),
    ("auditor", "POST", "/directory/inspectors/new/", DENIED),
    ("far_admin", "POST", "/directory/inspectors/new/", MOVED),
    ("anonymous", "GET", "/directory/inspectors/import/", LOGIN),
    ("office", "GET", "/directory/inspectors/import/", DENIED),
    ("a_admin", "GET", "/directory/inspectors/import/", OK),
    ("a_reviewer", "GET", "/directory/inspectors/import/", DENIED),
    ("a_inspector", "GET", "/directory/inspectors/import/", DENIED),
    ("b_admin", "GET", "/directory/inspectors/import/", OK),
    ("b_inspector", "GET", "/directory/inspectors/import/", DENIED),
    ("sysadmin", "GET", "/directory/inspectors/import/", DENIED),
    ("auditor", "GET", "/directory/inspectors/import/", DENIED),
    ("far_admin", "GET", "/directory/inspectors/import/", OK),
    ("anonymous", "POST", "/directory/inspectors/import/", LOGIN),
    ("office", "POST", "/directory/inspectors/import/", DENIED),
    ("a_admin", "POST", "/directory/inspectors/import/", MOVED),
    ("a_reviewer", "POST", "/directory/inspectors/import/", DENIED),
    ("a_inspector", "POST", "/directory/inspectors/import/", DENIED),
    ("b_admin", "POST", "/directory/inspectors/import/", MOVED),
    ("b_inspector", "POST", "/directory/inspectors/import/", DENIED),
    ("sysadmin", "POST", "/directory/inspectors/import/", DENIED),
    ("auditor", "POST", "/directory/inspectors/import/", DENIED),
    ("far_admin", "POST", "/directory/inspectors/import/", MOVED),
    ("anonymous", "GET", "/directory/inspectors/template.csv", LOGIN),
    ("office", "GET", "/directory/inspectors/template.csv", OK),
    ("a_admin", "GET", "/directory/inspectors/template.csv", OK),
    ("a_reviewer", "GET", "/directory/inspectors/template.csv", OK),
    ("a_inspector", "GET", "/directory/inspectors/template.csv", OK),
    ("b_admin", "GET", "/directory/inspectors/template.csv", OK),
    ("b_inspector", "GET", "/directory/inspectors/template.csv", OK),
    ("sysadmin", "GET", "/directory/inspectors/template.csv", DENIED),
    ("auditor", "GET", "/directory/inspectors/template.csv", DENIED),
    ("far_admin", "GET", "/directory/inspectors/template.csv", OK),
    ("anonymous", "GET", "/directory/inspectors/export.xlsx", LOGIN),
    ("office", "GET", "/directory/inspectors/export.xlsx", OK),
    ("a_admin", "GET", "/directory/inspectors/export.xlsx", OK),
    ("a_reviewer", "GET", "/directory/inspectors/export.xlsx", OK),
    ("a_inspector", "GET", "/directory/inspectors/export.xlsx", OK),
    ("b_admin", "GET", "/directory/inspectors/export.xlsx", OK),
    ("b_inspector", "GET", "/directory/inspectors/export.xlsx", OK),
    ("sysadmin", "GET", "/directory/inspectors/export.xlsx", DENIED),
    ("auditor", "GET", "/directory/inspectors/export.xlsx", DENIED),
    ("far_admin", "GET", "/directory/inspectors/export.xlsx", OK),
    ("anonymous", "GET", "/directory/inspectors/{inspector}/", LOGIN),
    ("office", "GET", "/directory/inspectors/{inspector}/", OK),
    ("a_admin", "GET", "/directory/inspectors/{inspector}/", OK),
    ("a_reviewer", "GET", "/directory/inspectors/{inspector}/", OK),
    ("a_inspector", "GET", "/directory/inspectors/{inspector}/", OK),
    ("b_admin", "GET", "/directory/inspectors/{inspector}/", HIDDEN),
    ("b_inspector", "GET", "/directory/inspectors/{inspector}/", HIDDEN),
    ("sysadmin", "GET", "/directory/inspectors/{inspector}/", DENIED),
    ("auditor", "GET", "/directory/inspectors/{inspector}/", DENIED),
    ("far_admin", "GET", "/directory/inspectors/{inspector}/", HIDDEN),
    # ---- POST on the inspector page registers a conflict (利害关系): the department admin's work. ---
    ("anonymous", "POST", "/directory/inspectors/{inspector}/", LOGIN),
    ("office", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("a_admin", "POST", "/directory/inspectors/{inspector}/", MOVED),
    ("a_reviewer", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("a_inspector", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("b_admin", "POST", "/directory/inspectors/{inspector}/", HIDDEN),
    ("b_inspector", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("sysadmin", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("auditor", "POST", "/directory/inspectors/{inspector}/", DENIED),
    ("far_admin", "POST", "/directory/inspectors/{inspector}/", HIDDEN),
    ("anonymous", "GET", "/directory/inspectors/{inspector}/edit/", LOGIN),
    ("office", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("a_admin", "GET", "/directory/inspectors/{inspector}/edit/", OK),
    ("a_reviewer", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("a_inspector", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("b_admin", "GET", "/directory/inspectors/{inspector}/edit/", HIDDEN),
    ("b_inspector", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("sysadmin", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("auditor", "GET", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("far_admin", "GET", "/directory/inspectors/{inspector}/edit/", HIDDEN),
    ("anonymous", "POST", "/directory/inspectors/{inspector}/edit/", LOGIN),
    ("office", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("a_admin", "POST", "/directory/inspectors/{inspector}/edit/", MOVED),
    ("a_reviewer", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("a_inspector", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("b_admin", "POST", "/directory/inspectors/{inspector}/edit/", HIDDEN),
    ("b_inspector", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("sysadmin", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("auditor", "POST", "/directory/inspectors/{inspector}/edit/", DENIED),
    ("far_admin", "POST", "/directory/inspectors/{inspector}/edit/", HIDDEN),
    # ---- items (the item list is the office's; drafts are the office's only) -------------------
    ("anonymous", "GET", "/directory/items/", LOGIN),
    ("office", "GET", "/directory/items/", OK),
    ("a_admin", "GET", "/directory/items/", OK),
    ("a_reviewer", "GET", "/directory/items/", OK),
    ("a_inspector", "GET", "/directory/items/", OK),
    ("b_admin", "GET", "/directory/items/", OK),
    ("b_inspector", "GET", "/directory/items/", OK),
    ("sysadmin", "GET", "/directory/items/", DENIED),
    ("auditor", "GET", "/directory/items/", DENIED),
    ("far_admin", "GET", "/directory/items/", OK),
    ("anonymous", "GET", "/directory/items/new/", LOGIN),
    ("office", "GET", "/directory/items/new/", OK),
    ("a_admin", "GET", "/directory/items/new/", DENIED),
    ("a_reviewer", "GET", "/directory/items/new/", DENIED),
    ("a_inspector", "GET", "/directory/items/new/", DENIED),
    ("b_admin", "GET", "/directory/items/new/", DENIED),
    ("b_inspector", "GET", "/directory/items/new/", DENIED),
    ("sysadmin", "GET", "/directory/items/new/", DENIED),
    ("auditor", "GET", "/directory/items/new/", DENIED),
    ("far_admin", "GET", "/directory/items/new/", DENIED),
    ("anonymous", "POST", "/directory/items/new/", LOGIN),
    ("office", "POST", "/directory/items/new/", MOVED),
    ("a_admin", "POST", "/directory/items/new/", DENIED),
    ("a_reviewer", "POST", "/directory/items/new/", DENIED),
    ("a_inspector", "POST", "/directory/items/new/", DENIED),
    ("b_admin", "POST", "/directory/items/new/", DENIED),
    ("b_inspector", "POST", "/directory/items/new/", DENIED),
    ("sysadmin", "POST", "/directory/items/new/", DENIED),
    ("auditor", "POST", "/directory/items/new/", DENIED),
    ("far_admin", "POST", "/directory/items/new/", DENIED),
    ("anonymous", "GET", "/directory/items/import/", LOGIN),
    ("office", "GET", "/directory/items/import/", OK),
    ("a_admin", "GET", "/directory/items/import/", DENIED),
    ("a_reviewer", "GET", "/directory/items/import/", DENIED),
    ("a_inspector", "GET", "/directory/items/import/", DENIED),
    ("b_admin", "GET", "/directory/items/import/", DENIED),
    ("b_inspector", "GET", "/directory/items/import/", DENIED),
    ("sysadmin", "GET", "/directory/items/import/", DENIED),
    ("auditor", "GET", "/directory/items/import/", DENIED),
    ("far_admin", "GET", "/directory/items/import/", DENIED),
    ("anonymous", "POST", "/directory/items/import/", LOGIN),
    ("office", "POST", "/directory/items/import/", MOVED),
    ("a_admin", "POST", "/directory/items/import/", DENIED),
    ("a_reviewer", "POST", "/directory/items/import/", DENIED),
    ("a_inspector", "POST", "/directory/items/import/", DENIED),
    ("b_admin", "POST", "/directory/items/import/", DENIED),
    ("b_inspector", "POST", "/directory/items/import/", DENIED),
    ("sysadmin", "POST", "/directory/items/import/", DENIED),
    ("auditor", "POST", "/directory/items/import/", DENIED),
    ("far_admin", "POST", "/directory/items/import/", DENIED),
    ("anonymous", "GET", "/directory/items/template.xlsx", LOGIN),
    ("office", "GET", "/directory/items/template.xlsx", OK),
    ("a_admin", "GET", "/directory/items/template.xlsx", OK),
    ("a_reviewer", "GET", "/directory/items/template.xlsx", OK),
    ("a_inspector", "GET", "/directory/items/template.xlsx", OK),
    ("b_admin", "GET", "/directory/items/template.xlsx", OK),
    ("b_inspector", "GET", "/directory/items/template.xlsx", OK),
    ("sysadmin", "GET", "/directory/items/template.xlsx", DENIED),
    ("auditor", "GET", "/directory/items/template.xlsx", DENIED),
    ("far_admin", "GET", "/directory/items/template.xlsx", OK),
    ("anonymous", "GET", "/directory/items/export.csv", LOGIN),
    ("office", "GET", "/directory/items/export.csv", OK),
    ("a_admin", "GET", "/directory/items/export.csv", OK),
    ("a_reviewer", "GET", "/directory/items/export.csv", OK),
    ("a_inspector", "GET", "/directory/items/export.csv", OK),
    ("b_admin", "GET", "/directory/items/export.csv", OK),
    ("b_inspector", "GET", "/directory/items/export.csv", OK),
    ("sysadmin", "GET", "/directory/items/export.csv", DENIED),
    ("auditor", "GET", "/directory/items/export.csv", DENIED),
    ("far_admin", "GET", "/directory/items/export.csv", OK),
    ("anonymous", "GET", "/directory/items/{item}/", LOGIN),
    ("office", "GET", "/directory/items/{item}/", OK),
    ("a_admin", "GET", "/directory/items/{item}/", OK),
    ("a_reviewer", "GET", "/directory/items/{item}/", OK),
    ("a_inspector", "GET", "/directory/items/{item}/", OK),
    ("b_admin", "GET", "/directory/items/{item}/", OK),
    ("b_inspector", "GET", "/directory/items/{item}/", OK),
    ("sysadmin", "GET", "/directory/items/{item}/", DENIED),
    ("auditor", "GET", "/directory/items/{item}/", DENIED),
    ("far_admin", "GET", "/directory/items/{item}/", HIDDEN),
    ("anonymous", "GET", "/directory/items/{draft}/", LOGIN),
    ("office", "GET", "/directory/items/{draft}/", OK),
    ("a_admin", "GET", "/directory/items/{draft}/", HIDDEN),
    ("a_reviewer", "GET", "/directory/items/{draft}/", HIDDEN),
    ("a_inspector", "GET", "/directory/items/{draft}/", HIDDEN),
    ("b_admin", "GET", "/directory/items/{draft}/", HIDDEN),
    ("b_inspector", "GET", "/directory/items/{draft}/", HIDDEN),
    ("sysadmin", "GET", "/directory/items/{draft}/", DENIED),
    ("auditor", "GET", "/directory/items/{draft}/", DENIED),
    ("far_admin", "GET", "/directory/items/{draft}/", HIDDEN),
    ("anonymous", "GET", "/directory/items/{item}/edit/", LOGIN),
    ("office", "GET", "/directory/items/{item}/edit/", OK),
    ("a_admin", "GET", "/directory/items/{item}/edit/", DENIED),
    ("a_reviewer", "GET", "/directory/items/{item}/edit/", DENIED),
    ("a_inspector", "GET", "/directory/items/{item}/edit/", DENIED),
    ("b_admin", "GET", "/directory/items/{item}/edit/", DENIED),
    ("b_inspector", "GET", "/directory/items/{item}/edit/", DENIED),
    ("sysadmin", "GET", "/directory/items/{item}/edit/", DENIED),
    ("auditor", "GET", "/directory/items/{item}/edit/", DENIED),
    ("far_admin", "GET", "/directory/items/{item}/edit/", DENIED),
    ("anonymous", "POST", "/directory/items/{item}/edit/", LOGIN),
    ("office", "POST", "/directory/items/{item}/edit/", MOVED),
    ("a_admin", "POST", "/directory/items/{item}/edit/", DENIED),
    ("a_reviewer", "POST", "/directory/items/{item}/edit/", DENIED),
    ("a_inspector", "POST", "/directory/items/{item}/edit/", DENIED),
    ("b_admin", "POST", "/directory/items/{item}/edit/", DENIED),
    ("b_inspector", "POST", "/directory/items/{item}/edit/", DENIED),
    ("sysadmin", "POST", "/directory/items/{item}/edit/", DENIED),
    ("auditor", "POST", "/directory/items/{item}/edit/", DENIED),
    ("far_admin", "POST", "/directory/items/{item}/edit/", DENIED),
    ("anonymous", "POST", "/directory/items/{item}/claim/", LOGIN),
    ("office", "POST", "/directory/items/{item}/claim/", DENIED),
    ("a_admin", "POST", "/directory/items/{item}/claim/", MOVED),
    ("a_reviewer", "POST", "/directory/items/{item}/claim/", DENIED),
    ("a_inspector", "POST", "/directory/items/{item}/claim/", DENIED),
    ("b_admin", "POST", "/directory/items/{item}/claim/", MOVED),
    ("b_inspector", "POST", "/directory/items/{item}/claim/", DENIED),
    ("sysadmin", "POST", "/directory/items/{item}/claim/", DENIED),
    ("auditor", "POST", "/directory/items/{item}/claim/", DENIED),
    ("far_admin", "POST", "/directory/items/{item}/claim/", HIDDEN),
    ("anonymous", "POST", "/directory/items/{draft}/publish/", LOGIN),
    ("office", "POST", "/directory/items/{draft}/publish/", MOVED),
    ("a_admin", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("a_reviewer", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("a_inspector", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("b_admin", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("b_inspector", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("sysadmin", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("auditor", "POST", "/directory/items/{draft}/publish/", DENIED),
    ("far_admin", "POST", "/directory/items/{draft}/publish/", DENIED),
    # ---- tags ----------------------------------------------------------------------------------
    # ---- reports: office, department admins and reviewers --------------------------------
    ("anonymous", "GET", "/reports/monthly/?year=2026&month=6", LOGIN),
    ("office", "GET", "/reports/monthly/?year=2026&month=6", OK),
    ("a_admin", "GET", "/reports/monthly/?year=2026&month=6", OK),
    ("a_reviewer", "GET", "/reports/monthly/?year=2026&month=6", OK),
    ("a_inspector", "GET", "/reports/monthly/?year=2026&month=6", DENIED),
    ("b_admin", "GET", "/reports/monthly/?year=2026&month=6", OK),
    ("b_inspector", "GET", "/reports/monthly/?year=2026&month=6", DENIED),
    ("sysadmin", "GET", "/reports/monthly/?year=2026&month=6", DENIED),
    ("auditor", "GET", "/reports/monthly/?year=2026&month=6", DENIED),
    ("far_admin", "GET", "/reports/monthly/?year=2026&month=6", OK),
    ("anonymous", "GET", "/directory/tags/", LOGIN),
    ("office", "GET", "/directory/tags/", OK),
    ("a_admin", "GET", "/directory/tags/", OK),
    ("a_reviewer", "GET", "/directory/tags/", OK),
    ("a_inspector", "GET", "/directory/tags/", OK),
    ("b_admin", "GET", "/directory/tags/", OK),
    ("b_inspector", "GET", "/directory/tags/", OK),
    ("sysadmin", "GET", "/directory/tags/", DENIED),
    ("auditor", "GET", "/directory/tags/", DENIED),
    ("far_admin", "GET", "/directory/tags/", OK),
    ("anonymous", "POST", "/directory/tags/", LOGIN),
    ("office", "POST", "/directory/tags/", MOVED),
    ("a_admin", "POST", "/directory/tags/", MOVED),
    ("a_reviewer", "POST", "/directory/tags/", DENIED),
    ("a_inspector", "POST", "/directory/tags/", DENIED),
    ("b_admin", "POST", "/directory/tags/", MOVED),
    ("b_inspector", "POST", "/directory/tags/", DENIED),
    ("sysadmin", "POST", "/directory/tags/", DENIED),
    ("auditor", "POST", "/directory/tags/", DENIED),
    ("far_admin", "POST", "/directory/tags/", MOVED),
    # ---- planning: the year's goals and 一业一查 joint lists are the office's ------------------------
    ("anonymous", "GET", "/planning/goals/", LOGIN),
    ("office", "GET", "/planning/goals/", OK),
    ("a_admin", "GET", "/planning/goals/", DENIED),
    ("a_reviewer", "GET", "/planning/goals/", DENIED),
    ("a_inspector", "GET", "/planning/goals/", DENIED),
    ("b_admin", "GET", "/planning/goals/", DENIED),
    ("b_inspector", "GET", "/planning/goals/", DENIED),
    ("sysadmin", "GET", "/planning/goals/", DENIED),
    ("auditor", "GET", "/planning/goals/", DENIED),
    ("far_admin", "GET", "/planning/goals/", DENIED),
    ("anonymous", "POST", "/planning/goals/", LOGIN),
    ("office", "POST", "/planning/goals/", MOVED),
    ("a_admin", "POST", "/planning/goals/", DENIED),
    ("a_reviewer", "POST", "/planning/goals/", DENIED),
    ("a_inspector", "POST", "/planning/goals/", DENIED),
    ("b_admin", "POST", "/planning/goals/", DENIED),
    ("b_inspector", "POST", "/planning/goals/", DENIED),
    ("sysadmin", "POST", "/planning/goals/", DENIED),
    ("auditor", "POST", "/planning/goals/", DENIED),
    ("far_admin", "POST", "/planning/goals/", DENIED),
    ("anonymous", "GET", "/planning/joint-lists/", LOGIN),
    ("office", "GET", "/planning/joint-lists/", OK),
    ("a_admin", "GET", "/planning/joint-lists/", DENIED),
    ("a_reviewer", "GET", "/planning/joint-lists/", DENIED),
    ("a_inspector", "GET", "/planning/joint-lists/", DENIED),
    ("b_admin", "GET", "/planning/joint-lists/", DENIED),
    ("b_inspector", "GET", "/planning/joint-lists/", DENIED),
    ("sysadmin", "GET", "/planning/joint-lists/", DENIED),
    ("auditor", "GET", "/planning/joint-lists/", DENIED),
    ("far_admin", "GET", "/planning/joint-lists/", DENIED),
    ("anonymous", "POST", "/planning/joint-lists/", LOGIN),
    ("office", "POST", "/planning/joint-lists/", MOVED),
    ("a_admin", "POST", "/planning/joint-lists/", DENIED),
    ("a_reviewer", "POST", "/planning/joint-lists/", DENIED),
    ("a_inspector", "POST", "/planning/joint-lists/", DENIED),
    ("b_admin", "POST", "/planning/joint-lists/", DENIED),
    ("b_inspector", "POST", "/planning/joint-lists/", DENIED),
    ("sysadmin", "POST", "/planning/joint-lists/", DENIED),
    ("auditor", "POST", "/planning/joint-lists/", DENIED),
    ("far_admin", "POST", "/planning/joint-lists/", DENIED),
    # ---- planning: plans. A department reads its own plans and those with a task it takes part in;
    # the office reads its jurisdiction's. {plan} is A's alone, {plan27} holds the joint task.
    ("anonymous", "GET", "/planning/plans/", LOGIN),
    ("office", "GET", "/planning/plans/", OK),
    ("a_admin", "GET", "/planning/plans/", OK),
    ("a_reviewer", "GET", "/planning/plans/", OK),
    ("a_inspector", "GET", "/planning/plans/", OK),
    ("b_admin", "GET", "/planning/plans/", OK),
    ("b_inspector", "GET", "/planning/plans/", OK),
    ("sysadmin", "GET", "/planning/plans/", DENIED),
    ("auditor", "GET", "/planning/plans/", DENIED),
    ("far_admin", "GET", "/planning/plans/", OK),
    ("anonymous", "POST", "/planning/plans/", LOGIN),
    ("office", "POST", "/planning/plans/", DENIED),
    ("a_admin", "POST", "/planning/plans/", MOVED),
    ("a_reviewer", "POST", "/planning/plans/", DENIED),
    ("a_inspector", "POST", "/planning/plans/", DENIED),
    ("b_admin", "POST", "/planning/plans/", MOVED),
    ("b_inspector", "POST", "/planning/plans/", DENIED),
    ("sysadmin", "POST", "/planning/plans/", DENIED),
    ("auditor", "POST", "/planning/plans/", DENIED),
    ("far_admin", "POST", "/planning/plans/", MOVED),
    # 抽查任务: the tasks each reads, filtered (issue 18: the 待办 home links here)
    ("anonymous", "GET", "/planning/tasks/", LOGIN),
    ("office", "GET", "/planning/tasks/", OK),
    ("a_admin", "GET", "/planning/tasks/", OK),
    ("a_reviewer", "GET", "/planning/tasks/", OK),
    ("a_inspector", "GET", "/planning/tasks/", OK),
    ("b_admin", "GET", "/planning/tasks/", OK),
    ("b_inspector", "GET", "/planning/tasks/", OK),
    ("sysadmin", "GET", "/planning/tasks/", DENIED),
    ("auditor", "GET", "/planning/tasks/", DENIED),
    ("far_admin", "GET", "/planning/tasks/", OK),
    ("anonymous", "GET", "/planning/plans/{plan}/", LOGIN),
    ("office", "GET", "/planning/plans/{plan}/", OK),
    ("a_admin", "GET", "/planning/plans/{plan}/", OK),
    ("a_reviewer", "GET", "/planning/plans/{plan}/", OK),
    ("a_inspector", "GET", "/planning/plans/{plan}/", OK),
    ("b_admin", "GET", "/planning/plans/{plan}/", HIDDEN),
    ("b_inspector", "GET", "/planning/plans/{plan}/", HIDDEN),
    ("sysadmin", "GET", "/planning/plans/{plan}/", DENIED),
    ("auditor", "GET", "/planning/plans/{plan}/", DENIED),
    ("far_admin", "GET", "/planning/plans/{plan}/", HIDDEN),
    ("anonymous", "GET", "/planning/plans/{plan27}/", LOGIN),
    ("office", "GET", "/planning/plans/{plan27}/", OK),
    ("a_admin", "GET", "/planning/plans/{plan27}/", OK),
    ("a_reviewer", "GET", "/planning/plans/{plan27}/", OK),
    ("a_inspector", "GET", "/planning/plans/{plan27}/", OK),
    ("b_admin", "GET", "/planning/plans/{plan27}/", OK),
    ("b_inspector", "GET", "/planning/plans/{plan27}/", OK),
    ("sysadmin", "GET", "/planning/plans/{plan27}/", DENIED),
    ("auditor", "GET", "/planning/plans/{plan27}/", DENIED),
    ("far_admin", "GET", "/planning/plans/{plan27}/", HIDDEN),
    ("anonymous", "GET", "/planning/plans/{bplan}/", LOGIN),
    ("office", "GET", "/planning/plans/{bplan}/", OK),
    ("a_admin", "GET", "/planning/plans/{bplan}/", HIDDEN),
    ("a_reviewer", "GET", "/planning/plans/{bplan}/", HIDDEN),
    ("a_inspector", "GET", "/planning/plans/{bplan}/", HIDDEN),
    ("b_admin", "GET", "/planning/plans/{bplan}/", OK),
    ("b_inspector", "GET", "/planning/plans/{bplan}/", OK),
    ("sysadmin", "GET", "/planning/plans/{bplan}/", DENIED),
    ("auditor", "GET", "/planning/plans/{bplan}/", DENIED),
    ("far_admin", "GET", "/planning/plans/{bplan}/", HIDDEN),
    # ---- planning: POST actions on a plan page (the fragment names the action; it is never sent).
    # A role that may never do the action gets 403, in scope or not (as on the inspector page).
    ("anonymous", "POST", "/planning/plans/{bplan}/#approve", LOGIN),
    ("office", "POST", "/planning/plans/{bplan}/#approve", MOVED),
    ("a_admin", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("a_reviewer", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("a_inspector", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("b_admin", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("b_inspector", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("sysadmin", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("auditor", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("far_admin", "POST", "/planning/plans/{bplan}/#approve", DENIED),
    ("anonymous", "POST", "/planning/plans/{plan}/#adjust", LOGIN),
    ("office", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("a_admin", "POST", "/planning/plans/{plan}/#adjust", MOVED),
    ("a_reviewer", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("a_inspector", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("b_admin", "POST", "/planning/plans/{plan}/#adjust", HIDDEN),
    ("b_inspector", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("sysadmin", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("auditor", "POST", "/planning/plans/{plan}/#adjust", DENIED),
    ("far_admin", "POST", "/planning/plans/{plan}/#adjust", HIDDEN),
    # ---- planning: tasks are written into the department's own plan by its admin -----------------
    ("anonymous", "GET", "/planning/plans/{plan28}/tasks/new/", LOGIN),
    ("office", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("a_admin", "GET", "/planning/plans/{plan28}/tasks/new/", OK),
    ("a_reviewer", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("a_inspector", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("b_admin", "GET", "/planning/plans/{plan28}/tasks/new/", HIDDEN),
    ("b_inspector", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("sysadmin", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("auditor", "GET", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("far_admin", "GET", "/planning/plans/{plan28}/tasks/new/", HIDDEN),
    ("anonymous", "POST", "/planning/plans/{plan28}/tasks/new/", LOGIN),
    ("office", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("a_admin", "POST", "/planning/plans/{plan28}/tasks/new/", MOVED),
    ("a_reviewer", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("a_inspector", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("b_admin", "POST", "/planning/plans/{plan28}/tasks/new/", HIDDEN),
    ("b_inspector", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("sysadmin", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("auditor", "POST", "/planning/plans/{plan28}/tasks/new/", DENIED),
    ("far_admin", "POST", "/planning/plans/{plan28}/tasks/new/", HIDDEN),
    ("anonymous", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", LOGIN),
    ("office", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("a_admin", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", OK),
    ("a_reviewer", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("a_inspector", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("b_admin", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", HIDDEN),
    ("b_inspector", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("sysadmin", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("auditor", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("far_admin", "GET", "/planning/plans/{plan28}/tasks/{task28}/edit/", HIDDEN),
    ("anonymous", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", LOGIN),
    ("office", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("a_admin", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", MOVED),
    ("a_reviewer", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("a_inspector", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("b_admin", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", HIDDEN),
    ("b_inspector", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("sysadmin", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("auditor", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", DENIED),
    ("far_admin", "POST", "/planning/plans/{plan28}/tasks/{task28}/edit/", HIDDEN),
    ("anonymous", "GET", "/planning/tasks/{task}/", LOGIN),
    ("office", "GET", "/planning/tasks/{task}/", OK),
    ("a_admin", "GET", "/planning/tasks/{task}/", OK),
    ("a_reviewer", "GET", "/planning/tasks/{task}/", OK),
    ("a_inspector", "GET", "/planning/tasks/{task}/", OK),
    ("b_admin", "GET", "/planning/tasks/{task}/", HIDDEN),
    ("b_inspector", "GET", "/planning/tasks/{task}/", HIDDEN),
    ("sysadmin", "GET", "/planning/tasks/{task}/", DENIED),
    ("auditor", "GET", "/planning/tasks/{task}/", DENIED),
    ("far_admin", "GET", "/planning/tasks/{task}/", HIDDEN),
    ("anonymous", "GET", "/planning/tasks/{joint}/", LOGIN),
    ("office", "GET", "/planning/tasks/{joint}/", OK),
    ("a_admin", "GET", "/planning/tasks/{joint}/", OK),
    ("a_reviewer", "GET", "/planning/tasks/{joint}/", OK),
    ("a_inspector", "GET", "/planning/tasks/{joint}/", OK),
    ("b_admin", "GET", "/planning/tasks/{joint}/", OK),
    ("b_inspector", "GET", "/planning/tasks/{joint}/", OK),
    ("sysadmin", "GET", "/planning/tasks/{joint}/", DENIED),
    ("auditor", "GET", "/planning/tasks/{joint}/", DENIED),
    ("far_admin", "GET", "/planning/tasks/{joint}/", HIDDEN),
    # ---- planning: POST on a task page voids it: its lead department's admin or the office -------
    ("anonymous", "POST", "/planning/tasks/{task}/", LOGIN),
    ("office", "POST", "/planning/tasks/{task}/", MOVED),
    ("a_admin", "POST", "/planning/tasks/{task}/", MOVED),
    ("a_reviewer", "POST", "/planning/tasks/{task}/", DENIED),
    ("a_inspector", "POST", "/planning/tasks/{task}/", DENIED),
    ("b_admin", "POST", "/planning/tasks/{task}/", HIDDEN),
    ("b_inspector", "POST", "/planning/tasks/{task}/", DENIED),
    ("sysadmin", "POST", "/planning/tasks/{task}/", DENIED),
    ("auditor", "POST", "/planning/tasks/{task}/", DENIED),
    ("far_admin", "POST", "/planning/tasks/{task}/", HIDDEN),
    # ---- planning: 实施方案任务分工 (R-ADM-3), the simulator, the task dossier (R-ADM-4) ---------
    # ---- planning: 实施方案任务分工 (R-ADM-3) ------------------------------------------------------
    ("anonymous", "GET", "/planning/workplan/", LOGIN),
    ("office", "GET", "/planning/workplan/", OK),
    ("a_admin", "GET", "/planning/workplan/", OK),
    ("a_reviewer", "GET", "/planning/workplan/", OK),
    ("a_inspector", "GET", "/planning/workplan/", OK),
    ("b_admin", "GET", "/planning/workplan/", OK),
    ("b_inspector", "GET", "/planning/workplan/", OK),
    ("sysadmin", "GET", "/planning/workplan/", DENIED),
    ("auditor", "GET", "/planning/workplan/", DENIED),
    ("far_admin", "GET", "/planning/workplan/", OK),
    ("anonymous", "POST", "/planning/workplan/#preset", LOGIN),
    ("office", "POST", "/planning/workplan/#preset", MOVED),
    ("a_admin", "POST", "/planning/workplan/#preset", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/#preset", DENIED),
    ("a_inspector", "POST", "/planning/workplan/#preset", DENIED),
    ("b_admin", "POST", "/planning/workplan/#preset", DENIED),
    ("b_inspector", "POST", "/planning/workplan/#preset", DENIED),
    ("sysadmin", "POST", "/planning/workplan/#preset", DENIED),
    ("auditor", "POST", "/planning/workplan/#preset", DENIED),
    ("far_admin", "POST", "/planning/workplan/#preset", DENIED),
    ("anonymous", "POST", "/planning/workplan/#add", LOGIN),
    ("office", "POST", "/planning/workplan/#add", MOVED),
    ("a_admin", "POST", "/planning/workplan/#add", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/#add", DENIED),
    ("a_inspector", "POST", "/planning/workplan/#add", DENIED),
    ("b_admin", "POST", "/planning/workplan/#add", DENIED),
    ("b_inspector", "POST", "/planning/workplan/#add", DENIED),
    ("sysadmin", "POST", "/planning/workplan/#add", DENIED),
    ("auditor", "POST", "/planning/workplan/#add", DENIED),
    ("far_admin", "POST", "/planning/workplan/#add", DENIED),
    ("anonymous", "GET", "/planning/workplan/{milestone}/", LOGIN),
    ("office", "GET", "/planning/workplan/{milestone}/", OK),
    ("a_admin", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("a_reviewer", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("a_inspector", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("b_admin", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("b_inspector", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("sysadmin", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("auditor", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("far_admin", "GET", "/planning/workplan/{milestone}/", DENIED),
    ("anonymous", "POST", "/planning/workplan/{milestone}/#save", LOGIN),
    ("office", "POST", "/planning/workplan/{milestone}/#save", MOVED),
    ("a_admin", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("a_inspector", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("b_admin", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("b_inspector", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("sysadmin", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("auditor", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("far_admin", "POST", "/planning/workplan/{milestone}/#save", DENIED),
    ("anonymous", "POST", "/planning/workplan/{milestone}/#done", LOGIN),
    ("office", "POST", "/planning/workplan/{milestone}/#done", MOVED),
    ("a_admin", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("a_inspector", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("b_admin", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("b_inspector", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("sysadmin", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("auditor", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    ("far_admin", "POST", "/planning/workplan/{milestone}/#done", DENIED),
    # reopen of a milestone that is not done: the office is refused with a message and redirected
    ("anonymous", "POST", "/planning/workplan/{milestone}/#reopen", LOGIN),
    ("office", "POST", "/planning/workplan/{milestone}/#reopen", REFUSED),
    ("a_admin", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("a_inspector", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("b_admin", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("b_inspector", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("sysadmin", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("auditor", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("far_admin", "POST", "/planning/workplan/{milestone}/#reopen", DENIED),
    ("anonymous", "POST", "/planning/workplan/{milestone}/#delete", LOGIN),
    ("office", "POST", "/planning/workplan/{milestone}/#delete", MOVED),
    ("a_admin", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("a_reviewer", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("a_inspector", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("b_admin", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("b_inspector", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("sysadmin", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("auditor", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    ("far_admin", "POST", "/planning/workplan/{milestone}/#delete", DENIED),
    # ---- planning: the simulator (GET only; ?run=1&… with the full form gives the same answers) ----
    ("anonymous", "GET", "/planning/simulator/", LOGIN),
    ("office", "GET", "/planning/simulator/", OK),
    ("a_admin", "GET", "/planning/simulator/", OK),
    ("a_reviewer", "GET", "/planning/simulator/", DENIED),
    ("a_inspector", "GET", "/planning/simulator/", DENIED),
    ("b_admin", "GET", "/planning/simulator/", OK),
    ("b_inspector", "GET", "/planning/simulator/", DENIED),
    ("sysadmin", "GET", "/planning/simulator/", DENIED),
    ("auditor", "GET", "/planning/simulator/", DENIED),
    ("far_admin", "GET", "/planning/simulator/", OK),
    # ---- archive: the task dossier (R-ADM-4), for whoever may read the task and the auditor; audited.
    # The office and the auditor get the whole dossier (with the pool), a department its own part.
    ("anonymous", "GET", "/planning/tasks/{closed}/dossier/", LOGIN),
    ("office", "GET", "/planning/tasks/{closed}/dossier/", OK),
    ("a_admin", "GET", "/planning/tasks/{closed}/dossier/", OK),
    ("a_reviewer", "GET", "/planning/tasks/{closed}/dossier/", OK),
    ("a_inspector", "GET", "/planning/tasks/{closed}/dossier/", OK),
    ("b_admin", "GET", "/planning/tasks/{closed}/dossier/", HIDDEN),
    ("b_inspector", "GET", "/planning/tasks/{closed}/dossier/", HIDDEN),
    ("sysadmin", "GET", "/planning/tasks/{closed}/dossier/", DENIED),
    ("auditor", "GET", "/planning/tasks/{closed}/dossier/", OK),
    ("far_admin", "GET", "/planning/tasks/{closed}/dossier/", HIDDEN),
    # a task that is not closed: back to the task page with the message (no audit entry)
    ("anonymous", "GET", "/planning/tasks/{task}/dossier/", LOGIN),
    ("office", "GET", "/planning/tasks/{task}/dossier/", REFUSED),
    ("a_admin", "GET", "/planning/tasks/{task}/dossier/", REFUSED),
    ("a_reviewer", "GET", "/planning/tasks/{task}/dossier/", REFUSED),
    ("a_inspector", "GET", "/planning/tasks/{task}/dossier/", REFUSED),
    ("b_admin", "GET", "/planning/tasks/{task}/dossier/", HIDDEN),
    ("b_inspector", "GET", "/planning/tasks/{task}/dossier/", HIDDEN),
    ("sysadmin", "GET", "/planning/tasks/{task}/dossier/", DENIED),
    ("auditor", "GET", "/planning/tasks/{task}/dossier/", REFUSED),
    ("far_admin", "GET", "/planning/tasks/{task}/dossier/", HIDDEN),
    # ---- draw: the lead department's admin announces and runs; a department taking part reads ----
    ("anonymous", "GET", "/draw/tasks/{task}/announce/", LOGIN),
    ("office", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("a_admin", "GET", "/draw/tasks/{task}/announce/", OK),
    ("a_reviewer", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("a_inspector", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("b_admin", "GET", "/draw/tasks/{task}/announce/", HIDDEN),
    ("b_inspector", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("sysadmin", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("auditor", "GET", "/draw/tasks/{task}/announce/", DENIED),
    ("far_admin", "GET", "/draw/tasks/{task}/announce/", HIDDEN),
    ("anonymous", "POST", "/draw/tasks/{task}/announce/", LOGIN),
    ("office", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("a_admin", "POST", "/draw/tasks/{task}/announce/", MOVED),
    ("a_reviewer", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("a_inspector", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("b_admin", "POST", "/draw/tasks/{task}/announce/", HIDDEN),
    ("b_inspector", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("sysadmin", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("auditor", "POST", "/draw/tasks/{task}/announce/", DENIED),
    ("far_admin", "POST", "/draw/tasks/{task}/announce/", HIDDEN),
    ("anonymous", "GET", "/draw/tasks/{joint}/announce/", LOGIN),
    ("office", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("a_admin", "GET", "/draw/tasks/{joint}/announce/", OK),
    ("a_reviewer", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("a_inspector", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("b_admin", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("b_inspector", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("sysadmin", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("auditor", "GET", "/draw/tasks/{joint}/announce/", DENIED),
    ("far_admin", "GET", "/draw/tasks/{joint}/announce/", HIDDEN),
    # the joint task is drawn already: its lead's admin gets the form back with the reason (200)
    ("anonymous", "POST", "/draw/tasks/{joint}/announce/", LOGIN),
    ("office", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("a_admin", "POST", "/draw/tasks/{joint}/announce/", OK),
    ("a_reviewer", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("a_inspector", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("b_admin", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("b_inspector", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("sysadmin", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("auditor", "POST", "/draw/tasks/{joint}/announce/", DENIED),
    ("far_admin", "POST", "/draw/tasks/{joint}/announce/", HIDDEN),
    ("anonymous", "GET", "/draw/{draw}/", LOGIN),
    ("office", "GET", "/draw/{draw}/", OK),
    ("a_admin", "GET", "/draw/{draw}/", OK),
    ("a_reviewer", "GET", "/draw/{draw}/", OK),
    ("a_inspector", "GET", "/draw/{draw}/", OK),
    ("b_admin", "GET", "/draw/{draw}/", OK),
    ("b_inspector", "GET", "/draw/{draw}/", OK),
    ("sysadmin", "GET", "/draw/{draw}/", DENIED),
    ("auditor", "GET", "/draw/{draw}/", DENIED),
    ("far_admin", "GET", "/draw/{draw}/", HIDDEN),
    ("anonymous", "POST", "/draw/{draw}/#void", LOGIN),
    ("office", "POST", "/draw/{draw}/#void", DENIED),
    # its inspection has begun ({ins} is submitted): a draw can no longer be voided
    ("a_admin", "POST", "/draw/{draw}/#void", REFUSED),
    ("a_reviewer", "POST", "/draw/{draw}/#void", DENIED),
    ("a_inspector", "POST", "/draw/{draw}/#void", DENIED),
    ("b_admin", "POST", "/draw/{draw}/#void", DENIED),
    ("b_inspector", "POST", "/draw/{draw}/#void", DENIED),
    ("sysadmin", "POST", "/draw/{draw}/#void", DENIED),
    ("auditor", "POST", "/draw/{draw}/#void", DENIED),
    ("far_admin", "POST", "/draw/{draw}/#void", HIDDEN),
    # 登记见证人: the lead department only; {draw} is drawn, so its own admin is refused with the message
    ("anonymous", "POST", "/draw/{draw}/#invite", LOGIN),
    ("office", "POST", "/draw/{draw}/#invite", DENIED),
    ("a_admin", "POST", "/draw/{draw}/#invite", REFUSED),
    ("a_reviewer", "POST", "/draw/{draw}/#invite", DENIED),
    ("a_inspector", "POST", "/draw/{draw}/#invite", DENIED),
    ("b_admin", "POST", "/draw/{draw}/#invite", DENIED),
    ("b_inspector", "POST", "/draw/{draw}/#invite", DENIED),
    ("sysadmin", "POST", "/draw/{draw}/#invite", DENIED),
    ("auditor", "POST", "/draw/{draw}/#invite", DENIED),
    ("far_admin", "POST", "/draw/{draw}/#invite", HIDDEN),
    # 登记回避申请, on its own page: a department's admin or 主管领导 for its own members (the
    # member is A's: B's admin reads the joint draw but may not record it, as the service says)
    ("anonymous", "GET", "/draw/{draw}/recusal/", LOGIN),
    ("office", "GET", "/draw/{draw}/recusal/", DENIED),
    ("a_admin", "GET", "/draw/{draw}/recusal/", OK),
    ("a_reviewer", "GET", "/draw/{draw}/recusal/", OK),
    ("a_inspector", "GET", "/draw/{draw}/recusal/", DENIED),
    ("b_admin", "GET", "/draw/{draw}/recusal/", OK),
    ("b_inspector", "GET", "/draw/{draw}/recusal/", DENIED),
    ("sysadmin", "GET", "/draw/{draw}/recusal/", DENIED),
    ("auditor", "GET", "/draw/{draw}/recusal/", DENIED),
    ("far_admin", "GET", "/draw/{draw}/recusal/", HIDDEN),
    ("anonymous", "POST", "/draw/{draw}/recusal/", LOGIN),
    ("office", "POST", "/draw/{draw}/recusal/", DENIED),
    ("a_admin", "POST", "/draw/{draw}/recusal/", MOVED),
    ("a_reviewer", "POST", "/draw/{draw}/recusal/", MOVED),
    ("a_inspector", "POST", "/draw/{draw}/recusal/", DENIED),
    ("b_admin", "POST", "/draw/{draw}/recusal/", DENIED),
    ("b_inspector", "POST", "/draw/{draw}/recusal/", DENIED),
    ("sysadmin", "POST", "/draw/{draw}/recusal/", DENIED),
    ("auditor", "POST", "/draw/{draw}/recusal/", DENIED),
    ("far_admin", "POST", "/draw/{draw}/recusal/", HIDDEN),
    # ---- draw: the department's 主管领导 decides recusals; the auditor downloads what re-runs a draw -
    ("anonymous", "GET", "/draw/recusals/", LOGIN),
    ("office", "GET", "/draw/recusals/", DENIED),
    ("a_admin", "GET", "/draw/recusals/", DENIED),
    ("a_reviewer", "GET", "/draw/recusals/", OK),
    ("a_inspector", "GET", "/draw/recusals/", DENIED),
    ("b_admin", "GET", "/draw/recusals/", DENIED),
    ("b_inspector", "GET", "/draw/recusals/", DENIED),
    ("sysadmin", "GET", "/draw/recusals/", DENIED),
    ("auditor", "GET", "/draw/recusals/", DENIED),
    ("far_admin", "GET", "/draw/recusals/", DENIED),
    ("anonymous", "POST", "/draw/recusals/", LOGIN),
    ("office", "POST", "/draw/recusals/", DENIED),
    ("a_admin", "POST", "/draw/recusals/", DENIED),
    ("a_reviewer", "POST", "/draw/recusals/", MOVED),
    ("a_inspector", "POST", "/draw/recusals/", DENIED),
    ("b_admin", "POST", "/draw/recusals/", DENIED),
    ("b_inspector", "POST", "/draw/recusals/", DENIED),
    ("sysadmin", "POST", "/draw/recusals/", DENIED),
    ("auditor", "POST", "/draw/recusals/", DENIED),
    ("far_admin", "POST", "/draw/recusals/", DENIED),
    # 作废申请: the office of the task's level confirms or refuses ({void} is pending on {draw})
    ("anonymous", "GET", "/draw/voids/", LOGIN),
    ("office", "GET", "/draw/voids/", OK),
    ("a_admin", "GET", "/draw/voids/", DENIED),
    ("a_reviewer", "GET", "/draw/voids/", DENIED),
    ("a_inspector", "GET", "/draw/voids/", DENIED),
    ("b_admin", "GET", "/draw/voids/", DENIED),
    ("b_inspector", "GET", "/draw/voids/", DENIED),
    ("sysadmin", "GET", "/draw/voids/", DENIED),
    ("auditor", "GET", "/draw/voids/", DENIED),
    ("far_admin", "GET", "/draw/voids/", DENIED),
    ("anonymous", "POST", "/draw/voids/", LOGIN),
    ("office", "POST", "/draw/voids/", MOVED),
    ("a_admin", "POST", "/draw/voids/", DENIED),
    ("a_reviewer", "POST", "/draw/voids/", DENIED),
    ("a_inspector", "POST", "/draw/voids/", DENIED),
    ("b_admin", "POST", "/draw/voids/", DENIED),
    ("b_inspector", "POST", "/draw/voids/", DENIED),
    ("sysadmin", "POST", "/draw/voids/", DENIED),
    ("auditor", "POST", "/draw/voids/", DENIED),
    ("far_admin", "POST", "/draw/voids/", DENIED),
    ("anonymous", "GET", "/draw/audit/", LOGIN),
    ("office", "GET", "/draw/audit/", DENIED),
    ("a_admin", "GET", "/draw/audit/", DENIED),
    ("a_reviewer", "GET", "/draw/audit/", DENIED),
    ("a_inspector", "GET", "/draw/audit/", DENIED),
    ("b_admin", "GET", "/draw/audit/", DENIED),
    ("b_inspector", "GET", "/draw/audit/", DENIED),
    ("sysadmin", "GET", "/draw/audit/", DENIED),
    ("auditor", "GET", "/draw/audit/", OK),
    ("far_admin", "GET", "/draw/audit/", DENIED),
    ("anonymous", "GET", "/draw/audit/{draw}/pool/", LOGIN),
    ("office", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("a_admin", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("a_reviewer", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("a_inspector", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("b_admin", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("b_inspector", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("sysadmin", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("auditor", "GET", "/draw/audit/{draw}/pool/", OK),
    ("far_admin", "GET", "/draw/audit/{draw}/pool/", DENIED),
    ("anonymous", "GET", "/draw/audit/{draw}/record/", LOGIN),
    ("office", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("a_admin", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("a_reviewer", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("a_inspector", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("b_admin", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("b_inspector", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("sysadmin", "GET", "/draw/audit/{draw}/record/", DENIED),
    ("auditor", "GET", "/draw/audit/{draw}/record/", OK),
    ("far_admin", "GET", "/draw/audit/{draw}/record/", DENIED),
    # ---- inspection: a department's part of a drawn target is its team's; the office reads its
    # jurisdiction; a team member whose inspection was submitted is refused by the service (REFUSED). -
    ("anonymous", "GET", "/inspection/", LOGIN),
    ("office", "GET", "/inspection/", OK),
    ("a_admin", "GET", "/inspection/", OK),
    ("a_reviewer", "GET", "/inspection/", OK),
    ("a_inspector", "GET", "/inspection/", OK),
    ("b_admin", "GET", "/inspection/", OK),
    ("b_inspector", "GET", "/inspection/", OK),
    ("sysadmin", "GET", "/inspection/", DENIED),
    ("auditor", "GET", "/inspection/", DENIED),
    ("far_admin", "GET", "/inspection/", OK),
    ("anonymous", "GET", "/inspection/review/", LOGIN),
    ("office", "GET", "/inspection/review/", DENIED),
    ("a_admin", "GET", "/inspection/review/", DENIED),
    ("a_reviewer", "GET", "/inspection/review/", OK),
    ("a_inspector", "GET", "/inspection/review/", DENIED),
    ("b_admin", "GET", "/inspection/review/", DENIED),
    ("b_inspector", "GET", "/inspection/review/", DENIED),
    ("sysadmin", "GET", "/inspection/review/", DENIED),
    ("auditor", "GET", "/inspection/review/", DENIED),
    ("far_admin", "GET", "/inspection/review/", DENIED),
    ("anonymous", "POST", "/inspection/review/", LOGIN),
    ("office", "POST", "/inspection/review/", DENIED),
    ("a_admin", "POST", "/inspection/review/", DENIED),
    ("a_reviewer", "POST", "/inspection/review/", MOVED),
    ("a_inspector", "POST", "/inspection/review/", DENIED),
    ("b_admin", "POST", "/inspection/review/", DENIED),
    ("b_inspector", "POST", "/inspection/review/", DENIED),
    ("sysadmin", "POST", "/inspection/review/", DENIED),
    ("auditor", "POST", "/inspection/review/", DENIED),
    ("far_admin", "POST", "/inspection/review/", DENIED),
    ("anonymous", "GET", "/inspection/s/{sel}/", LOGIN),
    ("office", "GET", "/inspection/s/{sel}/", OK),
    ("a_admin", "GET", "/inspection/s/{sel}/", OK),
    ("a_reviewer", "GET", "/inspection/s/{sel}/", OK),
    ("a_inspector", "GET", "/inspection/s/{sel}/", OK),
    ("b_admin", "GET", "/inspection/s/{sel}/", OK),
    ("b_inspector", "GET", "/inspection/s/{sel}/", OK),
    ("sysadmin", "GET", "/inspection/s/{sel}/", DENIED),
    ("auditor", "GET", "/inspection/s/{sel}/", DENIED),
    ("far_admin", "GET", "/inspection/s/{sel}/", HIDDEN),
    ("anonymous", "POST", "/inspection/s/{sel}/", LOGIN),
    ("office", "POST", "/inspection/s/{sel}/", DENIED),
    ("a_admin", "POST", "/inspection/s/{sel}/", DENIED),
    ("a_reviewer", "POST", "/inspection/s/{sel}/", DENIED),
    ("a_inspector", "POST", "/inspection/s/{sel}/", REFUSED),
    ("b_admin", "POST", "/inspection/s/{sel}/", DENIED),
    ("b_inspector", "POST", "/inspection/s/{sel}/", MOVED),
    ("sysadmin", "POST", "/inspection/s/{sel}/", DENIED),
    ("auditor", "POST", "/inspection/s/{sel}/", DENIED),
    ("far_admin", "POST", "/inspection/s/{sel}/", HIDDEN),
    ("anonymous", "GET", "/inspection/s/{sel}/notice/", LOGIN),
    ("office", "GET", "/inspection/s/{sel}/notice/", OK),
    ("a_admin", "GET", "/inspection/s/{sel}/notice/", OK),
    ("a_reviewer", "GET", "/inspection/s/{sel}/notice/", OK),
    ("a_inspector", "GET", "/inspection/s/{sel}/notice/", OK),
    ("b_admin", "GET", "/inspection/s/{sel}/notice/", OK),
    ("b_inspector", "GET", "/inspection/s/{sel}/notice/", OK),
    ("sysadmin", "GET", "/inspection/s/{sel}/notice/", DENIED),
    ("auditor", "GET", "/inspection/s/{sel}/notice/", DENIED),
    ("far_admin", "GET", "/inspection/s/{sel}/notice/", HIDDEN),
    ("anonymous", "GET", "/inspection/record/{ins}/", LOGIN),
    ("office", "GET", "/inspection/record/{ins}/", OK),
    ("a_admin", "GET", "/inspection/record/{ins}/", OK),
    ("a_reviewer", "GET", "/inspection/record/{ins}/", OK),
    ("a_inspector", "GET", "/inspection/record/{ins}/", OK),
    # {ins} is A's result in 待复核: a partner reads another department's part once published only
    ("b_admin", "GET", "/inspection/record/{ins}/", HIDDEN),
    ("b_inspector", "GET", "/inspection/record/{ins}/", HIDDEN),
    ("sysadmin", "GET", "/inspection/record/{ins}/", DENIED),
    ("auditor", "GET", "/inspection/record/{ins}/", DENIED),
    ("far_admin", "GET", "/inspection/record/{ins}/", HIDDEN),
    ("anonymous", "GET", "/inspection/checkin/{token}/", LOGIN),
    ("office", "GET", "/inspection/checkin/{token}/", DENIED),
    ("a_admin", "GET", "/inspection/checkin/{token}/", DENIED),
    ("a_reviewer", "GET", "/inspection/checkin/{token}/", DENIED),
    ("a_inspector", "GET", "/inspection/checkin/{token}/", MOVED),
    ("b_admin", "GET", "/inspection/checkin/{token}/", DENIED),
    ("b_inspector", "GET", "/inspection/checkin/{token}/", MOVED),
    ("sysadmin", "GET", "/inspection/checkin/{token}/", DENIED),
    ("auditor", "GET", "/inspection/checkin/{token}/", DENIED),
    ("far_admin", "GET", "/inspection/checkin/{token}/", DENIED),
    ("anonymous", "POST", "/inspection/checkin/{token}/", LOGIN),
    ("office", "POST", "/inspection/checkin/{token}/", DENIED),
    ("a_admin", "POST", "/inspection/checkin/{token}/", DENIED),
    ("a_reviewer", "POST", "/inspection/checkin/{token}/", DENIED),
    ("a_inspector", "POST", "/inspection/checkin/{token}/", REFUSED),
    ("b_admin", "POST", "/inspection/checkin/{token}/", DENIED),
    ("b_inspector", "POST", "/inspection/checkin/{token}/", REFUSED),
    ("sysadmin", "POST", "/inspection/checkin/{token}/", DENIED),
    ("auditor", "POST", "/inspection/checkin/{token}/", DENIED),
    ("far_admin", "POST", "/inspection/checkin/{token}/", DENIED),
    # ---- 一公开: the public portal answers everyone alike, signed in or not -------------------------
    ("anonymous", "GET", "/public/", OK),
    ("office", "GET", "/public/", OK),
    ("a_admin", "GET", "/public/", OK),
    ("a_reviewer", "GET", "/public/", OK),
    ("a_inspector", "GET", "/public/", OK),
    ("b_admin", "GET", "/public/", OK),
    ("b_inspector", "GET", "/public/", OK),
    ("sysadmin", "GET", "/public/", OK),
    ("auditor", "GET", "/public/", OK),
    ("far_admin", "GET", "/public/", OK),
    ("anonymous", "GET", "/public/plans/", OK),
    ("office", "GET", "/public/plans/", OK),
    ("a_admin", "GET", "/public/plans/", OK),
    ("a_reviewer", "GET", "/public/plans/", OK),
    ("a_inspector", "GET", "/public/plans/", OK),
    ("b_admin", "GET", "/public/plans/", OK),
    ("b_inspector", "GET", "/public/plans/", OK),
    ("sysadmin", "GET", "/public/plans/", OK),
    ("auditor", "GET", "/public/plans/", OK),
    ("far_admin", "GET", "/public/plans/", OK),
    ("anonymous", "GET", "/public/draws/", OK),
    ("office", "GET", "/public/draws/", OK),
    ("a_admin", "GET", "/public/draws/", OK),
    ("a_reviewer", "GET", "/public/draws/", OK),
    ("a_inspector", "GET", "/public/draws/", OK),
    ("b_admin", "GET", "/public/draws/", OK),
    ("b_inspector", "GET", "/public/draws/", OK),
    ("sysadmin", "GET", "/public/draws/", OK),
    ("auditor", "GET", "/public/draws/", OK),
    ("far_admin", "GET", "/public/draws/", OK),
    ("anonymous", "GET", "/public/plans/{plan}/", OK),
    ("office", "GET", "/public/plans/{plan}/", OK),
    ("a_admin", "GET", "/public/plans/{plan}/", OK),
    ("a_reviewer", "GET", "/public/plans/{plan}/", OK),
    ("a_inspector", "GET", "/public/plans/{plan}/", OK),
    ("b_admin", "GET", "/public/plans/{plan}/", OK),
    ("b_inspector", "GET", "/public/plans/{plan}/", OK),
    ("sysadmin", "GET", "/public/plans/{plan}/", OK),
    ("auditor", "GET", "/public/plans/{plan}/", OK),
    ("far_admin", "GET", "/public/plans/{plan}/", OK),
    ("anonymous", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("office", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("a_admin", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("a_reviewer", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("a_inspector", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("b_admin", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("b_inspector", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("sysadmin", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("auditor", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("far_admin", "GET", "/public/plans/{bplan}/", HIDDEN),
    ("anonymous", "GET", "/public/draws/{draw}/", OK),
    ("office", "GET", "/public/draws/{draw}/", OK),
    ("a_admin", "GET", "/public/draws/{draw}/", OK),
    ("a_reviewer", "GET", "/public/draws/{draw}/", OK),
    ("a_inspector", "GET", "/public/draws/{draw}/", OK),
    ("b_admin", "GET", "/public/draws/{draw}/", OK),
    ("b_inspector", "GET", "/public/draws/{draw}/", OK),
    ("sysadmin", "GET", "/public/draws/{draw}/", OK),
    ("auditor", "GET", "/public/draws/{draw}/", OK),
    ("far_admin", "GET", "/public/draws/{draw}/", OK),
    ("anonymous", "GET", "/public/draws/{draw}.json", OK),
    ("office", "GET", "/public/draws/{draw}.json", OK),
    ("a_admin", "GET", "/public/draws/{draw}.json", OK),
    ("a_reviewer", "GET", "/public/draws/{draw}.json", OK),
    ("a_inspector", "GET", "/public/draws/{draw}.json", OK),
    ("b_admin", "GET", "/public/draws/{draw}.json", OK),
    ("b_inspector", "GET", "/public/draws/{draw}.json", OK),
    ("sysadmin", "GET", "/public/draws/{draw}.json", OK),
    ("auditor", "GET", "/public/draws/{draw}.json", OK),
    ("far_admin", "GET", "/public/draws/{draw}.json", OK),
    ("anonymous", "GET", "/public/selection/{token}/", OK),
    ("office", "GET", "/public/selection/{token}/", OK),
    ("a_admin", "GET", "/public/selection/{token}/", OK),
    ("a_reviewer", "GET", "/public/selection/{token}/", OK),
    ("a_inspector", "GET", "/public/selection/{token}/", OK),
    ("b_admin", "GET", "/public/selection/{token}/", OK),
    ("b_inspector", "GET", "/public/selection/{token}/", OK),
    ("sysadmin", "GET", "/public/selection/{token}/", OK),
    ("auditor", "GET", "/public/selection/{token}/", OK),
    ("far_admin", "GET", "/public/selection/{token}/", OK),
    ("anonymous", "GET", "/public/selection/forged-token/", HIDDEN),
    ("office", "GET", "/public/selection/forged-token/", HIDDEN),
    ("a_admin", "GET", "/public/selection/forged-token/", HIDDEN),
    ("a_reviewer", "GET", "/public/selection/forged-token/", HIDDEN),
    ("a_inspector", "GET", "/public/selection/forged-token/", HIDDEN),
    ("b_admin", "GET", "/public/selection/forged-token/", HIDDEN),
    ("b_inspector", "GET", "/public/selection/forged-token/", HIDDEN),
    ("sysadmin", "GET", "/public/selection/forged-token/", HIDDEN),
    ("auditor", "GET", "/public/selection/forged-token/", HIDDEN),
    ("far_admin", "GET", "/public/selection/forged-token/", HIDDEN),
    # a witness's own page: public, the one-time link is the credential (draw/witnesses.py)
    ("anonymous", "GET", "/public/witness/{witness}/", OK),
    ("office", "GET", "/public/witness/{witness}/", OK),
    ("a_admin", "GET", "/public/witness/{witness}/", OK),
    ("a_reviewer", "GET", "/public/witness/{witness}/", OK),
    ("a_inspector", "GET", "/public/witness/{witness}/", OK),
    ("b_admin", "GET", "/public/witness/{witness}/", OK),
    ("b_inspector", "GET", "/public/witness/{witness}/", OK),
    ("sysadmin", "GET", "/public/witness/{witness}/", OK),
    ("auditor", "GET", "/public/witness/{witness}/", OK),
    ("far_admin", "GET", "/public/witness/{witness}/", OK),
    ("anonymous", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("office", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("a_admin", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("a_reviewer", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("a_inspector", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("b_admin", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("b_inspector", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("sysadmin", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("auditor", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("far_admin", "POST", "/public/witness/{witness}/#commit", MOVED),
    ("anonymous", "GET", "/public/witness/forged-token/", HIDDEN),
    ("office", "GET", "/public/witness/forged-token/", HIDDEN),
    ("a_admin", "GET", "/public/witness/forged-token/", HIDDEN),
    ("a_reviewer", "GET", "/public/witness/forged-token/", HIDDEN),
    ("a_inspector", "GET", "/public/witness/forged-token/", HIDDEN),
    ("b_admin", "GET", "/public/witness/forged-token/", HIDDEN),
    ("b_inspector", "GET", "/public/witness/forged-token/", HIDDEN),
    ("sysadmin", "GET", "/public/witness/forged-token/", HIDDEN),
    ("auditor", "GET", "/public/witness/forged-token/", HIDDEN),
    ("far_admin", "GET", "/public/witness/forged-token/", HIDDEN),
    ("anonymous", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("office", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("a_admin", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("a_reviewer", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("a_inspector", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("b_admin", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("b_inspector", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("sysadmin", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("auditor", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("far_admin", "POST", "/public/witness/forged-token/#commit", HIDDEN),
    ("anonymous", "GET", "/public/results/?q=好味道", OK),
    ("office", "GET", "/public/results/?q=好味道", OK),
    ("a_admin", "GET", "/public/results/?q=好味道", OK),
    ("a_reviewer", "GET", "/public/results/?q=好味道", OK),
    ("a_inspector", "GET", "/public/results/?q=好味道", OK),
    ("b_admin", "GET", "/public/results/?q=好味道", OK),
    ("b_inspector", "GET", "/public/results/?q=好味道", OK),
    ("sysadmin", "GET", "/public/results/?q=好味道", OK),
    ("auditor", "GET", "/public/results/?q=好味道", OK),
    ("far_admin", "GET", "/public/results/?q=好味道", OK),
    ("anonymous", "GET", "/public/export/results.csv", OK),
    ("office", "GET", "/public/export/results.csv", OK),
    ("a_admin", "GET", "/public/export/results.csv", OK),
    ("a_reviewer", "GET", "/public/export/results.csv", OK),
    ("a_inspector", "GET", "/public/export/results.csv", OK),
    ("b_admin", "GET", "/public/export/results.csv", OK),
    ("b_inspector", "GET", "/public/export/results.csv", OK),
    ("sysadmin", "GET", "/public/export/results.csv", OK),
    ("auditor", "GET", "/public/export/results.csv", OK),
    ("far_admin", "GET", "/public/export/results.csv", OK),
    ("anonymous", "GET", "/public/export/results.json", OK),
    ("office", "GET", "/public/export/results.json", OK),
    ("a_admin", "GET", "/public/export/results.json", OK),
    ("a_reviewer", "GET", "/public/export/results.json", OK),
    ("a_inspector", "GET", "/public/export/results.json", OK),
    ("b_admin", "GET", "/public/export/results.json", OK),
    ("b_inspector", "GET", "/public/export/results.json", OK),
    ("sysadmin", "GET", "/public/export/results.json", OK),
    ("auditor", "GET", "/public/export/results.json", OK),
    ("far_admin", "GET", "/public/export/results.json", OK),
    ("anonymous", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("office", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("a_admin", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("a_reviewer", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("a_inspector", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("b_admin", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("b_inspector", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("sysadmin", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("auditor", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    ("far_admin", "GET", "/public/export/draws.json?since=2026-01-01", OK),
    # the audit log's anchors (docs/audit-log.md): published for anyone to keep a copy
    ("anonymous", "GET", "/public/audit-anchors/", OK),
    ("office", "GET", "/public/audit-anchors/", OK),
    ("a_admin", "GET", "/public/audit-anchors/", OK),
    ("a_reviewer", "GET", "/public/audit-anchors/", OK),
    ("a_inspector", "GET", "/public/audit-anchors/", OK),
    ("b_admin", "GET", "/public/audit-anchors/", OK),
    ("b_inspector", "GET", "/public/audit-anchors/", OK),
    ("sysadmin", "GET", "/public/audit-anchors/", OK),
    ("auditor", "GET", "/public/audit-anchors/", OK),
    ("far_admin", "GET", "/public/audit-anchors/", OK),
    ("anonymous", "GET", "/public/audit-anchors.json", OK),
    ("office", "GET", "/public/audit-anchors.json", OK),
    ("a_admin", "GET", "/public/audit-anchors.json", OK),
    ("a_reviewer", "GET", "/public/audit-anchors.json", OK),
    ("a_inspector", "GET", "/public/audit-anchors.json", OK),
    ("b_admin", "GET", "/public/audit-anchors.json", OK),
    ("b_inspector", "GET", "/public/audit-anchors.json", OK),
    ("sysadmin", "GET", "/public/audit-anchors.json", OK),
    ("auditor", "GET", "/public/audit-anchors.json", OK),
    ("far_admin", "GET", "/public/audit-anchors.json", OK),
    # ---- /api/v1 -------------------------------------------------------------------------------
    # the public API answers everyone, signed in or not
    ("anonymous", "GET", "/api/v1/public/results", OK),
    ("office", "GET", "/api/v1/public/results", OK),
    ("a_admin", "GET", "/api/v1/public/results", OK),
    ("a_reviewer", "GET", "/api/v1/public/results", OK),
    ("a_inspector", "GET", "/api/v1/public/results", OK),
    ("b_admin", "GET", "/api/v1/public/results", OK),
    ("b_inspector", "GET", "/api/v1/public/results", OK),
    ("sysadmin", "GET", "/api/v1/public/results", OK),
    ("auditor", "GET", "/api/v1/public/results", OK),
    ("far_admin", "GET", "/api/v1/public/results", OK),
    ("anonymous", "GET", "/api/v1/public/draws", OK),
    ("office", "GET", "/api/v1/public/draws", OK),
    ("a_admin", "GET", "/api/v1/public/draws", OK),
    ("a_reviewer", "GET", "/api/v1/public/draws", OK),
    ("a_inspector", "GET", "/api/v1/public/draws", OK),
    ("b_admin", "GET", "/api/v1/public/draws", OK),
    ("b_inspector", "GET", "/api/v1/public/draws", OK),
    ("sysadmin", "GET", "/api/v1/public/draws", OK),
    ("auditor", "GET", "/api/v1/public/draws", OK),
    ("far_admin", "GET", "/api/v1/public/draws", OK),
    ("anonymous", "GET", "/api/v1/directory/targets", UNAUTH),
    ("office", "GET", "/api/v1/directory/targets", OK),
    ("a_admin", "GET", "/api/v1/directory/targets", OK),
    ("a_reviewer", "GET", "/api/v1/directory/targets", OK),
    ("a_inspector", "GET", "/api/v1/directory/targets", OK),
    ("b_admin", "GET", "/api/v1/directory/targets", OK),
    ("b_inspector", "GET", "/api/v1/directory/targets", OK),
    ("sysadmin", "GET", "/api/v1/directory/targets", DENIED),
    ("auditor", "GET", "/api/v1/directory/targets", DENIED),
    ("far_admin", "GET", "/api/v1/directory/targets", OK),
    ("anonymous", "POST", "/api/v1/directory/targets", UNAUTH),
    ("office", "POST", "/api/v1/directory/targets", DENIED),
    ("a_admin", "POST", "/api/v1/directory/targets", CREATED),
    ("a_reviewer", "POST", "/api/v1/directory/targets", DENIED),
    ("a_inspector", "POST", "/api/v1/directory/targets", DENIED),
    ("b_admin", "POST", "/api/v1/directory/targets", CREATED),
    ("b_inspector", "POST", "/api/v1/directory/targets", DENIED),
    ("sysadmin", "POST", "/api/v1/directory/targets", DENIED),
    ("auditor", "POST", "/api/v1/directory/targets", DENIED),
    ("far_admin", "POST", "/api/v1/directory/targets", CREATED),
    ("anonymous", "GET", "/api/v1/directory/targets/{target}", UNAUTH),
    ("office", "GET", "/api/v1/directory/targets/{target}", OK),
    ("a_admin", "GET", "/api/v1/directory/targets/{target}", OK),
    ("a_reviewer", "GET", "/api/v1/directory/targets/{target}", OK),
    ("a_inspector", "GET", "/api/v1/directory/targets/{target}", OK),
    ("b_admin", "GET", "/api/v1/directory/targets/{target}", HIDDEN),
    ("b_inspector", "GET", "/api/v1/directory/targets/{target}", HIDDEN),
    ("sysadmin", "GET", "/api/v1/directory/targets/{target}", DENIED),
    ("auditor", "GET", "/api/v1/directory/targets/{target}", DENIED),
    ("far_admin", "GET", "/api/v1/directory/targets/{target}", HIDDEN),
    ("anonymous", "GET", "/api/v1/directory/inspectors", UNAUTH),
    ("office", "GET", "/api/v1/directory/inspectors", OK),
    ("a_admin", "GET", "/api/v1/directory/inspectors", OK),
    ("a_reviewer", "GET", "/api/v1/directory/inspectors", OK),
    ("a_inspector", "GET", "/api/v1/directory/inspectors", OK),
    ("b_admin", "GET", "/api/v1/directory/inspectors", OK),
    ("b_inspector", "GET", "/api/v1/directory/inspectors", OK),
    ("sysadmin", "GET", "/api/v1/directory/inspectors", DENIED),
    ("auditor", "GET", "/api/v1/directory/inspectors", DENIED),
    ("far_admin", "GET", "/api/v1/directory/inspectors", OK),
    ("anonymous", "GET", "/api/v1/directory/items", UNAUTH),
    ("office", "GET", "/api/v1/directory/items", OK),
    ("a_admin", "GET", "/api/v1/directory/items", OK),
    ("a_reviewer", "GET", "/api/v1/directory/items", OK),
    ("a_inspector", "GET", "/api/v1/directory/items", OK),
    ("b_admin", "GET", "/api/v1/directory/items", OK),
    ("b_inspector", "GET", "/api/v1/directory/items", OK),
    ("sysadmin", "GET", "/api/v1/directory/items", DENIED),
    ("auditor", "GET", "/api/v1/directory/items", DENIED),
    ("far_admin", "GET", "/api/v1/directory/items", OK),
]


# ---- the standing actors and objects, built once ------------------------------------------


def _build_world():
    """The standing actors of conftest's `world`."""
    return build_world()


def _build_objects(w):
    target = services.target_create(
        actor=w.a_admin,
        department=w.dept_a,
        kind="enterprise",
        name="鹿泉区好味道餐饮有限公司",
        region=w.county,
        key=TARGET_USCC,
        risk_class="B",
    )
    inspector = services.inspector_create(
        actor=w.a_admin,
        department=w.dept_a,
        name="王五",
        id_number=INSPECTOR_RIC,
        business_line=w.line_a1,
        certificate_no="冀执001",
        certificate_expiry=dt.date(2030, 12, 31),
    )
    item = services.item_create(
        actor=w.office,
        code="SCJG-001",
        name="食品经营许可情况的检查",
        kind="key",
        levels=["county"],
        target_kinds=["enterprise"],
        methods=["onsite", "document"],
        checklist=["是否取得食品经营许可证"],
    )
    services.item_publish(actor=w.office, item=item)
    draft = services.item_create(
        actor=w.office, code="SCJG-002", name="食品标签的检查", methods=["onsite"], levels=["county"]
    )
    job = Job.objects.create(
        kind="target_import", title="检查对象导入：t.csv", department=w.dept_a, created_by=w.a_admin
    )
    job.output_file.save("错误清单.xlsx", ContentFile(b"PK"), save=True)  # {job}/output/
    # A secadmin (no column of its own) asks for a reviewer of A on a new account: {grant}.
    secadmin = core_services.user_create(
        actor=None, username="secadmin", role=Role.SECADMIN, department=w.office_dept, password=PASSWORD
    )
    account = core_services.user_create(actor=None, username="a_newcomer", department=w.dept_a)
    grant = core_services.role_grant_request(actor=secadmin, user=account, role=Role.REVIEWER)
    o = SimpleNamespace(
        target=target, inspector=inspector, item=item, draft=draft, job=job, grant=grant, account=account
    )
    _build_planning(w, o)
    return o


def _build_planning(w, o):
    """Year goals and a joint list; A's plans of 2026 (published, an A-only task), 2027
    (published, a joint task with B, drawn with teams, a pending recusal) and 2028 (draft); B's
    submitted 2026 plan. The drawn task is of another year than {task}, so that the one target
    is not kept out of {task}'s pool as already in an open task of A."""
    o.planned_item = services.item_create(
        actor=w.office,
        code="SCJG-010",
        name="餐饮服务食品安全检查",
        kind="key",
        levels=["county"],
        target_kinds=["enterprise"],
        methods=["onsite"],
        checklist=["是否落实进货查验"],
    )
    o.planned_item = services.item_publish(actor=w.office, item=o.planned_item)
    services.item_claim(actor=w.a_admin, item=o.planned_item)
    services.item_claim(actor=w.b_admin, item=o.planned_item)
    for n, (dept, admin, name) in enumerate(
        [
            (w.dept_a, w.a_admin, "钱七"),
            (w.dept_a, w.a_admin, "孙八"),
            (w.dept_b, w.b_admin, "周九"),
            (w.dept_b, w.b_admin, "吴十"),
        ],
        1,
    ):
        services.inspector_create(
            actor=admin,
            department=dept,
            name=name,
            id_number=make_ric(f"130102198501{n:02d}11{n}"),
            certificate_no=f"冀执1{n:02d}",
            certificate_expiry=dt.date(2030, 12, 31),
        )
    planning.goals_from_preset(actor=w.office, preset="luquan-2026", year=2026)
    o.joint_list = planning.joint_list_save(
        actor=w.office,
        name="餐饮",
        lead=w.dept_a,
        participants=[w.dept_b],
        items=[o.planned_item],
        industries=["62"],
    )

    def task(plan, name, year, **kw):
        return planning.task_save(
            actor=w.a_admin if plan.department == w.dept_a else w.b_admin,
            plan=plan,
            name=name,
            items=[o.planned_item],
            quota_mode=QuotaMode.TOTAL,
            total=1,
            window_start=dt.date(year, 4, 1),
            window_end=dt.date(year, 6, 30),
            publish_selection_on=dt.date(year, 4, 1),
            **kw,
        )

    def publish(plan):
        planning.plan_submit(actor=w.a_admin, plan=plan)
        planning.plan_approve(actor=w.office, plan=plan)

    o.plan = planning.plan_create(actor=w.a_admin, year=2026)
    o.task = task(o.plan, "2026年餐饮服务食品安全抽查", 2026)
    publish(o.plan)
    o.plan27 = planning.plan_create(actor=w.a_admin, year=2027)
    o.joint = task(
        o.plan27,
        "餐饮行业一业一查",
        2027,
        mode=TaskMode.JOINT,
        departments=[w.dept_a, w.dept_b],
        joint_list=o.joint_list,
    )
    publish(o.plan27)
    o.milestone = planning.milestones_from_preset(actor=w.office, preset="luquan-2026", year=2026)[0]
    o.closed = _closed_task(w, o, task, publish)
    o.plan28 = planning.plan_create(actor=w.a_admin, year=2028)
    o.task28 = task(o.plan28, "2028年餐饮服务食品安全抽查", 2028)
    o.bplan = planning.plan_create(actor=w.b_admin, year=2026)
    task(o.bplan, "2026年餐饮服务卫生抽查", 2026)
    planning.plan_submit(actor=w.b_admin, plan=o.bplan)

    o.joint.refresh_from_db()
    draw = _witnessed_draw(w, o.joint)
    o.draw = draw
    o.token = draw.selections.get().token
    member = TeamMember.objects.filter(selection__draw=draw, department=w.dept_a).order_by("pk").first()
    o.recusal = draw_services.recusal_request(actor=w.a_admin, member=member, reason="曾在该企业任职")
    # {void}: the lead department asked to void the draw before its inspection began; pending
    o.void = draw_voids.void_request(actor=w.a_admin, draw=draw, reason="procedure", text="见证人身份不符")
    _build_inspection(w, o)
    # {witness}: A's 2029 task announced, a witness registered who has not committed yet
    plan29 = planning.plan_create(actor=w.a_admin, year=2029)
    task29 = task(plan29, "2029年餐饮服务食品安全抽查", 2029)
    publish(plan29)
    task29.refresh_from_db()
    draw29 = _announced(w, task29, value_in=dt.timedelta(days=1))
    _, o.witness_token = draw_witnesses.witness_invite(
        actor=w.a_admin, draw=draw29, label="见证人1", description="区纪委监委派驻纪检组干部"
    )


def _announced(w, task, value_in: dt.timedelta):
    """Announced by A's admin now, its public value to come in `value_in`."""
    return draw_services.draw_announce(
        actor=w.a_admin,
        task=task,
        draw_at=timezone.now(),
        place="三楼",
        public_value_source="福彩3D开奖号码",
        public_value_at=timezone.now() + value_in,
    )


def _witnessed_draw(w, task):
    draw = _announced(w, task, value_in=dt.timedelta(minutes=1))
    tokens = {}
    for label, number in (("见证人1", "271828"), ("见证人2", "314159")):
        _, tokens[label] = draw_witnesses.witness_invite(
            actor=w.a_admin, draw=draw, label=label, description="纪检监察干部"
        )
        draw_witnesses.witness_commit(token=tokens[label], number=number)
    for label, number in (("见证人1", "271828"), ("见证人2", "314159")):
        draw_witnesses.witness_reveal(token=tokens[label], number=number)
    drawn = draw_services.draw_run(
        actor=w.a_admin, draw=draw, public_value="372", now=draw.public_value_at + dt.timedelta(seconds=1)
    )
    return draw_services.teams_draw(actor=w.a_admin, draw=drawn)


def _closed_task(w, o, task, publish):
    """{closed}: A's 2025 task over the one target, drawn, inspected, published, so closed."""
    plan25 = planning.plan_create(actor=w.a_admin, year=2025)
    closed = task(plan25, "2025年餐饮服务食品安全抽查", 2025)
    publish(plan25)
    closed.refresh_from_db()
    sel = _witnessed_draw(w, closed).selections.get()
    m = sel.team.filter(active=True).order_by("pk").first()
    Inspector.objects.filter(pk=m.inspector_id).update(user=w.a_inspector)
    inspection.result_save(
        actor=w.a_inspector, selection=sel, item=o.planned_item, method="onsite", categories=["none_found"]
    )
    inspection.inspection_finish(actor=w.a_inspector, selection=sel, finished_on=dt.date(2025, 4, 15))
    ins = inspection.inspection_submit(actor=w.a_inspector, selection=sel)
    inspection.review_approve(actor=w.a_reviewer, inspection=ins)
    Inspector.objects.filter(user=w.a_inspector).update(user=None)  # a_inspector is linked anew below
    closed.refresh_from_db()
    assert closed.state == "closed"
    return closed


def _build_inspection(w, o):
    """The drawn target {sel}: a_inspector and b_inspector sign in as a member of their
    department's team; A's inspection {ins} is finished and submitted for review, B's not begun."""
    for user, dept in ((w.a_inspector, w.dept_a), (w.b_inspector, w.dept_b)):
        m = TeamMember.objects.filter(selection__draw=o.draw, department=dept).order_by("pk").last()
        Inspector.objects.filter(pk=m.inspector_id).update(user=user)
        user._state.fields_cache.pop("inspector", None)  # it may still hold the 2025 team's record
    o.sel = o.draw.selections.get()
    inspection.result_save(
        actor=w.a_inspector,
        selection=o.sel,
        item=o.planned_item,
        method="document",
        categories=["none_found"],
    )
    # The joint task's window is in 2027: its inspection is finished “then”.
    with mock.patch.object(inspection.timezone, "localdate", return_value=dt.date(2027, 6, 30)):
        inspection.inspection_finish(actor=w.a_inspector, selection=o.sel, finished_on=dt.date(2027, 6, 30))
    o.ins = inspection.inspection_submit(actor=w.a_inspector, selection=o.sel)


@pytest.fixture(scope="module")
def standing(django_db_setup, django_db_blocker, tmp_path_factory):
    """(world, objects, media folder), built in a transaction that wraps the whole module and is
    rolled back at its end; each test runs in a savepoint inside it (pytest-django's `db`), so
    whatever a test changes is undone before the next one. The frozen draw pool is a file: it
    is written to a media folder of the module's that every test reads from."""
    media = tmp_path_factory.mktemp("matrix-media")

    def build():
        w = _build_world()
        return (w, _build_objects(w), media)

    yield from module_standing(django_db_blocker, media, build)


@pytest.fixture
def world(standing, db, settings):
    settings.MEDIA_ROOT = standing[2]
    return standing[0]


@pytest.fixture
def objs(standing, db):
    return standing[1]


# ---- the matrix ----------------------------------------------------------------------------


_TASK_FORM = {
    "mode": "ordinary",
    "quota_mode": "ratio",
    "ratio_A": "1",
    "ratio_B": "3",
    "ratio_C": "10",
    "ratio_D": "30",
    "team_size": 2,
    "window_start": "2028-07-01",
    "window_end": "2028-09-30",
}


def _payload(url: str, user, w, o) -> dict:
    """A valid form or JSON body for each POST, so that a refusal is the permission's doing."""
    region = user.region.code if user is not None and user.department_id else w.county.code
    if url == "/planning/goals/":
        return {
            "year": 2026,
            "coverage": "5",
            "coverage_snapshot": "2025-12-31",
            "joint_task_share": "100",
            "joint_household_share": "95",
            "credit_share": "100",
            "publicity_on_time": "100",
            "followup_rate": "100",
            "source": "",
        }
    if url == "/planning/joint-lists/":
        return {
            "name": "校外培训",
            "lead": w.dept_a.pk,
            "participants": [w.dept_b.pk],
            "items": [o.planned_item.pk],
            "industries_text": "",
            "note": "",
        }
    if url == "/planning/plans/":
        return {"year": 2030}
    if url.endswith("#approve"):
        return {"action": "approve"}
    if url.endswith("#adjust"):
        return {"action": "adjust", "reason": "新增一项联合抽查任务"}
    if url.startswith("/planning/plans/{plan28}/tasks/"):
        return {"name": "2028年第二批餐饮服务抽查", "items": [o.planned_item.pk], **_TASK_FORM}
    if url == "/planning/tasks/{task}/":
        return {"reason": "与上级下派任务重复"}
    if url.endswith("/announce/"):
        return {
            "draw_at": "2026-03-02T09:00",
            "place": "区市场监管局三楼会议室",
            "public_value_source": "福彩3D开奖号码",
            "public_value_at": "2099-03-02T20:30",
            "step": "announce",  # the confirmation page's button, its box ticked
            "confirmed": "on",
        }
    if url == "/draw/{draw}/recusal/":
        # the A member without a pending request (the first has one: {recusal})
        member = TeamMember.objects.filter(selection__draw=o.draw, department=w.dept_a).order_by("pk").last()
        return {"member": member.pk, "reason": "系该企业股东的近亲属"}
    if url == "/draw/recusals/":
        return {"request": o.recusal.pk, "decision": "approve", "note": "属实"}
    if url == "/planning/workplan/#preset":
        return {"action": "preset", "p-preset": "luquan-2026", "p-year": 2026}
    if url == "/planning/workplan/#add":
        return {
            "action": "add",
            "year": 2026,
            "content": "调整领导小组成员单位",
            "unit_name": "区双随机办公室",
            "due_on": "2026-05-15",
            "due_text": "5月15日前",
            "note": "",
        }
    if url.startswith("/planning/workplan/{milestone}/#"):
        return {
            "#save": {
                "action": "save",
                "year": 2026,
                "content": "强化基础支撑",
                "unit_name": "各成员单位",
                "due_on": "2026-03-31",
                "due_text": "3月底前",
                "note": "",
            },
            "#done": {"action": "done", "done_on": "2026-03-20", "note": "已完成"},
            "#reopen": {"action": "reopen", "reason": "报送内容不全"},
            "#delete": {"action": "delete", "reason": "录入有误"},
        }[url[url.index("#") :]]
    if url == "/inspection/review/":
        return {"inspection": o.ins.pk, "action": "approve"}
    if url == "/inspection/s/{sel}/":
        prefix = f"i{o.planned_item.pk}"
        return {
            "action": "results",
            f"{prefix}-method": "document",
            f"{prefix}-categories": ["none_found"],
        }
    if url == "/inspection/checkin/{token}/":
        return {"reason": ""}
    if url.endswith("#invite"):
        return {"action": "invite", "label": "见证人9", "description": "区纪委监委派驻纪检组干部"}
    if url.endswith("/#commit") and url.startswith("/public/witness/"):
        return {"action": "commit", "number": "20290315", "number_again": "20290315"}
    if url.endswith("#void"):
        return {"action": "void", "reason": "procedure", "text": "见证人身份不符，重新抽取"}
    if url == "/draw/voids/":
        return {"request": o.void.pk, "decision": "refuse", "note": "检查已经开始，不予作废"}
    if url == "/calendar/":
        return {"year": 2027, "holidays": "2027-01-01", "workdays": "", "complete": "", "note": ""}
    if url == "/tokens/":
        return {"name": "报表脚本", "days": 30}
    if url == "/directory/targets/new/":
        return {
            "kind": "enterprise",
            "key": NEW_USCC,
            "name": "新开业便利店有限公司",
            "region": region,
            "status": "active",
            "risk_class": "",
        }
    if url == "/directory/targets/{target}/edit/":
        return {
            "name": "鹿泉区好味道餐饮有限公司",
            "region": w.county.code,
            "status": "active",
            "risk_class": "D",
        }
    if url == "/directory/targets/import/":
        csv = f"统一社会信用代码,名称,主体类型,行政区划代码\n{NEW_USCC},导入企业,企业,{region}\n"
        return {
            "file": SimpleUploadedFile("t.csv", csv.encode()),
            "template": "market",
            "mode": "create",
            "encoding": "auto",
        }
    if url == "/directory/inspectors/new/":
        return {"name": "赵六", "id_number": NEW_RIC, "certificate_no": "冀执002", "on_duty": "on"}
    if url == "/directory/inspectors/import/":
        csv = f"姓名,身份证号\n赵六,{NEW_RIC}\n"
        return {"file": SimpleUploadedFile("i.csv", csv.encode()), "mode": "create", "encoding": "auto"}
    if url == "/directory/inspectors/{inspector}/":
        return {"target_key": TARGET_USCC, "reason": "曾在该企业任职"}
    if url == "/directory/inspectors/{inspector}/edit/":
        return {
            "name": "王五",
            "certificate_no": "冀执001",
            "certificate_expiry": "2031-12-31",
            "on_duty": "on",
        }
    if url in ("/directory/items/new/", "/directory/items/{item}/edit/"):
        return {
            "code": "SCJG-003",
            "name": "食品经营许可情况的检查",
            "kind": "key",
            "levels": ["county"],
            "target_kinds": ["enterprise"],
            "methods": ["onsite"],
            "checklist": "是否取得食品经营许可证",
        }
    if url == "/directory/items/import/":
        csv = "事项编码,事项名称,检查方式\nSCJG-009,广告发布情况的检查,实地检查\n"
        return {"file": SimpleUploadedFile("items.csv", csv.encode()), "mode": "create", "encoding": "auto"}
    if url == "/directory/tags/":
        return {"library": "target", "name": "餐饮服务", "description": ""}
    if url == "/api/v1/directory/targets":
        return {"kind": "enterprise", "key": NEW_USCC, "name": "接口新增企业", "region": region}
    return {}


def _check(resp, expected):
    login = reverse("core:login")
    where = urlsplit(resp.get("Location", "")).path
    if expected == LOGIN:
        assert (resp.status_code, where) == (302, login)
    elif expected in (MOVED, REFUSED):
        assert resp.status_code == 302 and where and where != login, (resp.status_code, where)
    else:
        assert resp.status_code == expected


def _concrete(url: str, o) -> str:
    """The path to request: the objects' keys in place of the placeholders, no fragment."""
    return url.split("#")[0].format(
        target=o.target.pk,
        inspector=o.inspector.pk,
        item=o.item.pk,
        draft=o.draft.pk,
        job=o.job.pk,
        plan=o.plan.pk,
        plan27=o.plan27.pk,
        plan28=o.plan28.pk,
        bplan=o.bplan.pk,
        task=o.task.pk,
        task28=o.task28.pk,
        joint=o.joint.pk,
        draw=o.draw.public_id,
        token=o.token,
        witness=o.witness_token,
        sel=o.sel.pk,
        ins=o.ins.pk,
        milestone=o.milestone.pk,
        closed=o.closed.pk,
        grant=o.grant.pk,
        account=o.account.pk,
    )


def _row_id(row):
    actor, method, url, _ = row
    return f"{actor} {method} {url}"


@pytest.mark.parametrize("actor,method,url,expected", MATRIX, ids=[_row_id(r) for r in MATRIX])
def test_matrix(client, world, objs, actor, method, url, expected):
    user = None if actor == "anonymous" else getattr(world, actor)
    if user is not None:
        client.force_login(user)
    path = _concrete(url, objs)
    entries = AuditEntry.objects.count()
    if method == "GET":
        resp = client.get(path)
    elif path.startswith("/api/"):
        resp = client.post(path, _payload(url, user, world, objs), content_type="application/json")
    else:
        resp = client.post(path, _payload(url, user, world, objs))
    if getattr(resp, "streaming", False):
        b"".join(resp.streaming_content)
    _check(resp, expected)
    if expected in (LOGIN, UNAUTH, DENIED, HIDDEN, REFUSED) and url != "/logout/":
        assert AuditEntry.objects.count() == entries, "a refused request changed something"
    if method == "POST" and expected in (MOVED, CREATED) and not url.endswith(("/import/", "/logout/")):
        # A redirect is also how a refused action comes back; the audit entry says it happened.
        assert AuditEntry.objects.count() > entries, "the POST was accepted but changed nothing"


# ---- the table covers every URL and every actor ----------------------------------------------


PAGE_URLCONFS = [
    ("core", "/"),
    ("directory", "/directory/"),
    ("planning", "/planning/"),
    ("archive", "/planning/"),
    ("draw", "/draw/"),
    ("inspection", "/inspection/"),
    ("followup", "/followup/"),
    ("publicity", "/public/"),
    ("draw_witness", "/public/witness/"),
    ("reports", "/reports/"),
    ("triggers", "/triggers/"),
    ("warning", "/warning/"),
]


def _page_routes(namespace: str, prefix: str) -> set[str]:
    resolver = get_resolver().namespace_dict[namespace][1]
    return {prefix + str(p.pattern) for p in resolver.url_patterns if isinstance(p, URLPattern)}


def _as_route(url: str) -> str:
    """The table's URL in the urlconf's own spelling: the route it resolves to (any key will
    do for a placeholder, since a route is matched by its shape)."""
    path = re.sub(r"\{\w+\}", "1", re.split(r"[?#]", url)[0])
    return "/" + resolve(path).route


# Apps whose pages need their own standing objects keep their rows beside their tests, in the same
# spirit (literal answers for every actor) and checked there against the real pages.
APP_TABLES = [
    (url, method, answers)
    for url, method, _, answers in FOLLOWUP_ROWS + DIRECTORY_ROWS + TRIGGERS_ROWS + WATCH_ROWS
] + [(url, method, answers) for method, url, _, answers in REPORTS_ROWS + CARELESS_ROWS]


def test_every_page_url_is_in_the_matrix():
    routes = set().union(*(_page_routes(ns, prefix) for ns, prefix in PAGE_URLCONFS))
    covered = {_as_route(url) for _, _, url, _ in MATRIX if not url.startswith("/api/")}
    covered |= {_as_route(url) for url, _, _ in APP_TABLES}
    assert routes - covered == set()
    assert all(len(answers) == 10 for _, _, answers in APP_TABLES)


def test_every_api_operation_is_in_the_matrix():
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), path.replace("{target_id}", "{target}"))
        for path, ops in schema["paths"].items()
        for method in ops
    }
    covered = {(method, url) for _, method, url, _ in MATRIX if url.startswith("/api/")}
    assert operations - covered == set()


def test_every_url_has_a_row_for_every_actor():
    actors = ACTORS
    by_url: dict[tuple[str, str], list[str]] = {}
    for actor, method, url, _ in MATRIX:
        by_url.setdefault((method, url), []).append(actor)
    for key, seen in by_url.items():
        assert sorted(seen) == sorted(actors), key


# ---- API tokens and CSRF ---------------------------------------------------------------------


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _body(name="脚本新增企业"):
    return {"kind": "enterprise", "key": NEW_USCC, "name": name, "region": "130110"}


def test_personal_token_reads_and_writes_in_its_users_scope(world, objs):
    token, secret = core_services.api_token_create(actor=world.a_admin, name="报表脚本", days=30)
    c = Client(enforce_csrf_checks=True)  # a script has no session and no CSRF token
    r = c.get("/api/v1/directory/targets", **_bearer(secret))
    assert r.status_code == 200
    assert [t["key"] for t in r.json()["items"]] == [TARGET_USCC]
    token.refresh_from_db()
    assert token.last_used_at is not None
    r = c.post("/api/v1/directory/targets", _body(), content_type="application/json", **_bearer(secret))
    assert r.status_code == 201, r.content
    t = Target.objects.get(uscc=NEW_USCC)
    assert list(t.departments.all()) == [world.dept_a]
    assert AuditEntry.objects.filter(
        action="target.create", object_id=str(t.pk), actor_id=world.a_admin.pk
    ).exists()


def test_token_of_another_department_sees_its_own_scope(world, objs):
    _, secret = core_services.api_token_create(actor=world.b_admin, name="脚本")
    r = Client().get("/api/v1/directory/targets", **_bearer(secret))
    assert r.status_code == 200 and r.json() == {"items": [], "count": 0}
    assert Client().get(f"/api/v1/directory/targets/{objs.target.pk}", **_bearer(secret)).status_code == 404


def test_token_of_the_sysadmin_reads_no_directory_data(world, objs):
    _, secret = core_services.api_token_create(actor=world.sysadmin, name="脚本")
    assert Client().get("/api/v1/directory/targets", **_bearer(secret)).status_code == 403


def test_revoked_expired_unknown_and_disabled_tokens_get_401(world, objs):
    revoked, revoked_secret = core_services.api_token_create(actor=world.a_admin, name="已注销")
    core_services.api_token_revoke(actor=world.a_admin, token=revoked)
    expired, expired_secret = core_services.api_token_create(actor=world.a_admin, name="已过期", days=1)
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _, inactive_secret = core_services.api_token_create(actor=world.b_admin, name="停用账号")
    User.objects.filter(pk=world.b_admin.pk).update(is_active=False)
    c = Client()
    for secret in (revoked_secret, expired_secret, inactive_secret, "ssj_not-a-real-token"):
        assert c.get("/api/v1/directory/targets", **_bearer(secret)).status_code == 401, secret
        r = c.post("/api/v1/directory/targets", _body(), content_type="application/json", **_bearer(secret))
        assert r.status_code == 401, secret
    assert not Target.objects.filter(uscc=NEW_USCC).exists()


def test_a_token_does_not_open_the_pages(world, objs):
    _, secret = core_services.api_token_create(actor=world.a_admin, name="脚本")
    r = Client().get("/directory/targets/", **_bearer(secret))
    assert r.status_code == 302 and urlsplit(r["Location"]).path == reverse("core:login")


def test_session_post_without_csrf_token_is_refused(world, objs):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.a_admin)
    r = c.post("/api/v1/directory/targets", _body("跨站请求企业"), content_type="application/json")
    assert r.status_code == 403
    assert not Target.objects.filter(uscc=NEW_USCC).exists()
    # The same request from the app's own page, with its CSRF token, goes through.
    c.get(reverse("core:tokens"))
    r = c.post(
        "/api/v1/directory/targets",
        _body(),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value,
    )
    assert r.status_code == 201, r.content
    assert c.get("/api/v1/directory/targets").status_code == 200  # a GET needs no token


def test_page_post_without_csrf_token_is_refused(world, objs):
    c = Client(enforce_csrf_checks=True)
    c.force_login(world.a_admin)
    r = c.post("/directory/tags/", {"library": "target", "name": "跨站标签"})
    assert r.status_code == 403
    assert not AuditEntry.objects.filter(action="tag.create").exists()
