"""Bad input, themes 6 and 7: hostile file uploads (activity attachments) and hostile imports (CSV/XLSX).

Each case goes through the page a user would use. Safe outcome for attachments: refused with a message and
nothing stored, or stored under a random name outside the web root and served as a download with `nosniff`.
Safe outcome for imports: refused with the reason on the form (no job), or a preview that reads the file
correctly; never a server error, never a parser that follows entities or unpacks a bomb.
"""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from forgecrm.activities.models import ActivityKind, Attachment
from forgecrm.activities.operations import log_activity
from forgecrm.activities.tests import sample_files
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
UPLOAD = "/accounts/import/"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.FORGE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.LANGUAGE_CODE = "en"
    return tmp_path / "private"


@pytest.fixture
def rep():
    return UserFactory(role=Role.SALES_REP, language="en")


@pytest.fixture
def browser(rep):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    return client


@pytest.fixture
def activity(rep):
    return log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))


def attach(browser, activity, name, data):
    return browser.post(
        reverse("activities:attachment-upload", args=[activity.pk]),
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
        follow=True,
    )


def refused(response) -> bool:
    """Back on the activity with an error message (the rule that failed), not a success message."""
    levels = [message.level_tag for message in response.context["messages"]]
    return response.status_code == 200 and "error" in levels and "success" not in levels


# --- attachments ------------------------------------------------------------------------------------------------


def test_attachment_executable_renamed_pdf_is_refused(browser, activity):
    assert refused(attach(browser, activity, "invoice.pdf", sample_files.exe()))
    assert not Attachment.objects.exists()


def test_attachment_html_page_named_txt_is_refused(browser, activity):
    html = b"<!DOCTYPE html><html><script>document.location='//evil.example'</script></html>"
    assert refused(attach(browser, activity, "readme.txt", html))
    assert not Attachment.objects.exists()


def test_attachment_svg_with_script_is_refused(browser, activity):
    assert refused(
        attach(browser, activity, "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")
    )
    assert not Attachment.objects.exists()


def test_attachment_gif_jar_polyglot_is_refused(browser, activity):
    assert refused(attach(browser, activity, "photo.gif", sample_files.gifar()))
    assert not Attachment.objects.exists()


def test_attachment_pdf_with_a_zip_glued_behind_is_refused(browser, activity):
    assert refused(attach(browser, activity, "quote.pdf", sample_files.pdf() + sample_files.docx()))
    assert not Attachment.objects.exists()


def test_attachment_over_the_size_limit_is_refused(browser, activity, settings):
    settings.FORGE_ATTACHMENT_MAX_BYTES = 4096
    assert refused(attach(browser, activity, "big.txt", b"a" * 5000))
    assert not Attachment.objects.exists()


def test_attachment_office_zip_bomb_manifest_is_refused_without_unpacking(browser, activity):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("[Content_Types].xml", "w") as member:
            for _ in range(64):
                member.write(b" " * (1024 * 1024))  # 64 MB of blanks, ~64 KB on the wire
        archive.writestr("word/document.xml", "<w:document/>")
    assert len(buffer.getvalue()) < 200_000
    assert refused(attach(browser, activity, "contract.docx", buffer.getvalue()))
    assert not Attachment.objects.exists()


def test_attachment_path_traversal_name_is_stored_under_a_random_name(browser, activity, private_root):
    response = attach(browser, activity, "../../../../etc/cron.d/견적서.pdf", sample_files.pdf())
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.original_name == "견적서.pdf"
    stored = list(private_root.rglob("*"))
    files = [path for path in stored if path.is_file()]
    assert len(files) == 1 and "견적서" not in files[0].name and ".." not in str(files[0])
    assert str(files[0]).startswith(str(private_root))


