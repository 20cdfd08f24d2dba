"""The import pages: who reaches them, the upload-preview-import flow, and the downloadable report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forgecrm.customers.imports import create_import_job
from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.models import Job, Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UPLOAD = reverse("customers:account-import")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


def upload(client, name: str, data: bytes, target="accounts", mode="fill"):
    return client.post(
        UPLOAD,
        {"target": target, "mode": mode, "account_kind": "customer", "file": SimpleUploadedFile(name, data)},
    )


def job_urls(job) -> list[str]:
    return [
        reverse("customers:account-import-job", args=[job.pk]),
        reverse("customers:account-import-report", args=[job.pk]),
    ]


@pytest.mark.parametrize("role", [Role.PARTNER_ADMIN, Role.PARTNER_REP, Role.CUSTOMER_USER])
def test_portal_users_get_404_on_every_import_page(client, admin, role):
    job = create_import_job(actor=admin, filename="a.csv", data=b"Name\nA\n", target="accounts")
    client.force_login(UserFactory(role=role, organization=AccountFactory()))
    for url in [UPLOAD, *job_urls(job)]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("customers:account-import-run", args=[job.pk])).status_code == 404
    assert upload(client, "a.csv", b"Name\nB\n").status_code == 404
    assert Job.objects.filter(kind="customers.import").count() == 1
    assert not Account.objects.filter(source="import").exists()


def test_internal_users_without_the_right_are_refused(client):
    client.force_login(UserFactory(role=Role.SERVICE_AGENT))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, "a.csv", b"Name\nB\n").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get(UPLOAD).status_code == 302


def test_another_users_job_is_404(client, admin):
    job = create_import_job(actor=admin, filename="a.csv", data=b"Name\nA\n", target="accounts")
    client.force_login(UserFactory(role=Role.ADMIN))
    for url in job_urls(job):
        assert client.get(url).status_code == 404
    assert client.post(reverse("customers:account-import-run", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == Job.Status.PREVIEW


def test_upload_preview_remap_and_import(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    assert client.get(UPLOAD).status_code == 200
    data = (
        "상호,대표전화,주소,메모\n(주)한빛공조,02-555-1234,서울 강남구 테헤란로 1,VIP\n대한기계,잘못된번호,,\n".encode(
            "cp949"
        )
    )
    response = upload(client, "거래처.csv", data)
    job = Job.objects.get(kind="customers.import")
    assert response.status_code == 302 and response.url == reverse("customers:account-import-job", args=[job.pk])

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "CP949" in html and "comma" in html
    assert "(주)한빛공조" in html and "02-555-1234" in html
    assert job.params["mapping"] == {
        "0": "account.name",
        "1": "account.phone",
        "2": "account.road_address",
        "3": "account.description",
    }
    assert Account.objects.count() == 0  # the preview writes nothing

    # The user decides the phone column is not to be imported: the invalid number no longer fails its row.
    remap = {f"col_{i}": key for i, key in job.params["mapping"].items()} | {"col_1": ""}
    response = client.post(response.url, {**remap, "mode": "fill", "account_kind": "customer"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.params["mapping"] == {"0": "account.name", "2": "account.road_address", "3": "account.description"}
    assert job.result["counts"]["rows_with_errors"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:account-import-run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert set(Account.objects.values_list("name", "phone", "kind", "description")) == {
        ("(주)한빛공조", "", "customer", "VIP"),
        ("대한기계", "", "customer", ""),
    }
    done = client.get(reverse("customers:account-import-job", args=[job.pk])).content.decode()
    assert "Imported as new" in done
    # After the run the mapping cannot change any more.
    assert client.post(reverse("customers:account-import-job", args=[job.pk]), remap).status_code == 403


def test_progress_is_polled_while_the_job_runs(client, admin):
    job = create_import_job(actor=admin, filename="a.csv", data=b"Name\nA\n", target="accounts")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, total=10, done=4)
    client.force_login(admin)
    html = client.get(reverse("customers:account-import-job", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("job-progress", args=[job.pk])}"' in html and "40%" in html
    progress = client.get(reverse("job-progress", args=[job.pk]))
    assert progress.status_code == 200 and "4 / 10" in progress.content.decode()


def test_rejected_upload_shows_the_reason_on_the_form(client, admin):
    client.force_login(admin)
    response = upload(client, "list.xlsx", b"Name,Phone\nA,1\n")
    assert response.status_code == 200
    assert "not an Excel workbook" in response.content.decode()
    assert not Job.objects.exists()


def test_hostile_cells_come_back_neutralised_in_the_report(client, admin, django_capture_on_commit_callbacks):
    rows = [
        ["=회사명", "사업자등록번호", "이메일"],
        ['=HYPERLINK("http://evil.example","click")', "123", ""],
        ["+cmd|' /C calc'!A0", "", "not-an-email"],
        ["-2+3", "", "@SUM(1+1)"],
        ["정상상사", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    client.force_login(admin)
    upload(client, "hostile.csv", buffer.getvalue().encode())
    job = Job.objects.get(kind="customers.import")
    # The formula-looking header is not recognised; map it to the name by hand.
    client.post(
        reverse("customers:account-import-job", args=[job.pk]),
        {
            "col_0": "account.name",
            "col_1": "account.brn",
            "col_2": "account.email",
            "mode": "fill",
            "account_kind": "prospect",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:account-import-run", args=[job.pk]))
    response = client.get(reverse("customers:account-import-report", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    report = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert report[0][4] == "'=회사명"
    cells = [cell for row in report[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "'+cmd|' /C calc'!A0" in cells and "'@SUM(1+1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert list(Account.objects.values_list("name", flat=True)) == ["정상상사"]


def test_the_upload_help_follows_the_language():
    from django.utils import translation

    from forgecrm.customers.imports.forms import ImportUploadForm

    help_text = ImportUploadForm.base_fields["file"].help_text
    with translation.override("en"):
        assert str(help_text).startswith("CSV (UTF-8 or CP949")
    with translation.override("ko"):
        assert "쉼표" in str(help_text)
