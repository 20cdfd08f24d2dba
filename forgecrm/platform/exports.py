"""CSV and XLSX exports that spreadsheet programs cannot be tricked into executing.

A cell beginning with = + - @ (or a tab/CR) is read as a formula by Excel and LibreOffice;
such cells are prefixed with an apostrophe (OWASP's CSV injection advice).
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "｜", "＝", "＋", "－", "＠")


def neutralize(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # Shown in the user's time zone (Asia/Seoul), as the pages show it; spreadsheets have no time zones.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return neutralize(str(value))


def _sheet_title(name: str) -> str:
    """Excel refuses sheet names longer than 31 characters or containing []:*?/\\."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip("'")[:31]
    return title or "export"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[Any], columns: list[Column], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream():
        yield "\ufeff"  # BOM: Korean Excel opens UTF-8 CSV correctly only with it
        yield writer.writerow([neutralize(str(column.header)) for column in columns])
        for row in rows:
            yield writer.writerow([_cell(column.value(row)) for column in columns])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def xlsx_response(rows: Iterable[Any], columns: list[Column], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(filename))
    sheet.append([neutralize(str(column.header)) for column in columns])
    for row in rows:
        values = [_cell(column.value(row)) for column in columns]
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.xlsx")
    return response


def export_response(fmt: str, rows: Iterable[Any], columns: list[Column], filename: str):
    return xlsx_response(rows, columns, filename) if fmt == "xlsx" else csv_response(rows, columns, filename)


__all__ = ["Column", "csv_response", "export_response", "neutralize", "xlsx_response"]
