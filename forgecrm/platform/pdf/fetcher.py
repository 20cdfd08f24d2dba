"""What a PDF may load: our own static files and public media images, read from disk or storage, never the network.

A document is built from templates that may carry user rich text (quote notes, product descriptions). WeasyPrint
fetches every URL it meets (img, stylesheets, @import, @font-face, SVG <image>, attachments), so without this
fetcher `<img src="file:///etc/passwd">` or `<img src="http://169.254.169.254/...">` would be read on the server.

Served:
- static files (`STATIC_URL` under the document's own origin, or an absolute `STATIC_URL`): found through the
  staticfiles finders or `STATIC_ROOT`, only stylesheets, fonts and images;
- media (`MEDIA_URL`): raster images from the default storage under `FORGE_PDF_MEDIA_PREFIXES` only (never
  imports, exports or attachments, which hold personal data and leave only through scoped views);
- `data:` URLs of raster images up to 256 KiB (small logos and stamps pasted inline); nothing else as data.
Refused, and logged on `forgecrm.platform.pdf`: every other scheme and host (file:, ftp:, http(s) to anywhere,
loopback and metadata addresses included), path traversal in any spelling, other file types, oversized files.
"""

import base64
import binascii
import logging
import os
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage

logger = logging.getLogger("forgecrm.platform.pdf")

# Relative URLs in a document resolve against this origin when the caller gives no base URL. `.invalid` never
# resolves (RFC 2606), and the fetcher never opens a connection anyway: the origin only names "ours".
INTERNAL_BASE_URL = "https://documents.forgecrm.invalid/"

STATIC_TYPES = {
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",  # our own files only; a user's SVG is not served from media
}
MEDIA_TYPES = {ext: mime for ext, mime in STATIC_TYPES.items() if mime.startswith("image/") and ext != ".svg"}
DATA_TYPES = set(MEDIA_TYPES.values())
MAX_STATIC_BYTES = 16 * 1024 * 1024  # the Noto Sans KR weights are ~4.7 MB each
MAX_MEDIA_BYTES = 10 * 1024 * 1024
MAX_DATA_BYTES = 256 * 1024


class FetchRefused(ValueError):
    """A URL the document may not load (WeasyPrint leaves the resource out and goes on)."""


class ResourceMissing(FileNotFoundError):
    """An allowed URL with no file behind it."""


def _origin_and_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}", parts.path


def _safe_name(raw: str) -> str:
    """The storage name a URL path names, or a refusal: no empty, `.` or `..` segment in any spelling."""
    name = unquote(raw)
    if not name or "\\" in name or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise FetchRefused("unsafe characters in the path")
    if any(segment in {"", ".", ".."} for segment in name.split("/")):
        raise FetchRefused("path traversal")
    return name


def _within(path: str, roots: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == root or real.startswith(root + os.sep) for root in roots)


def _shorten(url: str) -> str:
    if url[:5].lower() == "data:":
        return url.split(",", 1)[0][:60] + ",…"
    return url if len(url) <= 200 else url[:200] + "…"


@dataclass(frozen=True)
class Resource:
    body: bytes
    mime_type: str


def fetch_resource(url: str, *, base_url: str | None = None) -> Resource:
    """The file an absolute URL in a document names, or FetchRefused / ResourceMissing (both logged).

    `base_url` is the document's base: its origin counts as ours too (besides `INTERNAL_BASE_URL`), so its
    `STATIC_URL` and `MEDIA_URL` paths are read from our files, never fetched from that host.
    """
    try:
        return _serve(url, _roots(base_url))
    except FetchRefused as refusal:
        logger.warning("PDF resource refused: %s (%s)", _shorten(url), refusal)
        raise
    except ResourceMissing:
        logger.warning("PDF resource missing: %s", _shorten(url))
        raise


def _roots(base_url: str | None) -> list[tuple[str, str, str]]:
    origins = {INTERNAL_BASE_URL}
    if base_url and urlsplit(base_url).scheme in {"http", "https"} and urlsplit(base_url).netloc:
        origins.add(base_url)
    return [
        (kind, *_origin_and_path(urljoin(origin, prefix)))
        for origin in sorted(origins)
        for kind, prefix in (("static", settings.STATIC_URL), ("media", settings.MEDIA_URL))
        if prefix
    ]


def _serve(url: str, roots: list[tuple[str, str, str]]) -> Resource:
    if url[:5].lower() == "data:":
        return _data(url)
    origin, path = _origin_and_path(url)
    for kind, root_origin, root_path in roots:
        if origin == root_origin and path.startswith(root_path):
            name = _safe_name(path[len(root_path) :])
            return _static(name) if kind == "static" else _media(name)
    raise FetchRefused("not our static files or media")


def _static(name: str) -> Resource:
    mime = STATIC_TYPES.get(PurePosixPath(name).suffix.lower())
    if mime is None:
        raise FetchRefused("not a stylesheet, font or image")
    roots = [
        os.path.realpath(storage.location)
        for finder in finders.get_finders()
        for storage in getattr(finder, "storages", {}).values()
        if getattr(storage, "location", None)
    ]
    roots.append(os.path.realpath(settings.STATIC_ROOT))
    try:
        found = finders.find(name) or os.path.join(settings.STATIC_ROOT, name)
    except SuspiciousFileOperation as error:
        raise FetchRefused("path traversal") from error
    path = str(found)
    if not _within(path, roots):
        raise FetchRefused("outside the static directories")
    if not os.path.isfile(path):
        raise ResourceMissing(name)
    if os.path.getsize(path) > MAX_STATIC_BYTES:
        raise FetchRefused("file too large")
    with open(path, "rb") as file:
        return Resource(file.read(), mime)


def _media(name: str) -> Resource:
    prefixes = [prefix.strip("/") + "/" for prefix in settings.FORGE_PDF_MEDIA_PREFIXES if prefix.strip("/")]
    if not any(name.startswith(prefix) for prefix in prefixes):
        raise FetchRefused("media outside FORGE_PDF_MEDIA_PREFIXES")
    mime = MEDIA_TYPES.get(PurePosixPath(name).suffix.lower())
    if mime is None:
        raise FetchRefused("media that is not a raster image")
    storage = default_storage
    try:
        if isinstance(storage, FileSystemStorage) and not _within(
            storage.path(name), [os.path.realpath(storage.location)]
        ):
            raise FetchRefused("outside the media root")
        if not storage.exists(name):
            raise ResourceMissing(name)
        if storage.size(name) > MAX_MEDIA_BYTES:
            raise FetchRefused("file too large")
        with storage.open(name, "rb") as file:
            return Resource(file.read(MAX_MEDIA_BYTES + 1), mime)
    except SuspiciousFileOperation as error:
        raise FetchRefused("path traversal") from error


def _data(url: str) -> Resource:
    header, comma, payload = url[5:].partition(",")
    params = [param.strip().lower() for param in header.split(";")]
    if not comma or params[0] not in DATA_TYPES or "base64" not in params[1:]:
        raise FetchRefused("data: URL that is not a base64 raster image")
    if len(payload) > MAX_DATA_BYTES * 4 // 3 + 4:
        raise FetchRefused("data: URL too large")
    try:
        body = base64.b64decode(unquote(payload), validate=False)
    except (binascii.Error, ValueError) as error:
        raise FetchRefused("data: URL that does not decode") from error
    if len(body) > MAX_DATA_BYTES:
        raise FetchRefused("data: URL too large")
    return Resource(body, params[0])
