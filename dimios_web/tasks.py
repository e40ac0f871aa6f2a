"""Platform-level tasks."""

from celery import shared_task


@shared_task(name="dimios_web.heartbeat_task", acks_late=True)
def heartbeat_task(token: str) -> str:
    """A trivial real task: records that a worker ran it, so a test (or an operator) can see the whole path
    web → broker → worker → database work."""
    from surveys.services.audit_heartbeat import record_heartbeat

    record_heartbeat(token=token)
    return token
