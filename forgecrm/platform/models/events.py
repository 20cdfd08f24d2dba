from django.db import models


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change; dispatched after commit by a task."""

    event_type = models.CharField(max_length=80, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
