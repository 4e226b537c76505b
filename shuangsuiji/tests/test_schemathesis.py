"""Every operation of /api/v1, fuzzed from its own OpenAPI schema (issue 14: no input makes a
5xx, and every status an operation answers is declared in the schema).

Schemathesis calls the Django app in process through WSGI, so each generated call runs inside
the test's transaction (pytest-django's `db`) and whatever it writes is rolled back after the
operation's test. The run is bounded and derandomized: 40 generated cases per operation after
schemathesis's boundary cases, the same on every run, on SQLite and PostgreSQL alike (about 15 s)."""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shuangsuiji.core import services as core_services

# The standing world of the permission matrix: two departments' targets, a published draw and
# results, so that reads return rows and ids of another department's objects exist.
from shuangsuiji.core.tests import test_permission_matrix as matrix

standing, world, objs = matrix.standing, matrix.world, matrix.objs

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = hypothesis.settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure is a failure, never a flake
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


def test_every_operation_declares_its_error_answers():
    """The shared declaration (shuangsuiji/api.py ERROR_ANSWERS) reaches every operation."""
    paths = schema.raw_schema["paths"]
    assert len(paths) >= 6  # the schema was read, not an empty one
    for path, operations in paths.items():
        for method, op in operations.items():
            codes = set(op["responses"])
            signed_in = bool(op.get("security"))
            assert {"401", "403"} <= codes if signed_in else not {"401", "403"} & codes, (method, path)
            assert "422" in codes or not (op.get("parameters") or op.get("requestBody")), (method, path)
            assert "404" in codes or "{" not in path, (method, path)


@schema.parametrize()
@BOUNDED
def test_api_anonymous(case, world, objs):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_api_with_a_department_admins_token(case, world, objs, _a_admin_token):
    response = case.call_and_validate(checks=CHECKS, headers={"Authorization": f"Bearer {_a_admin_token}"})
    assert response.status_code != 401  # the generated calls are made as the admin, not refused at the door


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction():
    """Django closes the database connection when a request ends; its test client stops that
    for its requests, and so must these (WSGI calls through werkzeug), or the first call would
    end the test's transaction on PostgreSQL."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def _a_admin_token(world):
    _, secret = core_services.api_token_create(actor=world.a_admin, name="模糊测试", days=1)
    return secret
