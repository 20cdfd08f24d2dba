"""A sample quote for the PDF tests (the sales app builds the real one): Korean text, line items, rich text."""

import io
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings
from pypdf import PdfReader
from pypdf.generic import StreamObject

TEMPLATES = Path(__file__).parent / "templates"
QUOTE = "pdf_samples/quote.html"


def sample_templates() -> override_settings:
    """Settings with the sample templates found (usable at module scope, unlike pytest-django's `settings`)."""
    engine = settings.TEMPLATES[0]
    return override_settings(TEMPLATES=[{**engine, "DIRS": [*engine["DIRS"], TEMPLATES]}])


def quote_context(lines: int = 2, rich_text: str = "") -> dict:
    items = [
        {
            "description": f"산업용 냉각기 FC-{index:03d}",
            "detail": "설치 및 시운전 포함",
            "quantity": Decimal("2"),
            "unit_price": Decimal("617000"),
            "amount": Decimal("1234000"),
        }
        for index in range(1, lines + 1)
    ]
    return {
        "document_title": "견적서",
        "document_number": "Q-2026-0012",
        "account_name": "주식회사 한빛공조",
        "footer_note": "본 견적의 유효기간은 발행일로부터 30일입니다.",
        "lines": items,
        "totals": [("공급가액", Decimal("1234000") * lines), ("합계", Decimal("1357400") * lines)],
        "rich_text": rich_text,
    }


def read_pdf(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read_pdf(pdf).pages]


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in read_pdf(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def embedded_files(pdf: bytes) -> list[str]:
    """Names of files embedded in the PDF: document attachments and file-attachment annotations (`rel=attachment`)."""
    reader = read_pdf(pdf)
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get("/UF", "")))
    return names


def decoded_streams(pdf: bytes) -> bytes:
    """Every stream of the PDF, decompressed: what a leaked file would be found in."""
    reader = read_pdf(pdf)
    ids = {number for generation in reader.xref.values() for number in generation} | set(reader.xref_objStm)
    chunks = []
    for number in sorted(ids):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)
