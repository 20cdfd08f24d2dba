"""Django templates to PDF bytes with WeasyPrint, the bundled Hangul font and the safe fetcher."""

import functools
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .fetcher import INTERNAL_BASE_URL, fetch_resource


def render_pdf(
    template_name: str, context: Mapping[str, Any] | None = None, *, language: str, base_url: str | None = None
) -> bytes:
    """Render `template_name` (usually extending `platform/pdf/base.html`) in `language` to A4 PDF bytes.

    The template renders with `language` active (translations, the `money` filter, dates) and without a request
    (no context processors: pass what the document shows). Relative URLs (`{% static %}`, `/media/public/…`)
    resolve against `base_url` (e.g. `request.build_absolute_uri("/")`, so links in the PDF point at this site)
    or an internal origin; either way resources are read from our files by `fetch_resource`, never over the
    network, and anything else is left out and logged. Takes ~0.2-0.4 s for a few pages: render many documents
    (statements for every partner) in a Celery task, not in a request.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown document language: {language!r}")
    with translation.override(language):
        html = render_to_string(template_name, dict(context or {}))
    weasyprint = _weasyprint()
    document = weasyprint.HTML(
        string=html, base_url=base_url or INTERNAL_BASE_URL, url_fetcher=_fetcher_class()(base_url=base_url)
    )
    # A font configuration per document: WeasyPrint registers the @font-face files in it, and it is not shared
    # between threads.
    return document.write_pdf(font_config=weasyprint.text.fonts.FontConfiguration())


# WeasyPrint loads pango through cffi on import (~1 s here): it is imported on the first render, not by every
# process that imports a module calling render_pdf.
@functools.cache
def _weasyprint() -> Any:
    import weasyprint
    import weasyprint.text.fonts

    return weasyprint


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DocumentURLFetcher(URLFetcher):
        """WeasyPrint's fetcher with its network opener unused: every URL goes to `fetch_resource`."""

        def __init__(self, *, base_url: str | None) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False, timeout=1)
            self.document_base_url = base_url

        def fetch(self, url: str, headers: dict | None = None) -> Any:
            resource = fetch_resource(url, base_url=self.document_base_url)
            return URLFetcherResponse(url, resource.body, {"Content-Type": resource.mime_type})

    return DocumentURLFetcher
