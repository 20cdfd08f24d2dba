"""Activities on the accounts, written in bulk: the owner's own work, service visits, and what partners logged."""

import dataclasses
import datetime as dt
import random

from forgecrm.activities.models import Activity

from ..generators.activities import Regarding, activity
from ..generators.draws import pick
from ..scales import Scale
from .bulk import TableWriter, history_rows
from .customers import TICK, CustomerBook
from .organisation import Organisation
from .progress import Progress

# How much each kind of account is worked on, relative to a small company customer.
_WEIGHT = {("partner", "company"): 3.0, ("customer", "company"): 2.0, ("prospect", "company"): 1.5}
_HOUSEHOLD_WEIGHT = 0.5
_COMPETITOR_WEIGHT = 0.2
PARTNER_LOGGED = 0.2  # share of the activities on a partner-served account that the partner's users logged
SERVICE_LOGGED = 0.08  # share done by the service desk (visits, calls) rather than the account owner


def _weight(kind: str, form: str) -> float:
    if kind == "competitor":
        return _COMPETITOR_WEIGHT
    if form == "household":
        return _HOUSEHOLD_WEIGHT
    return _WEIGHT.get((kind, form), 1.0)


def seed_activities(
    *,
    org: Organisation,
    book: CustomerBook,
    rng: random.Random,
    scale: Scale,
    today: dt.date,
    progress: Progress,
) -> int:
    """`scale.activities` activities spread over the accounts by how much each is worked on."""
    writer = TableWriter(Activity)
    history = TableWriter(Activity.history.model) if scale.history else None
    facts = book.accounts
    weights = [_weight(account.kind, account.form) for account in facts]
    counts = [0] * len(facts)
    for index in rng.choices(range(len(facts)), weights=weights, k=scale.activities):
        counts[index] += 1
    rows: list[dict] = []
    progress.begin("activities")

    def flush() -> None:
        writer.write(rows)
        if history:
            history.write(dict(row, history_id=history.next_id()) for row in history_rows(Activity, rows))
        progress.advance("activities", len(rows))
        rows.clear()

    for account, count in zip(facts, counts, strict=True):
        if not count:
            continue
        own = Regarding(
            account_id=account.id,
            first_contact_id=account.first_contact_id,
            contacts=account.contacts,
            owner_id=account.owner_id,
            household=account.form == "household",
            since=account.created,
        )
        partner_users = book.portal_user_ids.get(account.partner_id or 0, [])
        for _ in range(count):
            draw = rng.random()
            about = own
            if partner_users and draw < PARTNER_LOGGED:
                about = dataclasses.replace(own, owner_id=pick(rng, partner_users))
            elif draw > 1 - SERVICE_LOGGED:
                about = dataclasses.replace(own, owner_id=pick(rng, org.service_user_ids))
            row = activity(rng, about, today=today)
            row["id"] = writer.next_id()
            # Headquarters shares a part of its own work on partner-served accounts with the partner.
            row["visible_to_partner"] = bool(partner_users) and about is own and rng.random() < 0.3
            rows.append(row)
            if len(rows) >= TICK * 4:
                flush()
    # Each rep's own to-dos and jottings, about no account.
    for owner_id in org.sales_rep_ids:
        mine = Regarding(None, 0, 0, owner_id, household=False, since=today - dt.timedelta(days=90))
        for kind in ("task", "task", "note"):
            row = activity(rng, mine, today=today, kind=kind)
            row["id"] = writer.next_id()
            rows.append(row)
    if rows:
        flush()
    return writer.written
