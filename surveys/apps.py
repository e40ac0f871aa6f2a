from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Organisations and surveys")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .services.responding import forget_prepared_saves

        connection_created.connect(forget_prepared_saves, dispatch_uid="surveys.forget_prepared_saves")
