"""The whole path web → Redis → a real Celery worker process → the database works."""

import uuid

import pytest

from surveys.models import AuditEvent
from tests.conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.redis, pytest.mark.postgres]


def test_a_task_sent_through_redis_runs_on_a_real_worker(celery_worker):
    from dimios_web.tasks import heartbeat_task

    token = uuid.uuid4().hex
    heartbeat_task.delay(token)
    wait_for(
        lambda: AuditEvent.objects.filter(action="worker.heartbeat", target=token).exists(),
        timeout=30,
        message=f"the worker did not run the task; its log:\n{celery_worker.log()}",
    )
    assert "dimios_web.heartbeat_task" in celery_worker.log()


def test_a_task_delivered_twice_leaves_one_row(celery_worker):
    from dimios_web.tasks import heartbeat_task

    token = uuid.uuid4().hex
    heartbeat_task.delay(token)
    heartbeat_task.delay(token)
    wait_for(
        lambda: celery_worker.log().count(f"'{token}'") >= 2 or celery_worker.log().count(token) >= 4,
        timeout=30,
        message=celery_worker.log(),
    )
    assert AuditEvent.objects.filter(action="worker.heartbeat", target=token).count() == 1


def test_without_a_broker_tasks_run_eagerly_in_process(db, settings):
    """`make run`'s embedded default: no Redis, the task runs at once in the web process."""
    from dimios_web.celery import app
    from dimios_web.tasks import heartbeat_task

    assert app.conf.task_always_eager is True
    token = uuid.uuid4().hex
    heartbeat_task.delay(token)
    assert AuditEvent.objects.filter(action="worker.heartbeat", target=token).count() == 1
