"""Bad input, theme: PDF documents whose rich text points at local files or internal URLs (issue 4).

Quotes, statements and reports are rendered with WeasyPrint, which loads every URL a document names. Two lines
of defence, each tested on its own: the nh3 sanitisers the apps already use for rich text (no script, style,
link, iframe, object), and the platform's fetcher (forgecrm.platform.pdf), which reads only our static files
and public media images from disk and refuses every other URL. Safe outcome: the document renders, the hostile
resources are left out and logged, no connection is opened (a listener on 127.0.0.1 stays untouched), and
neither /etc/passwd, the settings nor a private media file ends up in the PDF, as text or as an attachment.
"""

import logging
import socket

import pytest
from PIL import Image

from forgecrm.activities.rich_text import sanitize_body
from forgecrm.catalog.models.products import sanitize_description
from forgecrm.platform.pdf import render_pdf
from forgecrm.platform.tests.pdf_samples import (
    QUOTE,
    decoded_streams,
    embedded_files,
    page_texts,
    quote_context,
    sample_templates,
)


@pytest.fixture(autouse=True)
def _sample_templates():
    with sample_templates():
        yield


@pytest.fixture
def listener():
    """A port on loopback that any fetch of http://127.0.0.1:<port>/ would connect to."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    yield server
    server.close()


def connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.fixture
def private_media(settings):
    """A private export and an attachment in the default storage, named as an attacker would guess them."""
    for name in ("jobs/out/2026/11/export.png", "attachments/2026/11/contract.png"):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (40, 40), (200, 0, 0)).save(path)


def hostile_rich_text(port: int) -> str:
    loopback = f"http://127.0.0.1:{port}"
    return f"""
<p>특약 사항: 납기 4주</p>
<script>document.write("<img src='{loopback}/script'>")</script>
<img src="x" onerror="fetch('{loopback}/onerror')">
<img src="file:///etc/passwd"><img src="{loopback}/img.png"><img src="http://169.254.169.254/latest/meta-data/">
<img src="/static/../../config/settings/base.py"><img src="/static/%2e%2e/%2e%2e/config/settings/base.py">
<img src="/media/jobs/out/2026/11/export.png"><img src="/media/attachments/2026/11/contract.png">
<style>@import url("{loopback}/import.css"); body {{ background: url("file:///etc/passwd") }}</style>
<link rel="stylesheet" href="{loopback}/link.css">
<a rel="attachment" href="file:///etc/passwd">첨부</a><a rel="attachment" href="{loopback}/attach">첨부2</a>
<object data="file:///etc/passwd"></object><embed src="{loopback}/embed"><iframe src="file:///etc/passwd"></iframe>
<svg width="10" height="10"><image href="file:///etc/passwd" width="10" height="10"/></svg>
<p style="background-image: url('{loopback}/inline-style')">스타일</p>
"""


def assert_nothing_leaked(pdf: bytes, server: socket.socket) -> None:
    text = "\n".join(page_texts(pdf))
    assert "특약 사항" in text
    assert "root:" not in text and "SECRET_KEY" not in text
    assert embedded_files(pdf) == []
    streams = decoded_streams(pdf)
    assert b"root:x:0:0" not in streams and b"SECRET_KEY" not in streams
    assert connections(server) == 0


@pytest.mark.parametrize("sanitize", [sanitize_description, sanitize_body], ids=["product-description", "body"])
def test_sanitised_rich_text_keeps_no_script_and_loads_nothing_of_ours(sanitize, listener, private_media, caplog):
    cleaned = sanitize(hostile_rich_text(listener.getsockname()[1]))
    lowered = cleaned.lower()
    for forbidden in (
        "<script",
        "onerror",
        "<style",
        "<link",
        "<object",
        "<embed",
        "<iframe",
        "<svg",
        "style=",
        "file:",
    ):
        assert forbidden not in lowered
    with caplog.at_level(logging.WARNING, logger="forgecrm.platform.pdf"):
        pdf = render_pdf(QUOTE, quote_context(lines=1, rich_text=cleaned), language="ko")
    assert_nothing_leaked(pdf, listener)


def test_unsanitised_html_is_still_held_by_the_fetcher(listener, private_media, caplog):
    # A template that forgot to sanitise (`|safe` on raw input): the fetcher is the second line.
    with caplog.at_level(logging.WARNING, logger="forgecrm.platform.pdf"):
        pdf = render_pdf(
            QUOTE, quote_context(lines=1, rich_text=hostile_rich_text(listener.getsockname()[1])), language="ko"
        )
    assert_nothing_leaked(pdf, listener)
    refused = " ".join(record.getMessage() for record in caplog.records if "refused" in record.getMessage())
    for url in ("file:///etc/passwd", "/img.png", "/import.css", "/link.css", "169.254.169.254", "/media/jobs/out"):
        assert url in refused
    assert "/media/attachments/" in refused
    assert "config/settings" in refused


def test_a_base_url_on_an_internal_host_is_never_fetched(listener):
    # Even when the caller names a loopback host as the document's base, its static files come from disk.
    base = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    pdf = render_pdf(QUOTE, quote_context(lines=1, rich_text="<p>특약 사항</p>"), language="ko", base_url=base)
    assert "견적서" in page_texts(pdf)[0]
    assert connections(listener) == 0
