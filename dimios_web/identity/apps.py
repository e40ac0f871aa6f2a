from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    # Under dimios_web/ since issue 13; the label keeps its tables, migrations and permissions.
    name = "dimios_web.identity"
    label = "identity"
    verbose_name = _("Staff identity")

    def ready(self) -> None:
        # allauth announces MFA changes only through signals; the receivers record them in the audit log.
        from . import receivers  # noqa: F401
