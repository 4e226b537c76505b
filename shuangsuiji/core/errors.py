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
