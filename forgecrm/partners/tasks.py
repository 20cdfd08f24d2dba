"""Celery entry points of partners (take ids, idempotent, call operations); named `<operation>_task`."""

from celery import shared_task

from .operations.distribution import recall_expired_offers
from .operations.service_requests import flag_partner_service_sla_breaches


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


# ---- partner profiles, routing console, scorecards


@shared_task(acks_late=True)
def route_leads_in_bulk_task(job_id: int) -> None:
    """The routing console's bulk job, claimed once: a second delivery of a job already running does nothing."""
    from forgecrm.platform.models import Job

    from .operations.routing import BULK_ROUTING_JOB, run_bulk_routing

    claimed = Job.objects.filter(pk=job_id, kind=BULK_ROUTING_JOB, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING
    )
    if claimed:
        run_bulk_routing(job=Job.objects.select_related("created_by").get(pk=job_id))


@shared_task
def refresh_scorecards_task() -> int:
    """Beat: this month's partner scorecards and the performance scores routing ranks by (idempotent)."""
    from .operations.scorecards import refresh_current_scorecards

    return refresh_current_scorecards()


@shared_task
def remind_expiring_certifications_task() -> int:
    """Beat: a task for the channel manager per certification expiring within 30 days (once per certification)."""
    from .operations.profiles import remind_expiring_certifications

    return remind_expiring_certifications()


@shared_task
def flag_partner_service_sla_breaches_task() -> int:
    """Beat: mark partner service requests whose response or resolution target passed unmet (once each)."""
    return flag_partner_service_sla_breaches()
