"""Reading an uploaded CSV or XLSX into rows: checks, encoding, dialect, line numbers.

An upload is refused before it is parsed when it is too large, when its content does not match its
extension, when an XLSX archive would unpack to far more than it weighs (a zip bomb) or when any of its
XML parts declares a DTD or entities (billion laughs, external entities).
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext_lazy as _

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx",)
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
DELIMITER_LABELS = {"comma": _("comma"), "semicolon": _("semicolon"), "tab": _("tab"), "bar": _("vertical bar")}
# Excel refuses cells above 32,767 characters; anything larger is not a value a person typed.
MAX_CELL_CHARS = 32_767
# An XLSX part may unpack to at most this many times the size of the whole upload limit.
MAX_UNPACKED_FACTOR = 4
MAX_COMPRESSION_RATIO = 200
MAX_ARCHIVE_MEMBERS = 2_000
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Magic numbers of formats that are never a CSV, whatever the file is called.
BINARY_SIGNATURES = (
    b"PK\x03\x04",
    b"%PDF",
    b"\x7fELF",
    b"MZ",
    b"\xd0\xcf\x11\xe0",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
)
DTD_PATTERN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
HANGUL = re.compile(r"[\uac00-\ud7a3]")

# Quoted cells may hold a whole document (Salesforce rich text); the cell rule below reports them per row.
csv.field_size_limit(64 * 1024 * 1024)


class UploadRejected(ValueError):
    """The file is refused as a whole; the message says why, in the user's language."""


