"""Domain errors carry a translatable message for the user and, optionally, the form field it concerns."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def add_domain_error_to_form(form, error: DomainError) -> None:
    """Show a service's refusal on the form it came from, on the field it names when the form has it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
