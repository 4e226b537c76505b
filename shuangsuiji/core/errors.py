from django.core.exceptions import BadRequest


class Refusal(Exception):
    """Something the platform will not do; the message is Chinese, names the field or row, and
    says what to do next."""

    def __init__(self, message: str, *, field: str | None = None, errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or []


class DomainError(Refusal):
    """Bad input or a wrong state: the page shows the message and the user corrects it."""


class Forbidden(Refusal):
    """The acting user may not do this (HTTP 403). Not a DomainError: a view that shows domain
    errors as messages must never turn a refusal of permission into an ordinary message."""


class NotFound(Refusal):
    """Not there, or not in the acting user's scope (HTTP 404: scope never leaks existence)."""


class BadInput(Refusal, BadRequest):
    """A malformed or out-of-range value in a query string or a form field (a non-numeric id, a
    page number past 64 bits): a 400 page naming the field (core.views.bad_request), never a
    500 from the database. Not a DomainError: it is raised before any rule is checked, so no
    view's `except DomainError` turns it into a message above an unchanged page."""