@dataclass
class Table:
    """A file's header and rows; `rows` yields (line number in the file, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]
    file_type: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        """A stable key ("comma", "semicolon", "tab", "bar"); pages translate it when they show it."""
        return DELIMITER_NAMES.get(self.delimiter, self.delimiter)


def file_type_for(name: str) -> str:
    lowered = (name or "").lower()
    if lowered.endswith(XLSX_EXTENSIONS):
        return "xlsx"
    if lowered.endswith(CSV_EXTENSIONS):
        return "csv"
    raise UploadRejected(_("Upload a .csv or .xlsx file."))


def check_upload(name: str, data: bytes) -> str:
    """The file type ("csv" or "xlsx") if the upload may be read; raises UploadRejected otherwise."""
    limit = settings.FORGE_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise UploadRejected(_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)})
    if not data.strip():
        raise UploadRejected(_("The file is empty."))
    kind = file_type_for(name)
    if kind == "xlsx":
        _check_xlsx(data, limit)
    else:
        _check_csv(data)
    return kind


def _check_csv(data: bytes) -> None:
    head = data[:4096]
    if head.startswith(BINARY_SIGNATURES):
        raise UploadRejected(_("This file is not a text CSV file (its content is of another format)."))
    if any(head.startswith(bom) for bom, _codec in BOMS):
        return
    if b"\x00" in head:
        raise UploadRejected(_("This file is not a text CSV file (it contains binary data)."))


def _check_xlsx(data: bytes, limit: int) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(_("This file is not an Excel workbook (.xlsx) although its name says so."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as error:
        raise UploadRejected(_("This Excel workbook is damaged and cannot be opened.")) from error
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRejected(_("This file is not an Excel workbook (.xlsx) although its name says so."))
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise UploadRejected(_("This Excel workbook has too many parts to be a spreadsheet."))
    # Declared sizes are checked first; the reading below counts real bytes, since headers can lie.
    declared = sum(member.file_size for member in members)
    if declared > limit * MAX_UNPACKED_FACTOR or any(
        member.file_size > 1024 * 1024 and member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        for member in members
    ):
        raise UploadRejected(_("This Excel workbook unpacks to far more data than it holds (a zip bomb); refused."))
    unpacked = 0
    for member in members:
        if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with archive.open(member) as stream:
                tail = b""
                while chunk := stream.read(256 * 1024):
                    unpacked += len(chunk)
                    if unpacked > limit * MAX_UNPACKED_FACTOR:
                        raise UploadRejected(
                            _("This Excel workbook unpacks to far more data than it holds (a zip bomb); refused.")
                        )
                    if DTD_PATTERN.search(tail + chunk):
                        raise UploadRejected(
                            _(
                                "This Excel workbook declares XML entities or a DTD, which spreadsheets never need; refused."
                            )
                        )
                    tail = chunk[-16:]
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
            raise UploadRejected(_("This Excel workbook is damaged and cannot be opened.")) from error


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): BOM first, then strict UTF-8, then CP949 as Korean Excel writes it, then a guess."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data, bom, codec)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        text = ""
    # Random Latin-1 bytes sometimes decode as CP949 too; real CP949 text is mostly Hangul beyond ASCII.
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if text and len(HANGUL.findall(text)) >= 0.6 * len(non_ascii):
        return text, "CP949"
    best = from_bytes(data).best()
    if best is None:
        raise UploadRejected(_("The text encoding of this file could not be recognised; save it as UTF-8 CSV."))
    return str(best), best.encoding.upper().replace("_", "-")


def _decode_with_bom(data: bytes, bom: bytes, codec: str) -> tuple[str, str]:
    body = data[len(bom) :]
    if codec == "utf-8-sig":
        return _strict(body, "utf-8"), "UTF-8 (BOM)"
    little = bom in (codecs.BOM_UTF16_LE, codecs.BOM_UTF32_LE)
    if codec == "utf-16" and len(body) >= 4:
        # Some exporters write a 2-byte mark before UTF-32 text, or the mark of the other byte order
        # (Salesforce keeps such fixtures): ASCII text shows where its zero bytes are.
        if body[2:4] == b"\x00\x00" and body[:1] != b"\x00":
            return _strict(body, "utf-32-le"), "UTF-32 (BOM)"
        if body[:2] == b"\x00\x00":
            return _strict(body, "utf-32-be"), "UTF-32 (BOM)"
        if body[1:2] == b"\x00" and body[:1] != b"\x00":
            little = True
        elif body[:1] == b"\x00":
            little = False
    return _strict(body, f"{codec}-{'le' if little else 'be'}"), f"{codec.upper()} (BOM)"


def _strict(body: bytes, codec: str) -> str:
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        raise UploadRejected(
            _("The file starts with a byte-order mark but its text is not %(codec)s.") % {"codec": codec.upper()}
        ) from error


def _excel_separator_line(text: str) -> tuple[str, str | None]:
    """Excel's "sep=;" first line names the delimiter; it is not part of the data."""
    first, _newline, rest = text.partition("\n")
    match = re.fullmatch(r'"?sep=(.)"?\r?', first.strip("\ufeff"))
    return (rest, match.group(1)) if match else (text, None)


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of columns."""
    lines = sample[:65536]
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            rows = [
                row for _n, row in zip(range(30), csv.reader(io.StringIO(lines), delimiter=delimiter), strict=False)
            ]
        except csv.Error:
            continue
        if len(rows) > 1 and not lines.endswith("\n"):
            rows = rows[:-1]  # the last sampled line may be cut in the middle
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for row in rows if len(row) == width)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, doublequote=True, strict=False)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        if any(cell.strip() for cell in row):
            yield start, row


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        raise UploadRejected(_("This file is not a text CSV file (it contains binary data)."))
    text, declared = _excel_separator_line(text)
    offset = 1 if declared else 0
    delimiter = declared or sniff_delimiter(text)
    rows = _csv_rows(text, delimiter)
    try:
        _line, headers = next(rows)
    except StopIteration as error:
        raise UploadRejected(_("The file has no header row.")) from error
    shifted = ((line + offset, cells) for line, cells in rows)
    return Table(
        headers=[h.strip() for h in headers], rows=shifted, file_type="csv", encoding=encoding, delimiter=delimiter
    )


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # imported here: only XLSX uploads pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise UploadRejected(_("This Excel workbook is damaged and cannot be opened.")) from error
    sheet = workbook.worksheets[0]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_xlsx_cell(value) for value in values]
            if any(cell.strip() for cell in cells):
                yield number, cells
        workbook.close()

    iterator = rows()
    try:
        _line, headers = next(iterator)
    except StopIteration as error:
        raise UploadRejected(_("The first sheet of this workbook is empty.")) from error
    while headers and not headers[-1].strip():
        headers.pop()
    return Table(headers=[h.strip() for h in headers], rows=iterator, file_type="xlsx", sheet=sheet.title)


def read_table(name: str, data: bytes) -> Table:
    """Check the upload, then open it: the header row and an iterator over the data rows."""
    kind = check_upload(name, data)
    table = read_xlsx(data) if kind == "xlsx" else read_csv(data)
    if not any(table.headers):
        raise UploadRejected(_("The file has no header row."))
    return table
