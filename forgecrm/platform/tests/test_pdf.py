"""PDF documents: Korean text in the bundled font, A4 with running header and page numbers, the safe fetcher, downloads.

The text is read back from the PDF (pypdf): a missing or broken font gives .notdef boxes or another font, and fails.
"""

import base64
import io
import logging
from urllib.parse import unquote

import pytest
from PIL import Image

from forgecrm.platform.pdf import (
    INTERNAL_BASE_URL,
    FetchRefused,
    ResourceMissing,
    content_disposition,
    fetch_resource,
    pdf_filename,
    pdf_response,
    render_pdf,
)

from .pdf_samples import QUOTE, font_names, page_texts, quote_context, read_pdf, sample_templates

A4_POINTS = (595.28, 841.89)


@pytest.fixture(autouse=True)
def _sample_templates():
    with sample_templates():
        yield


def png_bytes(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (6, 111, 209)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def korean_quote() -> bytes:
    with sample_templates():
        return render_pdf(QUOTE, quote_context(lines=3), language="ko")


def test_korean_text_extracts_back_in_the_bundled_font(korean_quote):
    text = page_texts(korean_quote)[0]
    for expected in (
        "견적서",
        "주식회사 한빛공조 귀하",
        "산업용 냉각기 FC-001",
        "설치 및 시운전 포함",
        "합계",
        "₩4,072,200",
    ):
        assert expected in text
    # Only the two bundled weights: a fallback to an OS font would name another family here.
    assert font_names(korean_quote) == {"Noto-Sans-KR", "Noto-Sans-KR-Bold"}


def test_a4_with_language_and_title_in_the_metadata(korean_quote):
    reader = read_pdf(korean_quote)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)
    assert reader.metadata.title == "견적서 Q-2026-0012"
    assert reader.trailer["/Root"]["/Lang"] == "ko"


def test_every_page_repeats_the_header_and_numbers_the_pages():
    pdf = render_pdf(QUOTE, quote_context(lines=40), language="ko")
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for number, text in enumerate(texts, start=1):
        assert f"{number} / {len(texts)}" in text
        assert "Q-2026-0012" in text
        assert "유효기간" in text  # the footer note
    assert "설명" in texts[1]  # the table head repeats on the next page
    assert [text.count("합계") for text in texts] == [0] * (len(texts) - 1) + [1]  # the totals only once, at the end


def test_the_document_language_picks_translations_and_money_format():
    text = page_texts(render_pdf(QUOTE, quote_context(lines=1), language="en"))[0]
    assert "Unit price" in text
    assert "₩1,234,000" in text
    korean = page_texts(render_pdf(QUOTE, quote_context(lines=1), language="ko"))[0]
    assert "단가" in korean


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        render_pdf(QUOTE, quote_context(), language="xx")


def test_static_files_are_served_from_disk():
    css = fetch_resource(INTERNAL_BASE_URL + "static/forgecrm/pdf/document.css")
    assert css.mime_type == "text/css"
    assert b"Noto Sans KR" in css.body
    font = fetch_resource(INTERNAL_BASE_URL + "static/vendor/fonts/noto-sans-kr/NotoSansKR-Bold.otf?v=1#x")
    assert font.mime_type == "font/otf"
    assert font.body[:4] == b"OTTO"
    logo = fetch_resource(INTERNAL_BASE_URL + "static/forgecrm/favicon.svg")
    assert logo.mime_type == "image/svg+xml"


def test_the_callers_origin_is_ours_but_read_from_disk():
    # With base_url, `{% static %}` URLs resolve to this site's host: still read locally, never fetched.
    logo = fetch_resource("https://crm.example.kr/static/forgecrm/favicon.svg", base_url="https://crm.example.kr/")
    assert logo.body.startswith(b"<svg")
    with pytest.raises(FetchRefused):
        fetch_resource("https://crm.example.kr/static/forgecrm/favicon.svg")  # not the document's base: refused


def test_public_media_images_are_served_through_the_storage(settings):
    folder = settings.MEDIA_ROOT / "public" / "logos"
    folder.mkdir(parents=True)
    (folder / "로고.png").write_bytes(png_bytes())
    resource = fetch_resource(INTERNAL_BASE_URL + "media/public/logos/%EB%A1%9C%EA%B3%A0.png")
    assert resource.mime_type == "image/png"
    assert resource.body == png_bytes()
    with pytest.raises(ResourceMissing):
        fetch_resource(INTERNAL_BASE_URL + "media/public/logos/none.png")


