"""Optimistic locking in the kernel (save_versioned, If-Match), exercised on a real business record."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIRequestFactory

from forgecrm.customers.models import Account
from forgecrm.customers.tests.factories import AccountFactory
from forgecrm.platform.api.errors import PreconditionFailed, PreconditionRequired
from forgecrm.platform.api.viewsets import etag_for, expected_version
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.platform.versioning import ConflictError, save_versioned

pytestmark = pytest.mark.django_db


def test_a_save_bumps_the_version_and_records_who():
    editor = UserFactory()
    account = AccountFactory(name="대한공조")
    saved = save_versioned(account, actor=editor, expected_version=1, changes={"name": "대한공조 본사"})
    assert (saved.version, saved.name, saved.updated_by) == (2, "대한공조 본사", editor)
    latest = account.history.latest()
    assert latest.history_user == editor and latest.name == "대한공조 본사"


def test_a_stale_version_is_a_conflict_and_changes_nothing():
    first, second = UserFactory(), UserFactory()
    account = AccountFactory(name="원래 이름")
    read_by_both = Account.objects.get(pk=account.pk)
    save_versioned(read_by_both, actor=first, expected_version=1, changes={"name": "첫 번째 수정"})
    with pytest.raises(ConflictError) as caught:
        save_versioned(read_by_both, actor=second, expected_version=1, changes={"name": "두 번째 수정"})
    assert caught.value.current.name == "첫 번째 수정" and caught.value.current.version == 2
    account.refresh_from_db()
    assert (account.name, account.version, account.updated_by) == ("첫 번째 수정", 2, first)


def test_invalid_changes_are_refused_before_saving():
    account = AccountFactory(brn="")
    with pytest.raises(ValidationError) as caught:
        save_versioned(account, actor=None, expected_version=1, changes={"brn": "1248100990"})
    assert "brn" in caught.value.message_dict
    account.refresh_from_db()
    assert account.version == 1 and account.brn == ""


def test_if_match_decides_the_expected_version():
    account = AccountFactory()
    factory = APIRequestFactory()

    def request(**headers):
        from rest_framework.parsers import JSONParser
        from rest_framework.request import Request

        return Request(factory.patch("/", {}, format="json", **headers), parsers=[JSONParser()])

    assert expected_version(request(HTTP_IF_MATCH=etag_for(account)), account) == 1
    assert expected_version(request(HTTP_IF_MATCH=f"W/{etag_for(account)}"), account) == 1
    assert expected_version(request(HTTP_IF_MATCH="*"), account) == 1
    with pytest.raises(PreconditionFailed):
        expected_version(request(HTTP_IF_MATCH='"account-1-v0"'), account)
    with pytest.raises(PreconditionRequired):
        expected_version(request(), account)


def test_the_api_answers_412_on_a_stale_write_and_428_without_a_precondition():
    from rest_framework.test import APIClient

    admin = UserFactory(role=Role.ADMIN)
    account = AccountFactory(name="대한공조")
    client = APIClient()
    client.force_authenticate(admin)
    url = f"/api/v1/accounts/{account.pk}/"
    read = client.get(url)
    assert read.status_code == 200 and read["ETag"] == etag_for(account)
    assert client.patch(url, {"name": "무조건"}, format="json").status_code == 428
    ok = client.patch(url, {"name": "대한공조 본사"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert ok.status_code == 200 and ok["ETag"] != read["ETag"]
    stale = client.patch(url, {"name": "늦은 수정"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    account.refresh_from_db()
    assert account.name == "대한공조 본사"
