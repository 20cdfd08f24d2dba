"""Downloads of generated PDFs: a safe file name in Content-Disposition (RFC 6266 with RFC 5987 for Korean)."""

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

UNSAFE_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"*/:<>?\\|;]+')
MAX_NAME_LENGTH = 120


def pdf_filename(raw: str) -> str:
    """A file name a browser and a file system accept: no path, quotes, control characters; ends in `.pdf`."""
    name = unicodedata.normalize("NFC", raw or "")
    name = UNSAFE_CHARACTERS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip()
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem.strip(" ._")[:MAX_NAME_LENGTH] or "document"
    return f"{stem}.pdf"


def ascii_filename(name: str) -> str:
    """The fallback for clients without RFC 5987: ASCII letters, digits and `._-()` (Hangul drops out)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9._()\- ]+", "_", text[:-4] if text.lower().endswith(".pdf") else text)
    stem = re.sub(r"_{2,}", "_", stem).strip(" ._-")
    return f"{stem or 'document'}.pdf"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="Q-0012.pdf"; filename*=UTF-8''%EA%B2%AC…` (the second only for non-ASCII names)."""
    name = pdf_filename(filename)
    fallback = ascii_filename(name)
    disposition = "inline" if inline else "attachment"
    if name == fallback:
        return f'{disposition}; filename="{fallback}"'
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def pdf_response(pdf_bytes: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """The PDF as a download (or shown in the browser with `inline=True`); never cached by shared caches."""
    response = HttpResponse(pdf_bytes, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Content-Length"] = str(len(pdf_bytes))
    # Quotes and statements carry prices and customers' names.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
