"""Bad input, theme 3: SQL meta characters and very long strings in search, filters, ordering and cursors.

The safe outcome: a normal page (200) or a clean refusal (400), never a server error, never a database error
message, and never a row the user may not see. The list pages and API routes are walked from the URLconf, and
every filter a page or route declares gets the hostile values, so a new filter joins these tests by itself.
"""

import base64

import pytest
from django.test import Client
from django.urls import resolve, reverse

from forgecrm.customers.tests.factories import AccountFactory, ContactFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SQL = [
    "' OR '1'='1",
    "'; DROP TABLE customers_account; --",
    '" OR 1=1 --',
    "1) UNION SELECT password FROM platform_user --",
    "%' AND 1=1 AND '%'='",
    "\\'; SELECT pg_sleep(5); --",
    "%_%",
    "\x00",
]
LONG = "가" * 20_000
HOSTILE = [*SQL, LONG]
LEAKS = (
    "Traceback",
    "OperationalError",
    "ProgrammingError",
    "syntax error",
    "sqlite3",
    "psycopg",
    'SELECT "',
    'FROM "',
)

LIST_PAGES = [
    "customers:account-list",
    "customers:contact-list",
    "activities:list",
    "catalog:product-list",
    "catalog:price-list-list",
    "catalog:product-line-list",
]
API_LISTS = [
    "/api/v1/users/",
    "/api/v1/teams/",
    "/api/v1/accounts/",
    "/api/v1/contacts/",
    "/api/v1/activities/",
    "/api/v1/products/",
    "/api/v1/product-lines/",
    "/api/v1/price-lists/",
    "/api/v1/partner-product-numbers/",
]
AUTOCOMPLETES = [
    "customers:account-autocomplete",
    "customers:partner-autocomplete",
    "customers:contact-autocomplete",
    "catalog:product-autocomplete",
    "activities:contacts-autocomplete",
]


@pytest.fixture
def rep():
    return UserFactory(role=Role.SALES_REP, language="en")


@pytest.fixture
def browser(rep):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    return client


@pytest.fixture
def data(rep):
    mine = AccountFactory(owner=rep, name="내거래처")
    hidden = AccountFactory(owner=UserFactory(), name="남의거래처")
    ContactFactory(account=mine)
    ContactFactory(account=hidden, full_name="남의연락처")
    return mine, hidden


def assert_safe(response, *hidden_names):
    assert response.status_code in {200, 400}, (response.status_code, response.request)
    body = response.content.decode(errors="replace")
    for leak in LEAKS:
        assert leak not in body, leak
    for name in hidden_names:
        assert name not in body, name


def _filter_fields(page: str) -> list[str]:
    view = resolve(reverse(page)).func.view_class
    return list(view.filter_form_class.base_fields) if view.filter_form_class else []


def _api_params(url: str) -> list[str]:
    view = resolve(url).func
    cls = view.cls
    names = ["ordering", "cursor", "page_size", "search", "q"]
    if getattr(cls, "filterset_class", None):
        names += list(cls.filterset_class.base_filters)
    names += list(getattr(cls, "filterset_fields", None) or [])
    return names


@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_page_text_search_takes_sql_meta_and_long_strings(browser, data, page):
    for value in HOSTILE:
        assert_safe(browser.get(reverse(page), {"q": value}), "남의거래처", "남의연락처")


@pytest.mark.parametrize("page", LIST_PAGES)
def test_every_declared_list_filter_takes_sql_meta_and_long_strings(browser, data, page):
    for field in _filter_fields(page):
        for value in HOSTILE:
            assert_safe(browser.get(reverse(page), {field: value}), "남의거래처", "남의연락처")


@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_sort_parameter_is_whitelisted(browser, data, page):
    for value in [*HOSTILE, "password", "-owner__password", "owner__password", "name; DELETE"]:
        assert_safe(browser.get(reverse(page), {"sort": value}), "남의거래처")


@pytest.mark.parametrize("page", LIST_PAGES)
def test_list_cursor_parameter_refuses_forged_positions(browser, data, page):
    forged = [
        *HOSTILE,
        base64.urlsafe_b64encode(b'{"v": ["\' OR 1=1 --"], "pk": "x"}').decode(),
        base64.urlsafe_b64encode(b"not json at all").decode(),
        "!!!",
    ]
    for value in forged:
        assert_safe(browser.get(reverse(page), {"cursor": value}), "남의거래처")
        assert_safe(browser.get(reverse(page), {"cursor": value}, HTTP_HX_REQUEST="true"), "남의거래처")


@pytest.mark.parametrize("page", LIST_PAGES)
def test_export_with_hostile_filters_exports_only_visible_rows(browser, data, page):
    for value in SQL:
        response = browser.get(reverse(page), {"q": value, "export": "csv", "sort": value})
        assert response.status_code in {200, 400}
        if response.status_code == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert "남의거래처".encode() not in body


def test_global_search_and_typeahead_take_sql_meta_and_long_strings(browser, data):
    for value in HOSTILE:
        assert_safe(browser.get(reverse("search"), {"q": value}), "남의거래처")
        assert_safe(browser.get(reverse("search-typeahead"), {"q": value}), "남의거래처")
        assert_safe(browser.get(reverse("search"), {"q": "거래처", "entity": value}), "남의거래처")


def test_sql_wildcards_in_search_match_literally_not_everything(browser, data):
    body = browser.get(reverse("customers:account-list"), {"q": "%"}).content.decode()
    assert "내거래처" not in body  # "%" is a character to look for, not "anything"
    body = browser.get(reverse("customers:account-list"), {"q": "_"}).content.decode()
    assert "내거래처" not in body


@pytest.mark.parametrize("name", AUTOCOMPLETES)
def test_autocomplete_endpoints_take_sql_meta_and_long_strings(browser, data, name):
    for value in HOSTILE:
        assert_safe(browser.get(reverse(name), {"q": value, "term": value}), "남의거래처", "남의연락처")


@pytest.mark.parametrize("url", API_LISTS)
def test_api_list_filters_ordering_and_cursor_take_sql_meta_and_long_strings(browser, data, url):
    for param in _api_params(url):
        for value in [*SQL, "가" * 5_000]:
            response = browser.get(url, {param: value})
            if param == "cursor" and response.status_code == 404:
                assert response.json() == {"detail": "Invalid cursor"}  # DRF's refusal of a forged cursor
                continue
            assert_safe(response, "남의거래처", "남의연락처")


def test_api_ordering_by_a_hidden_or_related_field_is_ignored(browser, data):
    for value in ["password", "owner__password", "-owner__email", "created_by__password"]:
        response = browser.get("/api/v1/accounts/", {"ordering": value})
        assert_safe(response, "남의거래처")


def test_api_page_size_cannot_ask_for_everything(browser, rep):
    AccountFactory.create_batch(3, owner=rep)
    response = browser.get("/api/v1/accounts/", {"page_size": "100000000"})
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 200
    assert_safe(browser.get("/api/v1/accounts/", {"page_size": "-1"}))
    assert_safe(browser.get("/api/v1/accounts/", {"page_size": "1e9"}))


def test_non_numeric_and_huge_ids_in_urls_are_404_not_500(browser, data):
    for path in ["/api/v1/accounts/abc/", "/api/v1/accounts/99999999999999999999999/", "/api/v1/accounts/1%27/"]:
        assert browser.get(path).status_code == 404, path
    assert browser.get("/accounts/99999999999999999999/").status_code == 404
