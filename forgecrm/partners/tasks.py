"""Celery entry points of partners (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task

from .operations.distribution import recall_expired_offers
from .operations.service_requests import flag_partner_service_sla_breaches


@shared_task
def recall_expired_offers_task() -> int:
    """Beat: offers not accepted in time go to the next partner (safe to run twice or concurrently)."""
    return recall_expired_offers()


@shared_task
def flag_partner_service_sla_breaches_task() -> int:
    """Beat: mark partner service requests whose response or resolution target passed unmet (once each)."""
    return flag_partner_service_sla_breaches()
