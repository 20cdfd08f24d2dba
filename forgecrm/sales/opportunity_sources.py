"""Opportunities in the global search and on the 360° timeline of an account or contact."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from forgecrm.platform.search import SearchSource, register_search_source
from forgecrm.platform.timeline import TimelineEntry, register_timeline_source

from .models import Opportunity
from .queries.opportunities import timeline_opportunities_for


# Neither the document nor the subtitle names the account: a rep may see a deal (its territory) without its account.
def _document(opportunity: Opportunity) -> list[str]:
    return [opportunity.name, opportunity.external_id]


def _subtitle(opportunity: Opportunity) -> str:
    return " · ".join([str(opportunity.stage), date_format(opportunity.close_date)])


register_search_source(
    SearchSource(
        entity="opportunity",
        model=Opportunity,
        document=_document,
        title=lambda opportunity: opportunity.name,
        subtitle=_subtitle,
        url=lambda opportunity: reverse("sales:opportunity-detail", args=[opportunity.pk]),
        select_related=("stage",),
    )
)


def _icon(opportunity: Opportunity) -> str:
    if opportunity.stage.is_won:
        return "trophy"
    if opportunity.stage.is_lost:
        return "circle-x"
    return "briefcase"


def opportunity_timeline(actor, subject_kind: str, subject_id: int, limit: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=row.closed_at or row.created_at,
            kind="opportunity",
            title=row.name,
            summary=_("%(stage)s · %(amount)s · close %(date)s")
            % {"stage": row.stage, "amount": row.amount, "date": date_format(row.close_date)},
            url=reverse("sales:opportunity-detail", args=[row.pk]),
            icon=_icon(row),
            actor=str(row.owner),
        )
        for row in timeline_opportunities_for(actor, subject_kind, subject_id, limit)
    ]


register_timeline_source("opportunities", opportunity_timeline)
