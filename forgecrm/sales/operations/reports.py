"""Keeping the sales dashboard's rollups (models/rollups.py) equal to the live opportunities.

A system job, not a user's action (no actor, no rule): Celery beat runs the incremental refresh every few
minutes and a full rebuild nightly (`tasks.refresh_sales_rollups_task`). Both rebuild whole owners: every rollup
row of an owner is deleted and written again from that owner's opportunities in one transaction, so a rerun
writes the same rows (idempotent) and a reader never sees half an owner.

The incremental refresh finds the owners to rebuild from what changed since the last mark (minus an overlap of
a few minutes, harmless since a rebuild is idempotent): opportunities updated since (their owner now), their
history rows since (owner changes and deletions: every owner any of those deals has had), so a deal moved from
one rep to another leaves neither rep's figures stale.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ..models import Opportunity, SalesRollup, SalesRollupState

OVERLAP = dt.timedelta(minutes=5)
OWNERS_PER_BATCH = 200
CLOSED = Q(stage__is_won=True) | Q(stage__is_lost=True)


def _weighted() -> ExpressionWrapper:
    return ExpressionWrapper(F("amount") * F("probability"), output_field=DecimalField(max_digits=24, decimal_places=2))


def rollup_rows_for(queryset) -> list[SalesRollup]:
    """The rollup rows of some opportunities (unsaved): two grouped queries, closed deals by the local month
    of `closed_at`, open ones (and closed ones without a close time) by the month of `close_date`."""
    fields = ("owner_id", "stage_id", "product_line_id", "month", "amount_currency")
    closed_by_time = queryset.filter(CLOSED, closed_at__isnull=False)
    by_date = queryset.exclude(pk__in=closed_by_time.values("pk"))
    rows: dict[tuple, SalesRollup] = {}
    for part, column in ((closed_by_time, "closed_at"), (by_date, "close_date")):
        grouped = (
            part.annotate(month=TruncMonth(column))
            .values(*fields, "stage__is_won", "stage__is_lost")
            .annotate(n=Count("id"), total=Sum("amount"), basis=Sum(_weighted()))
            .order_by()
        )
        for row in grouped:
            month = row["month"]
            if isinstance(month, dt.datetime):
                month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
            key = (row["owner_id"], row["stage_id"], row["product_line_id"], month, row["amount_currency"])
            rollup = rows.get(key)
            if rollup is None:
                rollup = rows[key] = SalesRollup(
                    owner_id=key[0],
                    stage_id=key[1],
                    product_line_id=key[2],
                    month=month,
                    currency=key[4],
                    is_closed=row["stage__is_won"] or row["stage__is_lost"],
                    count=0,
                    amount=Decimal(0),
                    weighted_basis=Decimal(0),
                )
            rollup.count += row["n"]
            rollup.amount += row["total"] or Decimal(0)
            rollup.weighted_basis += row["basis"] or Decimal(0)
    return list(rows.values())


def rebuild_owners(owner_ids: Iterable[int]) -> int:
    """Rewrite every rollup row of these owners from their opportunities; returns the rows written."""
    owner_ids = sorted(set(owner_ids))
    written = 0
    for start in range(0, len(owner_ids), OWNERS_PER_BATCH):
        batch = owner_ids[start : start + OWNERS_PER_BATCH]
        with transaction.atomic():
            SalesRollup.objects.filter(owner_id__in=batch).delete()
            rows = rollup_rows_for(Opportunity.objects.filter(owner_id__in=batch))
            SalesRollup.objects.bulk_create(rows, batch_size=2000)
            written += len(rows)
    return written


def _state() -> SalesRollupState:
    state = SalesRollupState.objects.select_for_update().order_by("pk").first()
    return state or SalesRollupState.objects.create()


def owners_changed_since(since: dt.datetime) -> set[int]:
    """Owners whose figures may have moved since `since`: owners of deals updated since, and every owner the
    deals with history rows since (owner changes, deletions) have ever had."""
    history = Opportunity.history.model  # type: ignore[attr-defined]
    owners = set(Opportunity.objects.filter(updated_at__gte=since).values_list("owner_id", flat=True).distinct())
    changed = history.objects.filter(history_date__gte=since).values("id")
    owners |= set(history.objects.filter(id__in=changed).values_list("owner_id", flat=True).distinct())
    owners.discard(None)
    return owners


def refresh_sales_rollups(*, full: bool = False, now: dt.datetime | None = None) -> dict[str, int]:
    """Bring the rollups up to date: every owner when `full` (or the first time), else the changed owners only.
    Returns {"owners": how many owners were rebuilt, "rows": rollup rows written}."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _state()
        since = state.refreshed_at
    if full or since is None:
        owners = set(Opportunity.objects.values_list("owner_id", flat=True).distinct())
        owners |= set(SalesRollup.objects.values_list("owner_id", flat=True).distinct())
    else:
        owners = owners_changed_since(since - OVERLAP)
    rows = rebuild_owners(owners)
    with transaction.atomic():
        state = _state()
        state.refreshed_at = now
        if full or since is None:
            state.full_refreshed_at = now
        state.owners_refreshed = len(owners)
        state.save()
    return {"owners": len(owners), "rows": rows}
