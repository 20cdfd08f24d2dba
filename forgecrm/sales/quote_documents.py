"""The quote as the customer receives it: the 견적서 PDF and the email that carries it.

Only what a customer may read goes in: never `unit_cost`, margins, approvals or the internal note. The
supplier block is our company (`FORGE_SUPPLIER` in the settings, with the defaults below).
"""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from forgecrm.catalog.models import money_of
from forgecrm.platform.models import User
from forgecrm.platform.pdf import render_pdf

from .models import Quote
from .quote_terms import sanitize_terms

PDF_TEMPLATE = "sales/quotes/pdf.html"
DEFAULT_SUPPLIER = {
    "name": "포지공조 주식회사",
    "name_en": "Forge HVAC Co., Ltd.",
    "brn": "1208800767",
    "representative": "대표이사 김포지",
    "representative_en": "CEO Kim Po-ji",
    "address": "서울특별시 강남구 테헤란로 152",
    "address_en": "152 Teheran-ro, Gangnam-gu, Seoul",
    "phone": "02-555-0100",
    "email": "sales@forge-hvac.example",
}


def supplier() -> dict[str, str]:
    return {**DEFAULT_SUPPLIER, **getattr(settings, "FORGE_SUPPLIER", {})}


def _line_rows(quote: Quote) -> list[dict[str, Any]]:
    english = quote.language == "en"
    rows = []
    for line in quote.lines.select_related("product").prefetch_related("options").order_by("position", "pk"):
        options = [f"{option.option_name} ({option.option_sku})" for option in line.options.all()]
        list_price = money_of(line.tier_unit_price or line.list_unit_price).amount
        detail = [line.product.sku, *options]
        if line.discount_percent:
            detail.append(_("discount %(percent)s %%") % {"percent": f"{line.discount_percent.normalize():f}"})
        rows.append(
            {
                "description": line.product.name_en
                if english and line.product.name_en and line.description in ("", line.product.name)
                else line.description or line.product.name,
                "detail": " · ".join(detail),
                "quantity": line.quantity,
                "list_price": list_price,
                "unit_price": money_of(line.net_unit_price).amount,
                "amount": money_of(line.line_total).amount,
            }
        )
    return rows


def quote_document_context(quote: Quote) -> dict[str, Any]:
    """What the PDF shows (customer-facing fields only)."""
    account = quote.account
    totals = [(_("Subtotal"), money_of(quote.subtotal).amount)]
    if money_of(quote.discount).amount:
        totals.append(
            (
                _("Discount (%(percent)s %%)") % {"percent": f"{quote.header_discount_percent.normalize():f}"},
                -money_of(quote.discount).amount,
            )
        )
    totals += [
        (_("Supply amount (공급가액)"), money_of(quote.net).amount),
        (_("VAT %(rate)s %%") % {"rate": f"{quote.vat_rate.normalize():f}"}, money_of(quote.vat).amount),
        (_("Total (합계)"), money_of(quote.total).amount),
    ]
    return {
        "document_title": _("Quotation"),
        "document_number": quote.number,
        "quote": quote,
        "supplier": supplier(),
        "account": account,
        "contact": quote.contact,
        "owner": quote.owner,
        "lines": _line_rows(quote),
        "totals": totals,
        "currency": quote.currency,
        "terms": sanitize_terms(quote.terms),  # sanitised when saved; again here, as a second line
        "footer_note": _("Valid until %(date)s") % {"date": quote.valid_until.isoformat()} if quote.valid_until else "",
    }


def render_quote_pdf(quote: Quote, *, base_url: str | None = None) -> bytes:
    with translation.override(quote.language):  # the labels built here are in the document's language too
        context = quote_document_context(quote)
    return render_pdf(PDF_TEMPLATE, context, language=quote.language, base_url=base_url)


def quote_email(quote: Quote, *, sender: User | None, message: str = "") -> tuple[str, str]:
    """Subject and plain-text body in the quote's language (the caller activates it)."""
    context = {"quote": quote, "sender": sender, "message": (message or "").strip(), "supplier": supplier()}
    subject = _("Quotation %(number)s from %(company)s") % {
        "number": quote.number,
        "company": supplier()["name" if quote.language == "ko" else "name_en"],
    }
    return subject, render_to_string("sales/quotes/email.txt", context)


def quote_pdf_filename(quote: Quote) -> str:
    return f"{_('Quotation')} {quote.number}.pdf"
