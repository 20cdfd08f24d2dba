"""The whole demo load, stage by stage, in one transaction: either all of it is there or none of it."""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from forgecrm.activities.models import Activity
from forgecrm.catalog.models import PriceListItem, Product
from forgecrm.customers.models import Account, Consent, Contact
from forgecrm.partners.models import DealRegistration
from forgecrm.platform.models import User
from forgecrm.sales.models import CommissionStatement, ForecastSubmission, Lead, Opportunity, Quota, Quote, SalesOrder

from ..scales import Scale
from .activities import seed_activities
from .catalog import seed_catalog
from .customers import seed_customers
from .organisation import DEMO_DOMAIN, seed_headquarters
from .partners_channel import seed_partners_channel
from .partners_deals import seed_deal_registrations
from .partners_funds import seed_partner_funds
from .partners_portal import seed_partner_portal
from .partners_quotes import seed_partner_quotes
from .partners_sell_through import seed_partner_sell_through
from .progress import Progress
from .sales import Sink, seed_opportunities, seed_pipeline_settings
from .sales_history import seed_commissions, seed_lead_settings, seed_leads, seed_planning, seed_sales_activities
from .search import SearchFeed


@dataclass
class Summary:
    scale: str
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_present() -> bool:
    """Whether demo data is already loaded (its administrator exists)."""
    return User.objects.filter(email=f"admin@{DEMO_DOMAIN}").exists()


def rngs(seed: int) -> Callable[[str], random.Random]:
    """An independent random stream per part, so that a change in one part leaves the others' rows alone."""
    return lambda part: random.Random(f"forgecrm-demo/{seed}/{part}")  # nosec B311  # reproducible demo data, not security


def seed_sales(*, org, book, rng_for, scale: Scale, today: dt.date, progress: Progress) -> None:
    """Issue 5's sales history on top of the accounts and the catalogue: deals, documents, leads, plans."""
    seed_pipeline_settings(org=org)
    seed_lead_settings(org=org, rng=rng_for("lead-settings"))
    progress.stage("opportunities", scale.opportunities)
    sales = seed_opportunities(
        org=org, book=book, rng=rng_for("opportunities"), scale=scale, today=today, progress=progress
    )
    converted = sum(1 for deal in sales.deals if deal.from_lead)
    progress.stage("leads", scale.leads + converted)
    seed_leads(org=org, book=book, sales=sales, rng=rng_for("leads"), scale=scale, today=today, progress=progress)
    progress.stage("planning", 2)
    plan, months = seed_planning(
        org=org, sales=sales, rng=rng_for("planning"), scale=scale, today=today, progress=progress
    )
    progress.stage("commissions", 1)
    seed_commissions(
        org=org,
        sales=sales,
        plan=plan,
        months=months,
        rng=rng_for("commissions"),
        scale=scale,
        today=today,
        progress=progress,
    )
    progress.stage("sales activities", len(sales.deals))
    seed_sales_activities(
        book=book, sales=sales, rng=rng_for("sales-activities"), scale=scale, today=today, progress=progress
    )


def seed_demo(*, scale: Scale, seed: int, progress: Progress | None = None, today: dt.date | None = None) -> Summary:
    """Load the demo data set of `scale`; the same `seed` gives the same names, numbers and addresses."""
    progress = progress or Progress()
    today = today or timezone.localdate()
    rng_for = rngs(seed)
    started = time.monotonic()
    progress.stage("organisation", 1)
    progress.stage("partners", scale.partners)
    progress.stage("accounts", scale.accounts)
    progress.stage("contacts", scale.contacts)
    progress.stage("catalog", 1)
    with transaction.atomic():
        progress.begin("organisation")
        org = seed_headquarters(rng=rng_for("headquarters"), scale=scale)
        progress.stage("activities", scale.activities + 3 * len(org.sales_rep_ids))
        progress.advance("organisation", 1)
        search = SearchFeed()
        book = seed_customers(org=org, rng_for=rng_for, scale=scale, progress=progress, today=today, search=search)
        distributors = list(Account.objects.filter(partner_type="distributor").order_by("pk"))
        progress.begin("catalog")
        seed_catalog(org=org, rng=rng_for("catalog"), today=today, distributors=distributors, history=scale.history)
        progress.advance("catalog", 1)
        seed_activities(org=org, book=book, rng=rng_for("activities"), scale=scale, today=today, progress=progress)
        seed_sales(org=org, book=book, rng_for=rng_for, scale=scale, today=today, progress=progress)
        seed_partners_channel(org=org, rng=rng_for("partners-channel"), today=today)
        seed_deal_registrations(org=org, book=book, rng=rng_for("deal-registrations"), today=today)
        seed_partner_portal()
        partner_funds = seed_partner_funds(org=org, partner_ids=book.partner_ids, rng=rng_for("mdf"), today=today)
        # Partners' quotes and orders and the sell-in orders share one sink: one insert per sales table.
        channel_orders = Sink(history=True)
        seed_partner_quotes(book=book, sink=channel_orders, rng=rng_for("partner-quotes"), today=today)
        sell_through = seed_partner_sell_through(
            partner_ids=book.partner_ids, rng=rng_for("sell-through"), today=today, sink=channel_orders
        )
        channel_orders.flush()
        search.finish(progress)
    summary = Summary(scale=scale.name, seed=seed, seconds=time.monotonic() - started)
    summary.counts = {
        "users": User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count(),
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "consents": Consent.objects.count(),
        "products": Product.objects.count(),
        "price list items": PriceListItem.objects.count(),
        "activities": Activity.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "quotes": Quote.objects.count(),
        "sales orders": SalesOrder.objects.count(),
        "leads": Lead.objects.count(),
        "quotas": Quota.objects.count(),
        "forecast submissions": ForecastSubmission.objects.count(),
        "commission statements": CommissionStatement.objects.count(),
        "deal registrations": DealRegistration.objects.count(),
        **partner_funds,
        **sell_through,
    }
    return summary
