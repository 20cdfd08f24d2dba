"""Reading uploads: encodings, dialects, XLSX, and files that must be refused."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from forgecrm.customers.imports.reading import UploadRejected, check_upload, decode, read_table, sniff_delimiter


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


KOREAN_CSV = "회사명,대표전화,주소\n(주)한빛공조,02-555-1234,서울특별시 강남구 테헤란로 1\n대한기계,031-123-4567,경기도 수원시 영통구 삼성로 1\n"


def rows_of(table):
    return list(table.rows)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (KOREAN_CSV.encode("utf-8"), "UTF-8"),
        (KOREAN_CSV.encode("utf-8-sig"), "UTF-8 (BOM)"),
        (KOREAN_CSV.encode("cp949"), "CP949"),
        (KOREAN_CSV.encode("euc-kr"), "CP949"),
        (KOREAN_CSV.encode("utf-16"), "UTF-16 (BOM)"),
    ],
)
def test_encodings_give_the_same_rows(data, encoding):
    table = read_table("accounts.csv", data)
    assert table.encoding == encoding
    assert table.headers == ["회사명", "대표전화", "주소"]
    assert rows_of(table) == [
        (2, ["(주)한빛공조", "02-555-1234", "서울특별시 강남구 테헤란로 1"]),
        (3, ["대한기계", "031-123-4567", "경기도 수원시 영통구 삼성로 1"]),
    ]


def test_cp949_only_characters_decode():
    # 똠 and 햏 are outside EUC-KR's 2,350 syllables; Korean Excel writes them in CP949's extension.
    text, encoding = decode("회사명\n똠햏상사\n".encode("cp949"))
    assert encoding == "CP949"
    assert "똠햏상사" in text


def test_latin1_is_not_taken_for_cp949():
    text, encoding = decode("Name\nCafé Müller Société Générale Ærø\n".encode("latin-1"))
    assert encoding != "CP949"
    assert "Müller" in text


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter):
    text = (
        delimiter.join(["Name", "Phone", "City"])
        + "\n"
        + delimiter.join(["A, Inc.", "1", "X"]).replace("A, Inc.", '"A, Inc."' if delimiter == "," else "A, Inc.")
    )
    table = read_table("a.csv", text.encode())
    assert table.delimiter == delimiter
    assert rows_of(table) == [(2, ["A, Inc.", "1", "X"])]


def test_semicolon_with_decimal_commas_is_not_taken_for_comma():
    text = "Name;Revenue;Employees\nAlpha;1,5;10\nBeta;2,25;20\nGamma;3,0;30\n"
    assert sniff_delimiter(text) == ";"


def test_excel_sep_line_names_the_delimiter_and_keeps_line_numbers():
    table = read_table("a.csv", b"sep=;\nName;Phone\nA;1\nB;2\n")
    assert table.delimiter == ";"
    assert table.headers == ["Name", "Phone"]
    assert rows_of(table) == [(3, ["A", "1"]), (4, ["B", "2"])]


def test_quoted_newlines_and_doubled_quotes_keep_physical_line_numbers():
    data = b'Name,Note\n"The ""Best"" Account","two\nlines"\nNext,x\n\nLast,y\n'
    rows = rows_of(read_table("a.csv", data))
    assert rows[0] == (2, ['The "Best" Account', "two\nlines"])
    assert rows[1] == (4, ["Next", "x"])  # the record above spans lines 2 and 3
    assert rows[2] == (6, ["Last", "y"])  # an empty line is skipped, not renumbered


def test_a_one_megabyte_cell_is_read_not_crashed_on():
    data = b"Name,Note\nA," + b"x" * 1_100_000 + b"\n"
    [(_line, cells)] = rows_of(read_table("a.csv", data))
    assert len(cells[1]) == 1_100_000


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "거래처"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_cells_become_text_as_typed():
    import datetime as dt

    data = _xlsx(
        [["회사명", "사업자등록번호", "직원수", "등록일"], ["한빛", 1208147521, 25.0, dt.datetime(2024, 3, 1)], [None]]
    )
    table = read_table("list.xlsx", data)
    assert table.file_type == "xlsx"
    assert table.sheet == "거래처"
    assert rows_of(table) == [(2, ["한빛", "1208147521", "25", "2024-03-01"])]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("list.pdf", b"Name\nA\n", "Upload a .csv or .xlsx file."),
        ("list.csv", b"%PDF-1.7 binary", "not a text CSV"),
        ("list.csv", b"PK\x03\x04 zip pretending", "not a text CSV"),
        ("list.csv", b"Name\x00\x01\x02", "binary data"),
        ("list.xlsx", b"Name,Phone\nA,1\n", "not an Excel workbook"),
        ("list.csv", b"   \n ", "empty"),
    ],
)
def test_content_must_match_the_extension(name, data, reason, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(UploadRejected, match=reason):
        check_upload(name, data)


def test_size_limit(settings):
    settings.FORGE_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(UploadRejected, match="larger than 1 MB"):
        check_upload("a.csv", b"Name\n" + b"A\n" * 600_000)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UploadRejected):
        check_upload("book.xlsx", buffer.getvalue())


def test_xlsx_zip_bomb_is_refused_before_parsing(settings):
    settings.FORGE_IMPORT_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(12):
                member.write(b" " * (1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < settings.FORGE_IMPORT_MAX_BYTES  # small on the wire, 12 MB unpacked
    with pytest.raises(UploadRejected, match="zip bomb"):
        check_upload("bomb.xlsx", data)


def _with_part(data: bytes, name: str, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            archive.writestr(item.filename, transform(content) if item.filename == name else content)
    return buffer.getvalue()


def _body(content: bytes) -> bytes:
    """The XML without its declaration, if it has one."""
    return content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_xlsx_with_an_entity_bomb_is_refused():
    good = _xlsx([["Name"], ["A"]])
    assert check_upload("ok.xlsx", good) == "xlsx"

    def poison(content: bytes) -> bytes:
        return BILLION_LAUGHS + _body(content).replace(b"<v>", b"<v>&lol3;", 1)

    bad = _with_part(good, "xl/worksheets/sheet1.xml", poison)
    with pytest.raises(UploadRejected, match="DTD"):
        read_table("bomb.xlsx", bad)


def test_xlsx_with_an_external_entity_is_refused():
    good = _xlsx([["Name"], ["A"]])
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    bad = _with_part(good, "[Content_Types].xml", lambda content: xxe + _body(content))
    with pytest.raises(UploadRejected):
        check_upload("xxe.xlsx", bad)
