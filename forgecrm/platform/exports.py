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
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (int, float, Decimal, dt.date)):
        return value
    return neutralize(str(value))


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
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Iterable[Any], columns: list[Column], filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(filename[:31])
    sheet.append([str(column.header) for column in columns])
    for row in rows:
        values = [_cell(column.value(row)) for column in columns]
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, rows: Iterable[Any], columns: list[Column], filename: str):
    return xlsx_response(rows, columns, filename) if fmt == "xlsx" else csv_response(rows, columns, filename)


__all__ = ["Column", "csv_response", "export_response", "neutralize", "xlsx_response"]
