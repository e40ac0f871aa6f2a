"""Commands that take ``--version V`` (a questionnaire version) instead of Django's built-in ``--version``
(which prints Django's version): the command's own option wins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.management.base import BaseCommand, CommandParser

    _Base = BaseCommand
else:
    _Base = object


class VersionOptionMixin(_Base):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)
