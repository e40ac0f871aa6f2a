"""Commands that take ``--version V`` (a questionnaire version) instead of Django's built-in ``--version``
(which prints Django's version): the command's own option wins."""


class VersionOptionMixin:
    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)
