import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forgecrm.activities.models import ActivityKind, Attachment
from forgecrm.activities.operations import add_attachment, delete_activity, delete_attachment, log_activity
from forgecrm.activities.upload_checks import check_upload, sanitize_filename, sniff
from forgecrm.customers.tests.factories import AccountFactory, PartnerAccountFactory
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

from . import sample_files

ACCEPTED = [
    ("견적서.pdf", sample_files.pdf, "application/pdf"),
    ("현장 사진.png", sample_files.png, "image/png"),
    ("photo.JPG", sample_files.jpeg, "image/jpeg"),
    ("photo.jpeg", sample_files.jpeg, "image/jpeg"),
    ("anim.gif", sample_files.gif, "image/gif"),
    ("pic.webp", sample_files.webp, "image/webp"),
    ("memo.txt", lambda: "회의 메모\r\n다음 주 재방문".encode("cp949"), "text/plain"),
    ("list.csv", lambda: "\ufeff이름,전화\n김민준,010-1234-5678\n".encode(), "text/csv"),
    ("proposal.docx", sample_files.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("prices.xlsx", sample_files.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("deck.pptx", sample_files.pptx, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("계약서.hwp", sample_files.hwp, "application/x-hwp"),
    ("계약서.hwpx", sample_files.hwpx, "application/hwp+zip"),
]

REFUSED = [
    ("invoice.pdf", sample_files.exe, "content_mismatch"),  # an .exe renamed .pdf
    ("setup.exe", sample_files.exe, "extension"),
    ("report.docx", sample_files.xlsx, "content_mismatch"),  # a workbook named as a document
    ("macro.xlsx", sample_files.xlsm, "content_mismatch"),  # macro-enabled workbook
    ("photo.png", sample_files.jpeg, "content_mismatch"),
    ("notes.txt", lambda: b"<!DOCTYPE html><html><script>alert(1)</script></html>", "content_mismatch"),
    ("image.svg", lambda: b"<svg onload=alert(1)></svg>", "extension"),
    ("legacy.hwp", sample_files.doc, "content_mismatch"),  # an OLE Word file named .hwp
    ("cat.gif", sample_files.gifar, "content_mismatch"),  # GIFAR polyglot
    ("doc.pdf", lambda: sample_files.pdf() + sample_files.docx(), "content_mismatch"),  # PDF with a zip behind it
    ("archive.zip", sample_files.docx, "extension"),
    ("noext", sample_files.pdf, "extension"),
    ("empty.txt", lambda: b"", "empty"),
]


@pytest.mark.parametrize(("name", "content", "content_type"), ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_allowed_types_pass(name, content, content_type):
    data = content()
    checked = check_upload(name, data)
    assert checked.content_type == content_type
    assert checked.size == len(data) and checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("name", "content", "code"), REFUSED, ids=[row[0] for row in REFUSED])
def test_disallowed_or_disguised_files_are_refused(name, content, code):
    with pytest.raises(ValidationError) as error:
        check_upload(name, content())
    assert error.value.code == code


def test_sniffing_names_what_the_content_is():
    assert sniff(sample_files.exe()) == "binary"
    assert sniff(sample_files.doc()) == "ole"
    assert sniff(sample_files.hwpx()) == "hwpx"
    assert sniff(sample_files.xlsm()) == "zip"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\kim\\견적서.pdf", "견적서.pdf"),
        ("/abs/path/report.pdf", "report.pdf"),
        (".htaccess.txt", "htaccess.txt"),
        ("a\x00b\x1f<c>.pdf", "ab_c_.pdf"),
        ("..", "attachment"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_path_traversal_and_control_characters_are_neutralised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_oversized_files_are_refused_before_storing(settings, django_db_blocker):
    settings.FORGE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        check_upload("big.txt", b"a" * 1025)
    assert error.value.code == "too_large"
    assert check_upload("ok.txt", b"a" * 1024).size == 1024


@pytest.fixture
def private_root(settings, tmp_path):
    settings.FORGE_PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path / "private"


@pytest.mark.django_db
def test_add_attachment_stores_under_a_random_name_outside_media_root(private_root, settings):
    rep = UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    upload = SimpleUploadedFile("../../../etc/견적서.pdf", sample_files.pdf(), content_type="text/html")

    attachment = add_attachment(actor=rep, activity=activity, upload=upload)

    assert attachment.original_name == "견적서.pdf"
    assert attachment.content_type == "application/pdf"  # from the checked type, not what the browser claimed
    stored = Path(attachment.file.path)
    assert stored.is_file() and private_root in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert "견적서" not in stored.name and stored.suffix == ".pdf" and len(stored.stem) == 32
    assert attachment.file.storage.url is not None  # the storage exists, but it offers no public URL:
    with pytest.raises(ValueError):
        _ = attachment.file.url

    same_again = add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile("copy.pdf", sample_files.pdf()))
    assert same_again.pk == attachment.pk  # the same content is kept once per activity

    delete_attachment(actor=rep, attachment=attachment)
    assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_deleting_removes_the_file_after_commit(private_root):
    rep = UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    attachment = add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile("a.txt", b"hello"))
    path = Path(attachment.file.path)
    assert path.exists()
    delete_activity(actor=rep, activity=activity)
    assert not path.exists()


@pytest.mark.django_db
def test_refused_upload_stores_nothing(private_root):
    rep = UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    with pytest.raises(ValidationError):
        add_attachment(actor=rep, activity=activity, upload=SimpleUploadedFile("invoice.pdf", sample_files.exe()))
    assert not Attachment.objects.exists()
    assert not private_root.exists() or not any(private_root.rglob("*.pdf"))


@pytest.mark.django_db
def test_only_who_may_change_the_activity_attaches():
    rep, peer = UserFactory(), UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    with pytest.raises(PermissionDenied):
        add_attachment(actor=peer, activity=activity, upload=SimpleUploadedFile("a.txt", b"hi"))


@pytest.mark.django_db
def test_download_checks_scope_and_sends_safe_headers(private_root):
    partner_a, partner_b = PartnerAccountFactory(), PartnerAccountFactory()
    customer = AccountFactory(partner=partner_a)
    rep_a = UserFactory(role=Role.PARTNER_REP, organization=partner_a)
    rep_b = UserFactory(role=Role.PARTNER_REP, organization=partner_b)
    activity = log_activity(actor=rep_a, kind=ActivityKind.NOTE, subject="방문 메모", account=customer)
    attachment = add_attachment(
        actor=rep_a, activity=activity, upload=SimpleUploadedFile("설치 사진.png", sample_files.png())
    )
    url = f"/activities/attachments/{attachment.pk}/"

    own = Client()
    own.force_login(rep_a)
    response = own.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == sample_files.png()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%EC%84%A4%EC%B9%98" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"

    other = Client()
    other.force_login(rep_b)
    assert other.get(url).status_code == 404
    assert other.get(f"/api/v1/activities/{activity.pk}/attachments/{attachment.pk}/download/").status_code == 404
    assert other.post(f"/activities/attachments/{attachment.pk}/delete/").status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


@pytest.mark.django_db
def test_upload_page_refuses_a_disguised_file_with_a_message(private_root):
    rep = UserFactory()
    activity = log_activity(actor=rep, kind=ActivityKind.NOTE, subject="메모", account=AccountFactory(owner=rep))
    client = Client()
    client.force_login(rep)
    response = client.post(
        f"/activities/{activity.pk}/attachments/",
        {"file": SimpleUploadedFile("invoice.pdf", sample_files.exe())},
        follow=True,
    )
    assert response.status_code == 200
    assert not Attachment.objects.exists()
    assert any("refused" in str(message) or "거부" in str(message) for message in response.context["messages"])

    response = client.post(
        f"/activities/{activity.pk}/attachments/", {"file": SimpleUploadedFile("견적서.pdf", sample_files.pdf())}
    )
    assert response.status_code == 302 and Attachment.objects.count() == 1