def test_attachment_download_is_never_rendered_inline(browser, activity):
    attach(browser, activity, "메모.txt", b"plain text <b>not html</b>")
    attachment = Attachment.objects.get()
    response = browser.get(reverse("activities:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "html" not in response["Content-Type"]


def test_attachment_to_another_users_activity_is_404_and_stores_nothing(browser):
    stranger = UserFactory()
    theirs = log_activity(
        actor=stranger, kind=ActivityKind.NOTE, subject="비밀", account=AccountFactory(owner=stranger)
    )
    response = browser.post(
        reverse("activities:attachment-upload", args=[theirs.pk]),
        {"file": SimpleUploadedFile("a.pdf", sample_files.pdf())},
    )
    assert response.status_code == 404
    assert not Attachment.objects.exists()


# --- imports ----------------------------------------------------------------------------------------------------


@pytest.fixture
def importer():
    user = UserFactory(role=Role.ADMIN, language="en")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client, name: str, data: bytes):
    return client.post(
        UPLOAD,
        {"target": "accounts", "mode": "fill", "account_kind": "customer", "file": SimpleUploadedFile(name, data)},
    )


def preview(client, response) -> str:
    assert response.status_code == 302, response.content[:500]
    page = client.get(response.url)
    assert page.status_code == 200
    return page.content.decode()


def refused_on_form(response, reason: str) -> None:
    assert response.status_code in {200, 400}
    assert reason in response.content.decode()
    assert not Job.objects.exists()


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _replace_part(data: bytes, name: str, transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            archive.writestr(item.filename, transform(content) if item.filename == name else content)
    return buffer.getvalue()


def test_import_cp949_csv_reads_korean_correctly(importer):
    html = preview(
        importer, upload(importer, "거래처.csv", "상호,대표전화\n(주)한빛공조,02-555-1234\n".encode("cp949"))
    )
    assert "CP949" in html and "(주)한빛공조" in html


def test_import_utf8_bom_header_is_recognised(importer):
    html = preview(importer, upload(importer, "list.csv", "\ufeff상호,이메일\n대한기계,a@b.kr\n".encode()))
    assert "대한기계" in html
    job = Job.objects.get()
    assert job.params["mapping"]["0"] == "account.name"  # the BOM did not stick to the first header


def test_import_mixed_encodings_do_not_crash(importer):
    data = "상호\n대한기계\n".encode() + "한빛공조\n".encode("cp949")
    response = upload(importer, "mixed.csv", data)
    if response.status_code == 302:
        preview(importer, response)
    else:
        assert response.status_code in {200, 400} and "encoding" in response.content.decode().lower()


def test_import_broken_quotes_do_not_crash(importer):
    data = '상호,메모\n"대한기계,"열린 따옴표\n한빛"공조,x""y\n"닫힘"",z\n'.encode()
    response = upload(importer, "quotes.csv", data)
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        preview(importer, response)


def test_import_one_megabyte_cell_does_not_crash(importer):
    data = b"Name,Note\nA," + b"x" * 1_100_000 + b"\n"
    response = upload(importer, "big-cell.csv", data)
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        assert len(preview(importer, response)) < 2_000_000  # the preview does not echo the whole megabyte twice


def test_import_binary_renamed_csv_is_refused(importer):
    response = upload(importer, "accounts.csv", sample_files.exe())
    assert response.status_code in {200, 400}
    assert not Job.objects.exists()


def test_import_over_the_size_limit_is_refused(importer, settings):
    settings.FORGE_IMPORT_MAX_BYTES = 1024 * 1024
    refused_on_form(upload(importer, "huge.csv", b"Name\n" + b"a\n" * 600_000), "larger than")


def test_import_xlsx_zip_bomb_is_refused(importer, settings):
    settings.FORGE_IMPORT_MAX_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(12):
                member.write(b" " * (1024 * 1024))
    refused_on_form(upload(importer, "bomb.xlsx", buffer.getvalue()), "zip bomb")


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def _body(content: bytes) -> bytes:
    return content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content


def test_import_xlsx_entity_bomb_is_refused(importer):
    good = _xlsx([["Name"], ["A"]])
    bad = _replace_part(
        good, "xl/worksheets/sheet1.xml", lambda c: BILLION_LAUGHS + _body(c).replace(b"<v>", b"<v>&lol3;", 1)
    )
    response = upload(importer, "bomb.xlsx", bad)
    assert response.status_code in {200, 400}
    assert "lollol" not in response.content.decode()
    assert not Job.objects.exists()


def test_import_xlsx_external_entity_is_refused(importer):
    good = _xlsx([["Name"], ["A"]])
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    bad = _replace_part(good, "xl/worksheets/sheet1.xml", lambda c: xxe + _body(c).replace(b"<t>A</t>", b"<t>&e;</t>"))
    response = upload(importer, "xxe.xlsx", bad)
    assert response.status_code in {200, 400}
    assert "root:" not in response.content.decode()
    assert not Job.objects.exists()


def test_import_formula_cells_are_kept_as_text_and_exported_neutralised(importer, django_capture_on_commit_callbacks):
    data = '상호,메모\n"=HYPERLINK(""http://evil.example"",""x"")",@SUM(1)\n'.encode()
    html = preview(importer, upload(importer, "formulas.csv", data))
    assert "HYPERLINK" in html
    job = Job.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        importer.post(reverse("customers:account-import-run", args=[job.pk]))
    export = importer.get(reverse("customers:account-list"), {"export": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body, newline="")) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert not [cell for cell in cells if cell.startswith(("=", "@", "+"))]


def test_import_path_traversal_file_name_is_kept_as_a_plain_name(importer):
    preview(importer, upload(importer, "../../../tmp/거래처.csv", "상호\n대한기계\n".encode()))
    assert Job.objects.get().params["filename"] == "거래처.csv"