def test_media_outside_the_public_prefixes_is_refused(settings):
    for name in ("jobs/out/2026/11/export.png", "attachments/2026/11/0a1b.png", "public/report.csv", "public/x.svg"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png_bytes())
        with pytest.raises(FetchRefused):
            fetch_resource(INTERNAL_BASE_URL + "media/" + name)


def test_small_data_images_only():
    small = base64.b64encode(png_bytes()).decode()
    assert fetch_resource(f"data:image/png;base64,{small}").body == png_bytes()
    large = base64.b64encode(b"\0" * (300 * 1024)).decode()
    for url in (
        f"data:image/png;base64,{large}",
        "data:text/css,@import url(http://127.0.0.1/)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png,notbase64",
    ):
        with pytest.raises(FetchRefused):
            fetch_resource(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:8000/static/forgecrm/forge.css",
        "http://localhost/static/forgecrm/forge.css",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://evil.example/static/forgecrm/pdf/document.css",
        "ftp://127.0.0.1/x.png",
        "https://documents.forgecrm.invalid@127.0.0.1/static/forgecrm/favicon.svg",
        "https://documents.forgecrm.invalid:8443/static/forgecrm/favicon.svg",
        INTERNAL_BASE_URL + "static/../config/settings/base.py",
        INTERNAL_BASE_URL + "static/%2e%2e/%2e%2e/config/settings/base.py",
        INTERNAL_BASE_URL + "static/..%2f..%2fconfig%2fsettings%2fbase.css",
        INTERNAL_BASE_URL + "static/forgecrm/..%5c..%5cconfig%5csettings%5cbase.css",
        INTERNAL_BASE_URL + "static//etc/passwd.css",
        INTERNAL_BASE_URL + "static/forgecrm/forge.js",
        INTERNAL_BASE_URL + "static/forgecrm/pdf/document.css%00.png",
        INTERNAL_BASE_URL + "media/public/../../../config/settings/base.png",
        INTERNAL_BASE_URL + "config/settings/base.py",
    ],
)
def test_everything_else_is_refused_and_logged(url, caplog):
    with caplog.at_level(logging.WARNING, logger="forgecrm.platform.pdf"), pytest.raises(FetchRefused):
        fetch_resource(url)
    assert any("PDF resource refused" in record.getMessage() for record in caplog.records)


def test_a_refused_resource_leaves_the_document_otherwise_whole(caplog):
    hostile = '<p>특약 사항</p><img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">'
    with caplog.at_level(logging.WARNING, logger="forgecrm.platform.pdf"):
        pdf = render_pdf(QUOTE, quote_context(lines=1, rich_text=hostile), language="ko")
    assert "특약 사항" in page_texts(pdf)[0]
    refused = [record.getMessage() for record in caplog.records if "refused" in record.getMessage()]
    assert len(refused) == 2


def test_pdf_response_is_a_private_download_with_a_korean_name():
    response = pdf_response(b"%PDF-1.7 test", "견적서 Q-2026-0012.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == "13"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"Q-2026-0012.pdf\"; filename*=UTF-8''")
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "견적서 Q-2026-0012.pdf"
    assert pdf_response(b"", "Q-1.pdf", inline=True)["Content-Disposition"] == 'inline; filename="Q-1.pdf"'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("견적서", "견적서.pdf"),
        ("../../etc/passwd", "etc_passwd.pdf"),
        ('a"; filename="evil.exe', "a_ filename=_evil.exe.pdf"),
        ("line\r\nSet-Cookie: x=1.pdf", "line_Set-Cookie_ x=1.pdf"),
        ("", "document.pdf"),
        ("...PDF", "document.pdf"),
        ("월간 정산서 2026-11.PDF", "월간 정산서 2026-11.pdf"),
    ],
)
def test_file_names_are_made_safe(raw, expected):
    assert pdf_filename(raw) == expected
    header = content_disposition(raw)
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2  # one quoted fallback, no quote smuggled in


def test_a_hangul_only_name_falls_back_to_document():
    assert content_disposition("견적서").startswith("attachment; filename=\"document.pdf\"; filename*=UTF-8''%EA%B2%AC")
