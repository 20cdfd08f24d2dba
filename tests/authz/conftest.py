"""The authorization matrix's world: one set of users and records, built once per test module.

Every record carries a marker (`ZQX<key>Q`) in its name, so a response body can be searched for what it must
and must not contain. The keys are the ones `policy.yaml` names; the expected outcomes come from that table.

The world is built inside an outer transaction held open for the module (each test then runs in a savepoint
that pytest-django rolls back), so a cell's writes never leak into the next cell, and the module leaves nothing
behind.
"""

import datetime as dt
import tempfile
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import override_settings
from djmoney.money import Money

POLICY_PATH = Path(__file__).with_name("policy.yaml")


def marker(key: str) -> str:
    return f"ZQX{key}Q"


def load_policy() -> dict:
    return yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))


class World(dict):
    """key -> model instance (users under their role key, records under their policy key)."""


def _build(world: World) -> None:
    from forgecrm.activities.models import Activity, ActivityKind
    from forgecrm.activities.operations import add_attachment
    from forgecrm.catalog.models import LifecycleStatus
    from forgecrm.catalog.tests.factories import (
        OptionFactory,
        OptionGroupFactory,
        OptionRuleFactory,
        PartnerProductNumberFactory,
        PriceListFactory,
        PriceListItemFactory,
        PriceTierFactory,
        ProductFactory,
        ProductLineFactory,
    )
    from forgecrm.customers.models import AccountKind
    from forgecrm.customers.tests.factories import AccountFactory, ContactFactory, PartnerAccountFactory
    from forgecrm.platform.models import Job, Role
    from forgecrm.platform.operations import set_manager
    from forgecrm.platform.search import index_objects
    from forgecrm.platform.tests.factories import TeamFactory, TerritoryFactory, UserFactory

    def user(key, role, **extra):
        world[key] = UserFactory(role=role, full_name=marker(key), email=f"{key}@authz.example", **extra)
        return world[key]

    # Internal users: a manager over the rep; another rep outside that subtree owns the "foreign" records.
    for key, role in [
        ("admin", Role.ADMIN),
        ("sales_manager", Role.SALES_MANAGER),
        ("sales_rep", Role.SALES_REP),
        ("service_manager", Role.SERVICE_MANAGER),
        ("service_agent", Role.SERVICE_AGENT),
        ("marketing", Role.MARKETING),
        ("channel_manager", Role.CHANNEL_MANAGER),
        ("other_rep", Role.SALES_REP),
    ]:
        user(key, role)
    set_manager(actor=None, user=world["sales_rep"], manager=world["sales_manager"])
    world["sales_rep"].refresh_from_db()
    other = world["other_rep"]

    def account(key, factory=AccountFactory, **extra):
        extra.setdefault("owner", other)
        world[key] = factory(name=marker(key), **extra)
        return world[key]

    # Partners: distributor A with dealer A1 under it; partner B (tier "gold") a sibling of A.
    account("distributor_a", PartnerAccountFactory, partner_type="distributor", tier="silver")
    account(
        "dealer_a", PartnerAccountFactory, partner_type="dealer", tier="silver", channel_parent=world["distributor_a"]
    )
    account("partner_b", PartnerAccountFactory, partner_type="distributor", tier="gold")
    # Customers and the rest.
    account("acc_rep", owner=world["sales_rep"])
    account("acc_rep2", owner=world["sales_rep"])
    account("acc_other")
    account("acc_served_a", partner=world["distributor_a"])
    account("acc_served_dealer", partner=world["dealer_a"])
    account("acc_served_b", partner=world["partner_b"])
    account("competitor", kind=AccountKind.COMPETITOR)

    user("partner_a_admin", Role.PARTNER_ADMIN, organization=world["distributor_a"])
    user("partner_a_rep", Role.PARTNER_REP, organization=world["distributor_a"])
    user("dealer_a_rep", Role.PARTNER_REP, organization=world["dealer_a"])
    user("partner_b_admin", Role.PARTNER_ADMIN, organization=world["partner_b"])
    user("partner_b_rep", Role.PARTNER_REP, organization=world["partner_b"])
    user("customer_a", Role.CUSTOMER_USER, organization=world["acc_rep"])
    user("customer_b", Role.CUSTOMER_USER, organization=world["acc_other"])
    user("inactive", Role.ADMIN, is_active=False)

    for key, acc in [
        ("con_rep", "acc_rep"),
        ("con_rep2", "acc_rep"),
        ("con_other", "acc_other"),
        ("con_served_a", "acc_served_a"),
        ("con_served_dealer", "acc_served_dealer"),
        ("con_served_b", "acc_served_b"),
    ]:
        world[key] = ContactFactory(account=world[acc], full_name=marker(key))

    def activity(key, acc, owner, **extra):
        world[key] = Activity.objects.create(
            kind=ActivityKind.NOTE,
            subject=marker(key),
            body=f"<p>{marker(key)} body</p>",
            account=world[acc],
            owner=owner,
            created_by=owner,
            updated_by=owner,
            starts_at=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
            **extra,
        )
        return world[key]

    activity("act_rep", "acc_rep", world["sales_rep"])
    activity("act_other", "acc_other", other)
    activity("act_hq_internal", "acc_served_a", other)  # an internal note on a partner-served account
    activity("act_hq_shared", "acc_served_a", other, visible_to_partner=True)
    activity("act_partner_a", "acc_served_a", world["partner_a_rep"])
    activity("act_dealer", "acc_served_dealer", world["dealer_a_rep"])
    activity("act_partner_b", "acc_served_b", world["partner_b_rep"])
    for key, act in [
        ("att_rep", "act_rep"),
        ("att_hq_internal", "act_hq_internal"),
        ("att_partner_a", "act_partner_a"),
        ("att_partner_b", "act_partner_b"),
    ]:
        upload = SimpleUploadedFile(f"{marker(key)}.txt", f"{marker(key)} contents".encode(), content_type="text/plain")
        world[key] = add_attachment(actor=world[act].owner, activity=world[act], upload=upload)

    # Catalog.
    world["line_active"] = ProductLineFactory(name=marker("line_active"))
    world["line_inactive"] = ProductLineFactory(name=marker("line_inactive"), is_active=False)

    def product(key, status, **extra):
        world[key] = ProductFactory(
            name=marker(key),
            sku=f"SKU-{key}",
            status=status,
            product_line=world["line_active"],
            standard_cost=Money(7_654_321, "KRW"),  # the cost figure the field-level cells look for
            **extra,
        )
        return world[key]

    product("prod_active", LifecycleStatus.ACTIVE)
    product("prod_phaseout", LifecycleStatus.PHASE_OUT)
    product("prod_planned", LifecycleStatus.PLANNED)
    product("prod_discontinued", LifecycleStatus.DISCONTINUED)
    world["grp_active"] = OptionGroupFactory(product=world["prod_active"], name=marker("grp_active"))
    world["grp_planned"] = OptionGroupFactory(product=world["prod_planned"], name=marker("grp_planned"))
    world["opt_active"] = OptionFactory(group=world["grp_active"], name=marker("opt_active"), sku="OPT-active")
    world["opt_withdrawn"] = OptionFactory(
        group=world["grp_active"], name=marker("opt_withdrawn"), sku="OPT-withdrawn", is_active=False
    )
    world["rule_active"] = OptionRuleFactory(product=world["prod_active"], target_option=world["opt_active"])
    world["rule_withdrawn"] = OptionRuleFactory(product=world["prod_active"], target_option=world["opt_withdrawn"])

    world["pl_default"] = PriceListFactory(name=marker("pl_default"), is_default=True)
    world["pl_partner_a"] = PriceListFactory(
        name=marker("pl_partner_a"), is_default=False, partner=world["distributor_a"]
    )
    world["pl_dealer"] = PriceListFactory(name=marker("pl_dealer"), is_default=False, partner=world["dealer_a"])
    world["pl_gold"] = PriceListFactory(name=marker("pl_gold"), is_default=False, partner_tier="gold")
    world["pl_segment"] = PriceListFactory(name=marker("pl_segment"), is_default=False, segment="enterprise")
    world["pli_default_active"] = PriceListItemFactory(
        price_list=world["pl_default"], product=world["prod_active"], unit_price=Money(8_111_111, "KRW")
    )
    world["pli_default_planned"] = PriceListItemFactory(
        price_list=world["pl_default"], product=world["prod_planned"], unit_price=Money(8_222_222, "KRW")
    )
    world["pli_partner_a"] = PriceListItemFactory(
        price_list=world["pl_partner_a"], product=world["prod_active"], unit_price=Money(8_333_333, "KRW")
    )
    world["pli_gold"] = PriceListItemFactory(
        price_list=world["pl_gold"], product=world["prod_active"], unit_price=Money(8_444_444, "KRW")
    )
    world["tier_default"] = PriceTierFactory(item=world["pli_default_active"], min_quantity=10)
    world["tier_partner_a"] = PriceTierFactory(item=world["pli_partner_a"], min_quantity=20)
    for key, partner in [("ppn_a", "distributor_a"), ("ppn_dealer", "dealer_a"), ("ppn_b", "partner_b")]:
        world[key] = PartnerProductNumberFactory(
            partner=world[partner], product=world["prod_active"], partner_sku=marker(key), partner_name=marker(key)
        )

    # Platform records.
    world["team"] = TeamFactory(name=marker("team"), members=[world["sales_rep"], world["sales_manager"]])
    world["territory"] = TerritoryFactory(name=marker("territory"))
    world["job_admin"] = Job.objects.create(kind="customers.import", created_by=world["admin"])
    world["job_partner_a"] = Job.objects.create(kind="customers.import", created_by=world["partner_a_admin"])

    # Integrations: a webhook endpoint and a dead delivery to it (administrators only).
    from forgecrm.integrations.models import DeliveryStatus
    from forgecrm.integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory

    world["webhook_erp"] = WebhookEndpointFactory(
        description=marker("webhook_erp"), url="https://93.184.216.34/forge", event_types=["AccountCreated"]
    )
    world["webhook_dead"] = WebhookDeliveryFactory(
        endpoint=world["webhook_erp"], event_type=marker("webhook_dead"), status=DeliveryStatus.DEAD, attempts=10
    )
    from .sales_world import build_sales

    build_sales(world, marker)
    from .partners_world import build_partners

    build_partners(world, marker)

    from forgecrm.activities.models import Attachment  # noqa: F401  (models loaded for the indexers)
    from forgecrm.catalog.models import PartnerProductNumber, Product
    from forgecrm.customers.models import Account, Contact

    index_objects("account", Account.objects.all())
    index_objects("contact", Contact.objects.select_related("account"))
    index_objects("product", Product.objects.select_related("product_line"))
    index_objects("partner_product", PartnerProductNumber.objects.select_related("product"))
    from forgecrm.sales.models import Lead, Opportunity

    index_objects("lead", Lead.objects.all())
    index_objects("opportunity", Opportunity.objects.select_related("stage"))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        private = tempfile.TemporaryDirectory(prefix="authz-private-")
        settings_override = override_settings(FORGE_PRIVATE_MEDIA_ROOT=Path(private.name))
        settings_override.enable()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = World()
            _build(built)
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            settings_override.disable()
            private.cleanup()
            for connection in connections.all():
                connection.close_if_unusable_or_obsolete()


@pytest.fixture(scope="module")
def policy():
    return load_policy()
