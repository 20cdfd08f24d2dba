"""Where attachment files live: never under a URL the web server hands out.

`MEDIA_ROOT` is served as static files in development, so attachments on the filesystem go to a private
root (`FORGE_PRIVATE_MEDIA_ROOT`, default `var/private`) that only the scoped download view reads. A deployment
with S3-compatible storage (FORGE_FILE_STORAGE) keeps them in its private bucket, or names a dedicated
`STORAGES["attachments"]` backend.
"""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.utils import timezone


class PrivateFileSystemStorage(FileSystemStorage):
    """A filesystem storage rooted outside MEDIA_ROOT, read from settings on each use (tests override it)."""

    @property
    def base_location(self):  # type: ignore[override]  # settings may change at run time (tests)
        default = Path(getattr(settings, "VAR_DIR", settings.MEDIA_ROOT)) / "private"
        configured = getattr(self, "_location", None)  # set by FileSystemStorage.__init__
        return self._value_or_setting(configured, getattr(settings, "FORGE_PRIVATE_MEDIA_ROOT", default))

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):  # type: ignore[override]  # no public URL: files leave only through the download view
        return None


def attachment_storage() -> Storage:
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    backend = settings.STORAGES.get("default", {}).get("BACKEND", "")
    if backend.endswith("FileSystemStorage"):
        return PrivateFileSystemStorage()
    return default_storage


def attachment_upload_to(instance, filename: str) -> str:
    """A random name under a month folder; the extension is the checked one, the user's name is kept apart."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    now = timezone.now()
    return f"attachments/{now:%Y/%m}/{secrets.token_hex(16)}{extension}"
