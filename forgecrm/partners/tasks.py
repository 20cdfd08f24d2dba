"""Celery entry points of partners (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task

from .operations.distribution import recall_expired_offers


@shared_task
def recall_expired_offers_task() -> int:
    """Beat: offers not accepted in time go to the next partner (safe to run twice or concurrently)."""
    return recall_expired_offers()


@shared_task
def remind_expiring_deal_registrations_task() -> dict[str, int]:
    """Beat: remind each registrant once before its exclusivity ends, then expire the registrations past it
    (both idempotent: a registration is reminded and expired at most once)."""
    from .operations.registrations import expire_deal_registrations, remind_expiring_deal_registrations

    return {"reminded": remind_expiring_deal_registrations(), "expired": expire_deal_registrations()}
