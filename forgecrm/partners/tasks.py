"""Celery entry points of partners (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task

from .operations.distribution import recall_expired_offers


@shared_task
def recall_expired_offers_task() -> int:
    """Beat: offers not accepted in time go to the next partner (safe to run twice or concurrently)."""
    return recall_expired_offers()
