"""Celery entry points of sales (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task


@shared_task
def expire_quotes_task() -> int:
    """Offers out past their validity date become expired (daily, from beat)."""
    from .operations.quoting import expire_quotes

    return expire_quotes()
