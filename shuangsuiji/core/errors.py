class DomainError(Exception):
    """A refused action. The message is Chinese, names the field or row, and says what to do."""

    def __init__(self, message: str, *, field: str | None = None, errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or []


class Forbidden(DomainError):
    """The acting user may not do this (HTTP 403)."""


class NotFound(DomainError):
    """Not there, or not in the acting user's scope (HTTP 404: scope never leaks existence)."""
