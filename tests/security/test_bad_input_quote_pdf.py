"""Bad input, theme: a real quote's terms (rich text from the quote form or the API) pointing at local files,
internal URLs and private media (issue 4). The quote's own PDF path is used end to end: the terms go in through
the operations (sanitised with nh3 on save), come out through the 견적서 template (sanitised again) and the
platform's fetcher. Safe outcome: the PDF renders with the legitimate text, nothing hostile is loaded (no
connection to a loopback listener), no file content or attachment ends up in it, and the partner-visible
output carries no cost snapshot."""

import logging

import pytest
from rest_framework.test import APIClient

from forgecrm.sales.models import Quote
from forgecrm.sales.operations.quote_lines import update_quote
from forgecrm.sales.operations.quoting import create_quote
from forgecrm.sales.quote_documents import render_quote_pdf
from forgecrm.sales.tests.quoting_world import build_quoting_world

from . import test_bad_input_pdf as pdf_cases

# The PDF theme's fixtures and checks (a loopback listener, private media files, the hostile rich text).
listener = pdf_cases.listener
private_media = pdf_cases.private_media
assert_nothing_leaked = pdf_cases.assert_nothing_leaked
hostile_rich_text = pdf_cases.hostile_rich_text

pytestmark = pytest.mark.django_db

FORBIDDEN_IN_TERMS = (
    "<script",
    "onerror",
    "<style",
    "<link",
    "<img",
    "<object",
    "<embed",
    "<iframe",
    "<svg",
    "style=",
    "file:",
)


@pytest.fixture
def world():
    return build_quoting_world()


def test_hostile_terms_from_the_quote_form_are_sanitised_and_load_nothing(world, listener, private_media, caplog):
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    quote = update_quote(
        actor=world.rep,
        quote=quote,
        expected_version=quote.version,
        changes={"terms": hostile_rich_text(listener.getsockname()[1])},
    )
    lowered = quote.terms.lower()
    for forbidden in FORBIDDEN_IN_TERMS:
        assert forbidden not in lowered, forbidden
    with caplog.at_level(logging.WARNING, logger="forgecrm.platform.pdf"):
        pdf = render_quote_pdf(quote, base_url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
    assert_nothing_leaked(pdf, listener)


def test_hostile_terms_stored_raw_are_still_held_at_render(world, listener, private_media):
    # A row written around the operations (an import, a data fix): the template sanitises again, the fetcher holds.
    quote = create_quote(actor=world.rep, opportunity=world.opportunity)
    Quote.objects.filter(pk=quote.pk).update(terms=hostile_rich_text(listener.getsockname()[1]))
    quote.refresh_from_db()
    assert_nothing_leaked(render_quote_pdf(quote), listener)


def test_hostile_terms_through_the_api(world, listener, private_media):
    client = APIClient()
    client.force_authenticate(world.rep)
    created = client.post(
        "/api/v1/quotes/",
        {"opportunity": world.opportunity.pk, "terms": hostile_rich_text(listener.getsockname()[1])},
        format="json",
    )
    assert created.status_code == 201
    for forbidden in FORBIDDEN_IN_TERMS:
        assert forbidden not in created.json()["terms"].lower()
    pdf = client.get(f"/api/v1/quotes/{created.json()['id']}/pdf/")
    assert pdf.status_code == 200
    assert_nothing_leaked(pdf.content, listener)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:1/admin/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0177.0.0.1/",
        "http://[::1]/",
        "javascript:alert(1)",
        "/media/attachments/2026/11/contract.png",
    ],
)
def test_links_and_images_in_terms_to_internal_places_are_dropped(world, url):
    quote = create_quote(
        actor=world.rep, opportunity=world.opportunity, terms=f'<p>특약 <a href="{url}">보기</a><img src="{url}"></p>'
    )
    assert "<img" not in quote.terms
    if url.startswith(("file:", "javascript:")):
        assert url not in quote.terms  # only http(s), mailto and relative links stay: printed, never fetched
    assert "특약" in quote.terms
