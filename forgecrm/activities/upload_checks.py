"""What an attachment may be: an allowed extension whose content really is that type, within the size limit.

The extension alone is a claim; the first bytes (and, for Office/HWPX files, the zip's manifest) are the
evidence. A file whose content sniffs as another type (an .exe renamed .pdf, an HTML page named .txt, a zip
glued behind a GIF) is refused, so a browser or a desktop program never opens something the user did not see.
"""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"

OOXML_MAIN_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "txt": "text/plain",
    "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "hwp": "application/x-hwp",
    "hwpx": "application/hwp+zip",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)

# Binary signatures of types we never accept, so the refusal can say what the file really is.
FOREIGN_SIGNATURES = (
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"\xca\xfe\xba\xbe", "Mach-O / Java class"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"#!", "script"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
    (b"\x1f\x8b", "gzip archive"),
)
MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe|object|embed)\b", re.IGNORECASE)
MAX_NAME = 150


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the sanitised original name
    extension: str
    content_type: str
    size: int
    sha256: str


def sanitize_filename(raw: str) -> str:
    """The last path component only, no control or reserved characters, no leading dots, bounded length."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name  # strips "../", "C:\\", "/etc/"
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/\\|?*]', "_", name).strip().lstrip(".").strip()
    if not name or name in {".", ".."}:
        name = "attachment"
    stem, dot, extension = name.rpartition(".")
    if dot and len(name) > MAX_NAME:
        name = f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
    return name[:MAX_NAME]


def extension_of(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _zip_members(data: bytes) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        return None


def _read_member(archive: zipfile.ZipFile, name: str, limit: int = 256 * 1024) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:  # a manifest this big is a zip bomb, not an Office file
        return None
    with archive.open(info) as member:
        return member.read(limit)


def _sniff_zip(data: bytes) -> str | None:
    archive = _zip_members(data)
    if archive is None:
        return None
    with archive:
        mimetype = _read_member(archive, "mimetype")
        if mimetype is not None and mimetype.strip() == b"application/hwp+zip":
            return "hwpx"
        manifest = _read_member(archive, "[Content_Types].xml")
        if manifest is None:
            return "zip"
        text = manifest.decode("utf-8", "replace")
        for extension, main_type in OOXML_MAIN_TYPES.items():
            if f'ContentType="{main_type}"' in text:
                return extension
        return "zip"  # macro-enabled (.docm/.xlsm) and other Office flavours are not accepted


def _looks_like_hwp(data: bytes) -> bool:
    # HWP 5 is an OLE compound file with a "FileHeader" stream that starts with the HWP signature.
    return b"HWP Document File" in data[: 64 * 1024] and "FileHeader".encode("utf-16-le") in data


def _sniff_text(data: bytes) -> str | None:
    if b"\x00" in data[:8192]:
        return None
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None
    if MARKUP.match(data.lstrip(b"\xef\xbb\xbf")):
        return "html"
    controls = sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f")
    return "txt" if controls == 0 else None


def sniff(data: bytes) -> str | None:
    """The file type the content shows, as an extension; None when it is nothing we recognise."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(data)
    if head.startswith(OLE_MAGIC):
        return "hwp" if _looks_like_hwp(data) else "ole"
    if head.startswith(b"HWP Document File"):  # HWP 3.0
        return "hwp"
    for signature, _label in FOREIGN_SIGNATURES:
        if head.startswith(signature):
            return "binary"
    return _sniff_text(data)


def _has_trailing_archive(data: bytes, kind: str) -> bool:
    """A zip directory at the end of a non-zip file makes it a polyglot (GIFAR, PDF+ZIP)."""
    if kind in {"docx", "xlsx", "pptx", "hwpx"}:
        return False
    return ZIP_END in data[-(65536 + 22) :]


def _expected(extension: str) -> set[str]:
    if extension in {"jpg", "jpeg"}:
        return {"jpg"}
    if extension == "csv":
        return {"txt"}
    return {extension}


def check_size(size: int) -> None:
    limit = settings.FORGE_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; attachments may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )


def check_upload(raw_name: str, data: bytes) -> CheckedUpload:
    """Validate one upload; raises ValidationError (a message naming the rule) when it may not be stored."""
    check_size(len(data))
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    name = sanitize_filename(raw_name)
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Files of type .%(extension)s are not accepted. Allowed: %(allowed)s.")
            % {"extension": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)},
            code="extension",
        )
    kind = sniff(data)
    if kind not in _expected(extension) or _has_trailing_archive(data, kind or ""):
        raise ValidationError(
            _("The content of this file is not a .%(extension)s file; it was refused.") % {"extension": extension},
            code="content_mismatch",
        )
    return CheckedUpload(
        name=name,
        extension=extension,
        content_type=CONTENT_TYPES[extension],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
