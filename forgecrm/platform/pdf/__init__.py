"""PDF documents (quotes, commission statements, reports): render_pdf and pdf_response; see README.md."""

from .fetcher import INTERNAL_BASE_URL, FetchRefused, Resource, ResourceMissing, fetch_resource
from .rendering import render_pdf
from .responses import content_disposition, pdf_filename, pdf_response

__all__ = [
    "INTERNAL_BASE_URL",
    "FetchRefused",
    "Resource",
    "ResourceMissing",
    "content_disposition",
    "fetch_resource",
    "pdf_filename",
    "pdf_response",
    "render_pdf",
]
