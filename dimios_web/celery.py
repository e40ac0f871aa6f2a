"""The Celery application. Tasks are discovered in each app's ``tasks`` module and in dimios_web.tasks.

Without a broker (``REDIS_URL`` / ``CELERY_BROKER_URL`` unset) tasks run eagerly in-process; see
``CELERY_TASK_ALWAYS_EAGER`` in settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dimios_web.settings")

app = Celery("dimios_web")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["dimios_web"])
