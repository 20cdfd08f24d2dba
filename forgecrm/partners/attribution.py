"""How leads, the opportunities they became and MDF money are attributed to a marketing programme.

There is no campaign record yet (the marketing app is not written), so a programme is what the lead itself
says, as Salesforce's "primary campaign source" would: its source and source detail (the web form's name, the
import's 캠페인 column, the API's `source_detail`). A lead whose source detail is an MDF request's number
(`MDF-2026-00012`) belongs to that partner's MDF activity, and the activity's paid claim is the programme's
cost. The opportunity a lead was converted into inherits the lead's programme (its `source_lead`)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce, Trim, Upper

from forgecrm.sales.models import Opportunity

from .models import MdfRequest, MdfRequestStatus

ZERO = Decimal(0)
# MDF activities whose return a scorecard month counts: those paid in the twelve months up to the month's end.
# A manufacturer's deals close months after the trade show or seminar that found them, so one month would
# show the cost without its return.
ROI_WINDOW_MONTHS = 12


def programme_key(source: str, source_detail: str) -> tuple[str, str]:
    """One programme whatever the spelling: `mdf-2026-00012 ` and `MDF-2026-00012` are the same activity."""
    return source or "", mdf_number_of(source_detail)


def mdf_number_of(source_detail: str) -> str:
    """The MDF request number a source detail names, in the numbering's spelling (or the detail itself)."""
    return (source_detail or "").strip().upper()


def folded_detail(path: str = "source_detail"):
    """The database's spelling of `mdf_number_of`, to compare a lead's source detail with MDF numbers."""
    return Upper(Trim(path))


@dataclass
class MdfReturn:
    paid: Decimal = ZERO  # MDF paid out for the partner's activities in the window
    activities: int = 0
    won_amount: Decimal = ZERO  # won (KRW) on opportunities from those activities' leads
    won_deals: int = 0

    @property
    def ratio(self) -> Decimal | None:
        """Won business per won of MDF paid; None without MDF paid."""
        if not self.paid:
            return None
        return (self.won_amount / self.paid).quantize(Decimal("0.01"))


def paid_mdf_activities(requests: QuerySet[MdfRequest], since: dt.datetime, until: dt.datetime) -> QuerySet:
    """The MDF requests of `requests` paid in [since, until), with the amount paid (KRW)."""
    return requests.filter(
        status=MdfRequestStatus.PAID,
        currency="KRW",
        claim__paid_at__gte=since,
        claim__paid_at__lt=until,
    )


def mdf_returns(
    requests: QuerySet[MdfRequest], opportunities: QuerySet[Opportunity], since: dt.datetime, until: dt.datetime
) -> dict[int, MdfReturn]:
    """Per partner: MDF paid in [since, until) for its activities and the won business (closed won before
    `until`, KRW) of the opportunities converted from those activities' leads. Two queries whatever the number
    of partners; the caller decides the rows (scoped for a person, every row for the scorecard beat)."""
    paid = paid_mdf_activities(requests, since, until)
    numbers: dict[str, int] = {}
    result: dict[int, MdfReturn] = defaultdict(MdfReturn)
    for number, partner_id, amount in paid.values_list("number", "partner_id", "claim__claimed_amount"):
        numbers[mdf_number_of(number)] = partner_id
        row = result[partner_id]
        row.paid += amount or ZERO
        row.activities += 1
    if not numbers:
        return dict(result)
    won = (
        opportunities.alias(detail=folded_detail("source_lead__source_detail"))
        .filter(stage__is_won=True, closed_at__lt=until, amount_currency="KRW", detail__in=paid.values("number"))
        .values("source_lead__source_detail")
        .annotate(amount=Coalesce(Sum("amount"), ZERO), deals=Count("pk"))
    )
    for item in won:
        partner_id = numbers.get(mdf_number_of(item["source_lead__source_detail"]))
        if partner_id is not None:
            result[partner_id].won_amount += Decimal(item["amount"])
            result[partner_id].won_deals += item["deals"]
    return dict(result)
