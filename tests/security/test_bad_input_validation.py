"""Bad input, themes 8-10: invalid identifiers (사업자등록번호, phone, email) answer a field error naming the rule;
open redirects (`next` on login, logout and the language switch) stay on this site; CSRF: every state-changing
page, listed by URL name, refuses a POST without the token.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from forgecrm.activities.models import ActivityKind
from forgecrm.activities.operations import log_activity
from forgecrm.catalog.tests.factories import (
    OptionFactory,
    OptionGroupFactory,
    PartnerProductNumberFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    ProductLineFactory,
)
from forgecrm.customers.models import Account, Contact
from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.integrations.tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def browser():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.user = UserFactory(language="en")
    client.force_login(client.user)
    return client


def api_errors(browser, url, body) -> dict:
    response = browser.post(url, body, content_type=JSON)
    assert response.status_code == 400, response.content
    return response.json()


# --- 사업자등록번호, phone, email ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brn", "rule"),
    [
        ("1208147522", "check digit"),
        ("12345", "10 digits"),
        ("abcdefghij", "10 digits"),
        ("0000000000", "impossible part"),
        ("1208147521' OR '1'='1", "no more than 20 characters"),
    ],
)
def test_invalid_brn_is_a_field_error_naming_the_rule(browser, brn, rule):
    errors = api_errors(browser, "/api/v1/accounts/", {"name": "검증상사", "kind": "customer", "brn": brn})
    assert list(errors) == ["brn"] and rule in errors["brn"][0]
    assert not Account.objects.exists()


def test_full_width_digits_in_a_brn_are_read_as_digits(browser):
    response = browser.post(
        "/api/v1/accounts/",
        {"name": "전각상사", "kind": "customer", "brn": "１２０-８１-４７５２１"},
        content_type=JSON,
    )
    assert response.status_code == 201 and response.json()["brn"] == "1208147521"


def test_invalid_brn_on_the_account_form_names_the_rule(browser):
    response = browser.post(
        reverse("customers:account-create"),
        {"name": "검증상사", "kind": "customer", "form": "company", "brn": "1208147522"},
    )
    assert response.status_code in {200, 400}
    assert "check digit" in str(response.context["form"].errors["brn"])
    assert not Account.objects.exists()


@pytest.mark.parametrize(
    ("phone", "rule"),
    [
        ("12", "not a valid number"),
        ("02-555-12345678901", "not a valid number"),
        ("010-1234-567a", "letters"),  # a typo must not save another number
        ("전화번호", "such as 010-1234-5678"),
        ("<script>", "such as 010-1234-5678"),
    ],
)
def test_invalid_phone_is_a_field_error_naming_the_rule(browser, phone, rule):
    errors = api_errors(browser, "/api/v1/accounts/", {"name": "검증상사", "kind": "customer", "phone": phone})
    assert list(errors) == ["phone"] and rule in errors["phone"][0]


def test_invalid_contact_mobile_and_email_are_field_errors(browser):
    account = AccountFactory(owner=browser.user)
    errors = api_errors(
        browser, "/api/v1/contacts/", {"full_name": "김검증", "account": account.pk, "mobile": "999", "email": "a@"}
    )
    assert set(errors) == {"mobile", "email"}
    assert "not a valid number" in errors["mobile"][0] and "one @" in errors["email"][0]
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "email",
    ["x@", "a@b@c.kr", "kim@example.kr\nBcc: x@evil.example", "kim@localhost", "<kim@example.kr>", "kim @example.kr"],
)
def test_invalid_email_including_header_injection_is_a_field_error(browser, email):
    errors = api_errors(browser, "/api/v1/accounts/", {"name": "검증상사", "kind": "customer", "email": email})
    assert list(errors) == ["email"] and "one @" in errors["email"][0]


@pytest.mark.parametrize("website", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://"])
def test_website_must_be_a_web_address(browser, website):
    errors = api_errors(browser, "/api/v1/accounts/", {"name": "검증상사", "kind": "customer", "website": website})
    assert list(errors) == ["website"]


# --- open redirects -----------------------------------------------------------------------------------------------

OUTSIDE = [
    "https://evil.example",
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "https:evil.example",
    "http://testserver@evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
]


def _outside(location: str) -> bool:
    return "evil.example" in location or location.lower().startswith(("javascript:", "data:"))


@pytest.mark.parametrize("target", OUTSIDE)
def test_login_next_in_every_spelling_stays_on_site(target):
    UserFactory(email="next@example.kr")
    client = Client()
    response = client.post(
        f"{reverse('login')}?next={target}", {"username": "next@example.kr", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302 and not _outside(response["Location"])


@pytest.mark.parametrize("target", OUTSIDE)
def test_signed_in_visit_to_login_with_an_outside_next_stays_on_site(browser, target):
    response = browser.get(reverse("login"), {"next": target})
    assert response.status_code == 302 and not _outside(response["Location"])


@pytest.mark.parametrize("target", OUTSIDE)
def test_language_switch_next_in_every_spelling_stays_on_site(target):
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code in {200, 302}
    assert not _outside(response.get("Location", ""))
    response = client.post(reverse("set_language"), {"language": "en"}, HTTP_REFERER=target)
    assert not _outside(response.get("Location", ""))


@pytest.mark.parametrize("target", OUTSIDE)
def test_logout_next_in_every_spelling_stays_on_site(browser, target):
    response = browser.post(reverse("logout"), {"next": target})
    assert not _outside(response.get("Location", ""))


# --- CSRF: every state-changing page by URL name ---------------------------------------------------------------

STATE_CHANGING = {
    # platform
    "logout": [],
    "login": [],
    "password_reset": [],
    "set_language": [],
    "two-factor-setup": [],
    "two-factor-verify": [],
    # customers
    "customers:account-create": [],
    "customers:account-update": ["account"],
    "customers:account-merge": ["account"],
    "customers:account-deactivate": ["account"],
    "customers:account-reactivate": ["account"],
    "customers:account-import": [],
    "customers:account-import-job": ["job"],
    "customers:account-import-run": ["job"],
    "customers:contact-create": [],
    "customers:contact-update": ["contact"],
    "customers:contact-merge": ["contact"],
    "customers:contact-consent": ["contact"],
    "customers:contact-deactivate": ["contact"],
    "customers:contact-reactivate": ["contact"],
    "customers:contact-erase": ["contact"],
    # catalog
    "catalog:product-create": [],
    "catalog:product-edit": ["product"],
    "catalog:option-group-create": ["product"],
    "catalog:option-group-edit": ["group"],
    "catalog:option-create": ["group"],
    "catalog:option-edit": ["option"],
    "catalog:rule-create": ["product"],
    "catalog:partner-number-create": ["product"],
    "catalog:partner-number-edit": ["number"],
    "catalog:product-line-create": [],
    "catalog:product-line-edit": ["line"],
    "catalog:price-list-create": [],
    "catalog:price-list-edit": ["price_list"],
    "catalog:price-list-item-create": ["price_list"],
    "catalog:price-list-item-edit": ["item"],
    "catalog:price-list-item-delete": ["item"],
    # activities
    "activities:create": [],
    "activities:edit": ["activity"],
    "activities:complete": ["activity"],
    "activities:cancel": ["activity"],
    "activities:delete": ["activity"],
    "activities:attachment-upload": ["activity"],
    # integrations
    "integrations:webhook-create": [],
    "integrations:webhook-edit": ["webhook"],
    "integrations:webhook-rotate-secret": ["webhook"],
    "integrations:webhook-delivery-redeliver": ["webhook_delivery"],
}


# Pages of issue 5 (sales, and the activities panel and performance pages) not yet enumerated above with their
# records: the CSRF walk over every URL (tests/security/test_csrf.py) still posts to each of them without a
# token. Moving them into STATE_CHANGING, with a record per route, is open work (issue 4).
WALKED_BY_THE_CSRF_TEST = {
    # issue 6: deal registrations and channel conflicts (the public inquiry form is exempt like the sales one)
    "partners:conflict-decide",
    "partners:conflict-list",
    "partners:referral-inquiry",
    "partners:registration-approve",
    "partners:registration-close",
    "partners:registration-detail",
    "partners:registration-list",
    "partners:registration-reject",
    # partners: the channel manager's pages (profiles, routing console, scorecards)
    "partners:partner-list",
    "partners:partner-detail",
    "partners:partner-edit",
    "partners:partner-deactivate",
    "partners:partner-coverage-add",
    "partners:partner-coverage-remove",
    "partners:partner-authorization-add",
    "partners:partner-authorization-end",
    "partners:partner-certification-add",
    "partners:partner-certification-remove",
    "partners:tier-rules",
    "partners:tier-rule-edit",
    "partners:routing-rule-list",
    "partners:routing-rule-create",
    "partners:routing-rule-edit",
    "partners:routing-rule-reorder",
    "partners:routing-console",
    "partners:routing-bulk",
    "partners:lead-routing",
    "partners:lead-offer",
    "partners:scorecard-overview",
    "partners:partner-scorecard",
    # the partner portal (its own tests post without the token too: forgecrm/portals/partner_portal/tests)
    "partner_portal:home",
    "partner_portal:offer-list",
    "partner_portal:offer-detail",
    "partner_portal:offer-accept",
    "partner_portal:offer-reject",
    "partner_portal:offer-reroute",
    "partner_portal:lead-list",
    "partner_portal:lead-detail",
    "partner_portal:lead-status",
    "partner_portal:lead-log-activity",
    "partner_portal:lead-convert",
    "partner_portal:user-list",
    "partner_portal:user-invite",
    "partner_portal:user-role",
    "partner_portal:user-deactivate",
    "partner_portal:invitation-accept",
    # the partner portal: deal registrations, MDF, service requests
    "partner_portal:registration-list",
    "partner_portal:registration-create",
    "partner_portal:registration-detail",
    "partner_portal:registration-edit",
    "partner_portal:registration-submit",
    "partner_portal:mdf-home",
    "partner_portal:mdf-request-create",
    "partner_portal:mdf-request-detail",
    "partner_portal:mdf-request-edit",
    "partner_portal:mdf-request-submit",
    "partner_portal:mdf-request-claim",
    "partner_portal:mdf-request-cancel",
    "partner_portal:service-list",
    "partner_portal:service-create",
    "partner_portal:service-detail",
    "partner_portal:service-comment",
    "partner_portal:service-status",
    "activities:performance",
    "activities:quick-log",
    "activities:regarding-panel",
    "sales:assignment-rule-create",
    "sales:assignment-rule-edit",
    "sales:commission-approve",
    "sales:commission-compute",
    "sales:commission-detail",
    "sales:commission-list",
    "sales:commission-paid",
    "sales:commission-pdf",
    "sales:commission-plan-create",
    "sales:commission-plan-detail",
    "sales:commission-plan-edit",
    "sales:commission-plan-list",
    "sales:dashboard",
    "sales:forecast-adjust",
    "sales:forecast-edit",
    "sales:forecast-history",
    "sales:forecast-rollup",
    "sales:lead-assign",
    "sales:lead-bulk-assign",
    "sales:lead-convert",
    "sales:lead-create",
    "sales:lead-detail",
    "sales:lead-duplicates",
    "sales:lead-edit",
    "sales:lead-import",
    "sales:lead-list",
    "sales:lead-rules",
    "sales:lead-status",
    "sales:opportunity-competitor-create",
    "sales:opportunity-competitor-delete",
    "sales:opportunity-competitor-update",
    "sales:opportunity-create",
    "sales:opportunity-detail",
    "sales:opportunity-line-create",
    "sales:opportunity-line-delete",
    "sales:opportunity-line-update",
    "sales:opportunity-list",
    "sales:opportunity-move",
    "sales:opportunity-update",
    "sales:order-cancel",
    "sales:order-detail",
    "sales:order-list",
    "sales:order-status",
    "sales:pipeline",
    "sales:quota-attainment",
    "sales:quota-grid",
    "sales:quote-accept",
    "sales:quote-approve",
    "sales:quote-create",
    "sales:quote-decline",
    "sales:quote-detail",
    "sales:quote-edit",
    "sales:quote-line-add",
    "sales:quote-line-edit",
    "sales:quote-line-options",
    "sales:quote-line-remove",
    "sales:quote-list",
    "sales:quote-pdf",
    "sales:quote-reject",
    "sales:quote-revise",
    "sales:quote-send",
    "sales:quote-submit",
    "sales:report-cycle",
    "sales:report-forecast",
    "sales:report-funnel",
    "sales:report-top-accounts",
    "sales:report-win-rate",
    "sales:reports",
    "sales:score-model-train",
    "sales:scoring-rule-create",
    "sales:scoring-rule-edit",
    "sales:stage-create",
    "sales:stage-down",
    "sales:stage-probability-delete",
    "sales:stage-probability-set",
    "sales:stage-settings",
    "sales:stage-up",
    "sales:stage-update",
    "sales:web-form-create",
    "sales:web-form-edit",
    "sales:web-form-list",
    "sales:web-form-public",
}
# Partners: MDF and partner service request pages (issue 6), walked the same way.
WALKED_BY_THE_CSRF_TEST |= {
    "partners:mdf-allocations",
    "partners:mdf-allocate",
    "partners:mdf-allocation-change",
    "partners:mdf-request-list",
    "partners:mdf-request-detail",
    "partners:mdf-request-approve",
    "partners:mdf-request-reject",
    "partners:mdf-request-cancel",
    "partners:mdf-claim-approve",
    "partners:mdf-claim-reject",
    "partners:mdf-request-pay",
    "partners:mdf-proof-download",
    "partners:mdf-roi",
    "partners:service-request-list",
    "partners:service-request-detail",
    "partners:service-request-assign",
    "partners:service-request-status",
    "partners:service-request-comment",
}
# Partners: sell-through and channel stock (headquarters' page and the portal's), walked the same way.
WALKED_BY_THE_CSRF_TEST |= {
    "partners:sell-through",
    "partner_portal:sell-through",
    "partner_portal:sell-through-submit",
    "partner_portal:sell-through-upload",
    "partner_portal:sell-through-history",
    "partner_portal:sell-through-report",
    "partner_portal:stock",
    "partner_portal:stock-submit",
    "partner_portal:stock-upload",
}


@pytest.fixture
def records():
    admin = UserFactory(role=Role.ADMIN, language="en")
    account = AccountFactory(owner=admin)
    product = ProductFactory()
    group = OptionGroupFactory(product=product)
    price_list = PriceListFactory()
    webhook = WebhookEndpointFactory()
    return admin, {
        "account": account.pk,
        "contact": ContactFactory(account=account).pk,
        "job": Job.objects.create(kind="customers.import", created_by=admin, params={}).pk,
        "product": product.pk,
        "group": group.pk,
        "option": OptionFactory(group=group).pk,
        "number": PartnerProductNumberFactory(product=product).pk,
        "line": ProductLineFactory().pk,
        "price_list": price_list.pk,
        "item": PriceListItemFactory(price_list=price_list, product=product).pk,
        "activity": log_activity(actor=admin, kind=ActivityKind.NOTE, subject="메모", account=account).pk,
        "webhook": webhook.pk,
        "webhook_delivery": WebhookDeliveryFactory(endpoint=webhook).pk,
    }


def test_every_state_changing_page_refuses_a_post_without_the_token(records):
    admin, ids = records
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    before = (Account.objects.count(), Contact.objects.count())
    accepted = []
    for name, args in STATE_CHANGING.items():
        url = reverse(name, args=[ids[arg] for arg in args])
        response = client.post(url, {"name": "forged", "full_name": "forged", "subject": "forged"})
        if response.status_code != 403 or b"CSRF" not in response.content:
            accepted.append((name, response.status_code))
    assert accepted == []
    assert (Account.objects.count(), Contact.objects.count()) == before


def test_the_enumerated_pages_accept_the_same_post_with_the_token(records):
    """The 403 above is the CSRF check, not a permission: with the token the same pages answer otherwise."""
    admin, ids = records
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").content.decode()).group(1)
    refused = []
    for name, args in STATE_CHANGING.items():
        if name in {"logout", "login", "customers:account-import-job", "customers:account-import-run"}:
            continue  # sign-in rotates the token; an import job in the wrong state answers 403 by itself
        url = reverse(name, args=[ids[arg] for arg in args])
        response = client.post(url, {}, HTTP_X_CSRFTOKEN=token)
        if response.status_code == 403:
            refused.append(name)
    assert refused == []


def test_every_state_changing_url_name_is_enumerated():
    """A new page that takes a POST must join STATE_CHANGING (and so the CSRF check above)."""
    from django.urls import resolve

    from tests.security.test_csrf import _paths

    readonly = {
        "dashboard", "search", "search-typeahead", "job-progress", "password_reset_done", "password_reset_complete",
        "password_reset_confirm", "javascript-catalog", "api-schema", "api-docs",
        "customers:account-list", "customers:account-detail", "customers:account-duplicates",
        "customers:account-autocomplete", "customers:partner-autocomplete", "customers:account-import-report",
        "customers:contact-list", "customers:contact-detail", "customers:contact-autocomplete",
        "customers:contact-personal-data",
        "catalog:product-list", "catalog:product-detail", "catalog:product-autocomplete", "catalog:product-price",
        "catalog:product-line-list", "catalog:price-list-list", "catalog:price-list-detail",
        "catalog:product-part-delete",
        "activities:list", "activities:my-open-tasks", "activities:overdue", "activities:calendar",
        "activities:calendar-feed", "activities:contacts-autocomplete", "activities:detail", "activities:ics",
        "activities:attachment-download", "activities:attachment-delete",
        "integrations:webhook-list", "integrations:webhook-detail", "integrations:webhook-delivery-list",
        "integrations:webhook-delivery-detail",
    }  # fmt: skip
    missing = set()
    for path in _paths():
        if path.startswith(("/api/", "/admin/", "/static/")):
            continue
        match = resolve(path)
        name = match.view_name
        if name not in STATE_CHANGING and name not in readonly and name not in WALKED_BY_THE_CSRF_TEST:
            missing.add(name)
    assert missing == set()
