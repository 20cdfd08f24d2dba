"""Celery entry points of sales (take ids, idempotent, call operations); named `<operation>_task`."""

import datetime as dt

from celery import shared_task

from .operations.reports import refresh_sales_rollups

# ---- leads


@shared_task
def score_leads_task(lead_ids: list[int] | None = None) -> int:
    """Re-score the given leads (all open leads when None): the same numbers however often it runs."""
    from .models import OPEN_LEAD_STATUSES, Lead
    from .operations.lead_scoring import score_leads

    queryset = (
        Lead.objects.filter(pk__in=lead_ids)
        if lead_ids is not None
        else Lead.objects.filter(status__in=OPEN_LEAD_STATUSES)
    )
    done = 0
    batch: list[Lead] = []
    for lead in queryset.select_related("product_line").order_by("pk").iterator(chunk_size=1000):
        batch.append(lead)
        if len(batch) == 1000:
            done += len(score_leads(leads=batch))
            batch = []
    if batch:
        done += len(score_leads(leads=batch))
    return done


@shared_task
def train_lead_score_model_task(rescore: bool = True) -> int | None:
    """Train the conversion model on decided leads (when there are enough) and re-score the open ones.
    Training on the same history gives the same model (fixed seed); returns the new model's id."""
    from .operations.lead_scoring import train_lead_score_model

    model = train_lead_score_model()
    if model is not None and rescore:
        score_leads_task(None)
    return getattr(model, "pk", None)


@shared_task
def expire_quotes_task() -> int:
    """Offers out past their validity date become expired (daily, from beat)."""
    from .operations.quoting import expire_quotes

    return expire_quotes()


@shared_task(acks_late=True)
def compute_commission_statements_task(period_kind: str, period_start: str, user_ids: list[int] | None = None) -> int:
    """Compute the statements of a period (ISO date of its first day). Safe to run again or after a crash: drafts
    are recomputed in place, approved and paid statements are left as they are. Returns how many it touched."""
    from .operations.commissions import compute_commission_statements

    statements = compute_commission_statements(
        actor=None, period_kind=period_kind, period_start=dt.date.fromisoformat(period_start), user_ids=user_ids
    )
    return len(statements)


@shared_task(acks_late=True)
def refresh_sales_rollups_task(full: bool = False) -> dict[str, int]:
    """The sales dashboard's rollups brought up to date: the changed owners (every 5 minutes), or every owner
    (`full=True`, nightly). Idempotent: a rerun rewrites the same rows."""
    return refresh_sales_rollups(full=full)
