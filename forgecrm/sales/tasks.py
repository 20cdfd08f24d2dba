"""Celery entry points of sales (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task

from .operations.reports import refresh_sales_rollups


@shared_task(acks_late=True)
def refresh_sales_rollups_task(full: bool = False) -> dict[str, int]:
    """The sales dashboard's rollups brought up to date: the changed owners (every 5 minutes), or every owner
    (`full=True`, nightly). Idempotent: a rerun rewrites the same rows."""
    return refresh_sales_rollups(full=full)
