"""What leads add to the platform registries: a search source ("lead") and the "converted from a lead" entry on
the 360° timelines of the account and contact a lead became."""

from django.urls import reverse
from django.utils.translation import gettext as _

from forgecrm.platform.access import scope_for
from forgecrm.platform.search.registry import SearchSource, register_search_source
from forgecrm.platform.timeline import TimelineEntry, register_timeline_source

from .models import Lead


def _document(lead: Lead) -> list[str]:
    return [lead.company_name, lead.person_name, lead.brn, lead.email, lead.phone, lead.mobile, lead.industry]


register_search_source(
    SearchSource(
        entity="lead",
        model=Lead,
        document=_document,
        title=lambda lead: str(lead),
        subtitle=lambda lead: " · ".join(filter(None, [lead.get_status_display(), lead.email, lead.sido])),
        url=lambda lead: reverse("sales:lead-detail", args=[lead.pk]),
    )
)


def _lead_entries(actor, subject_kind: str, subject_id: int, limit: int) -> list[TimelineEntry]:
    field = "converted_account_id" if subject_kind == "account" else "converted_contact_id"
    leads = (
        scope_for(actor, Lead)
        .filter(**{field: subject_id}, converted_at__isnull=False)
        .select_related("converted_by")
        .order_by("-converted_at")[:limit]
    )
    return [
        TimelineEntry(
            at=lead.converted_at,  # type: ignore[arg-type]  # filtered on not null
            kind="sales.lead_converted",
            title=_("Converted from lead %(name)s") % {"name": str(lead)},
            summary=lead.get_source_display(),
            url=reverse("sales:lead-detail", args=[lead.pk]),
            icon="arrow-big-right-lines",
            actor=str(lead.converted_by or ""),
        )
        for lead in leads
    ]


register_timeline_source("sales.leads", _lead_entries)
