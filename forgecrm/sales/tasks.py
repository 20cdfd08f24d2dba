"""Celery entry points of sales (take ids, idempotent, call operations); named `<operation>_task`."""

import datetime as dt

from celery import shared_task


@shared_task(acks_late=True)
def compute_commission_statements_task(period_kind: str, period_start: str, user_ids: list[int] | None = None) -> int:
    """Compute the statements of a period (ISO date of its first day). Safe to run again or after a crash: drafts
    are recomputed in place, approved and paid statements are left as they are. Returns how many it touched."""
    from .operations.commissions import compute_commission_statements

    statements = compute_commission_statements(
        actor=None, period_kind=period_kind, period_start=dt.date.fromisoformat(period_start), user_ids=user_ids
    )
    return len(statements)
