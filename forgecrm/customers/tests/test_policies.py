"""Who sees and changes what, through every door: page, API, search, export, autocomplete, permissions."""

import csv
import io

import pytest
from django.urls import reverse

from forgecrm.customers.models import Account
from forgecrm.customers.queries import account_list_for, contact_list_for
from forgecrm.platform.search import reindex_entity, search

pytestmark = pytest.mark.django_db


def visible_names(user) -> set[str]:
    return set(account_list_for(user, {}).values_list("name", flat=True))


def test_partner_rep_sees_their_dealer_and_its_customers_only(channel):
    assert visible_names(channel.dealer_a_rep) == {"대리점 가", "가나상사"}


def test_distributor_admin_sees_its_dealers_customers_but_never_a_siblings(channel):
    assert visible_names(channel.distributor_admin) == {"총판 서울", "대리점 가", "대리점 나", "가나상사", "나라기계"}


def test_customer_user_sees_only_their_own_account(channel):
    assert visible_names(channel.customer_user) == {"라온전자"}
    assert set(contact_list_for(channel.customer_user, {})) == set(channel.own_account.contacts.all())


def test_internal_rep_sees_own_records_and_manager_sees_the_subtree(channel):
    assert visible_names(channel.rep) == {"가나상사", "나라기계", "라온전자"}
    assert visible_names(channel.manager) == {"가나상사", "나라기계", "라온전자"}
    assert "다온설비" not in visible_names(channel.manager)
    assert len(visible_names(channel.admin)) == Account.objects.count()


def test_another_dealers_account_is_404_on_every_page(channel, login):
    client = login(channel.dealer_a_rep)
    foreign = channel.served_by_b
    for name in ("account-detail", "account-update", "account-merge"):
        assert client.get(reverse(f"customers:{name}", args=[foreign.pk])).status_code == 404, name
    assert client.post(reverse("customers:account-deactivate", args=[foreign.pk])).status_code == 404
    contact = foreign.contacts.get()
    assert client.get(reverse("customers:contact-detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("customers:contact-update", args=[contact.pk])).status_code == 404
    assert client.get(reverse("customers:contact-create"), {"account": foreign.pk}).status_code == 404
    assert client.get(reverse("customers:account-detail", args=[channel.served_by_a.pk])).status_code == 200


def test_another_dealers_account_is_404_through_the_api(channel, login):
    client = login(channel.dealer_a_rep)
    foreign = channel.served_by_b
    assert client.get(f"/api/v1/accounts/{foreign.pk}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/accounts/{foreign.pk}/", {"industry": "x"}, content_type="application/json", HTTP_IF_MATCH="*"
        ).status_code
        == 404
    )
    ids = {row["id"] for row in client.get("/api/v1/accounts/").json()["results"]}
    assert ids == {channel.dealer_a.pk, channel.served_by_a.pk}
    contact_ids = {row["id"] for row in client.get("/api/v1/contacts/").json()["results"]}
    assert contact_ids == set(channel.served_by_a.contacts.values_list("pk", flat=True))


def test_search_export_and_autocomplete_leave_out_other_dealers(channel, login):
    reindex_entity("account")
    reindex_entity("contact")
    assert {hit.title for hit in search(channel.dealer_a_rep, "나라기계")} == set()
    contact = channel.served_by_a.contacts.get()
    assert {hit.title for hit in search(channel.dealer_a_rep, "가나상사")} == {"가나상사", contact.full_name}
    client = login(channel.dealer_a_rep)
    body = b"".join(client.get(reverse("customers:account-list"), {"export": "csv"}).streaming_content)
    exported = {row[1] for row in list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]}
    assert exported == {"대리점 가", "가나상사"}
    results = client.get(reverse("customers:account-autocomplete"), {"q": "상사"}).json()["results"]
    assert [r["id"] for r in results] == [channel.served_by_a.pk]
    assert client.get(reverse("customers:account-autocomplete"), {"q": "나라"}).json() == {"results": []}
    typeahead = client.get(reverse("search-typeahead"), {"q": "다온설비"}).content.decode()
    assert "다온설비" not in typeahead.replace('value="다온설비"', "")


def test_partner_may_edit_what_it_serves_but_not_its_own_partner_record(channel):
    rep = channel.dealer_a_rep
    assert rep.has_perm("customers.change_account", channel.served_by_a)
    assert not rep.has_perm("customers.change_account", channel.dealer_a)
    assert not rep.has_perm("customers.change_account", channel.served_by_b)
    assert channel.distributor_admin.has_perm("customers.change_account", channel.served_by_b)
    assert not channel.distributor_admin.has_perm("customers.change_account", channel.served_by_c)
    assert not rep.has_perm("customers.merge_account", channel.served_by_a)
    assert not rep.has_perm("customers.delete_account", channel.served_by_a)


def test_customer_user_can_look_but_not_change(channel, login):
    user = channel.customer_user
    assert user.has_perm("customers.add_account") is False
    assert user.has_perm("customers.change_account", channel.own_account) is False
    client = login(user)
    assert client.get(reverse("customers:account-detail", args=[channel.own_account.pk])).status_code == 200
    assert client.get(reverse("customers:account-update", args=[channel.own_account.pk])).status_code == 403
    assert client.get(reverse("customers:account-create")).status_code == 403
    assert client.get(reverse("customers:account-detail", args=[channel.served_by_a.pk])).status_code == 404


def test_managers_merge_reps_do_not(channel):
    assert channel.manager.has_perm("customers.merge_account", channel.served_by_a)
    assert not channel.rep.has_perm("customers.merge_account", channel.served_by_a)
    assert not channel.manager.has_perm("customers.merge_account", channel.served_by_c)  # outside the subtree
    assert channel.rep.has_perm("customers.delete_account", channel.own_account)  # the owner
    assert not channel.other_rep.has_perm("customers.delete_account", channel.own_account)


def test_menu_and_dashboard_follow_the_scope(channel, login):
    from forgecrm.platform.ui.dashboard import dashboard_tiles, tile_count

    client = login(channel.dealer_a_rep)
    # A partner's home is the partner portal; headquarters' pages they may use carry the menu of their scope.
    assert client.get(reverse("dashboard"))["Location"] == reverse("partner_portal:home")
    page = client.get(reverse("customers:account-list"))
    labels = [entry["label"] for entry in page.context["menu"]]
    assert "Accounts" in [str(label) for label in labels] or "거래처" in [str(label) for label in labels]
    tiles = {tile.key: tile_count(tile, channel.dealer_a_rep) for tile in dashboard_tiles()}
    assert tiles["accounts"] == 1 and tiles["partners"] == 1 and tiles["contacts"] == 1
