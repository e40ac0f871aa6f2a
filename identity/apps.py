from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Staff identity")

    def ready(self) -> None:
        # allauth announces MFA changes only through signals; the receivers record them in the audit log.
        from . import receivers  # noqa: F401
