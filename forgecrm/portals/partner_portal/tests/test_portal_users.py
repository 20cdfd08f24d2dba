"""Partner admins manage exactly their own organisation's portal users; invitations work once."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from forgecrm.partners.tests.factories import PartnerUserFactory
from forgecrm.platform.models import Role, User
from forgecrm.platform.models.events import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, partner_admin):
    client.force_login(partner_admin)
    return client


def test_a_rep_cannot_open_the_users_page(rep_client):
    assert rep_client.get(reverse("partner_portal:user-list")).status_code == 403


def test_the_list_shows_own_users_only(admin_client, rep, other_partner):
    stranger = PartnerUserFactory(organization=other_partner, full_name="남의회사")
    body = admin_client.get(reverse("partner_portal:user-list")).content.decode()
    assert rep.full_name in body and stranger.full_name not in body


def test_invite_creates_an_inactive_user_and_mails_a_link_that_works_once(
    admin_client, dealer, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("partner_portal:user-invite"),
            {"email": "New.Rep@Dealer.example", "full_name": "신입사원", "role": "partner_rep", "language": "ko"},
        )
    assert response.status_code == 302
    invited = User.objects.get(email="new.rep@dealer.example")
    assert not invited.is_active and invited.organization == dealer and invited.role == Role.PARTNER_REP
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.rep@dealer.example"]
    link = re.search(r"https?://\S+/partner/invitation/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]

    anonymous = client.__class__()
    page = anonymous.get(path)
    assert page.status_code == 200 and "신입사원" in page.content.decode()
    refused = anonymous.post(path, {"password": "Gaeul-Hanbit-2026!", "password_again": "Gaeul-Hanbit-2026!"})
    assert refused.status_code == 200 and not User.objects.get(pk=invited.pk).is_active  # terms not accepted
    done = anonymous.post(
        path, {"password": "Gaeul-Hanbit-2026!", "password_again": "Gaeul-Hanbit-2026!", "accept_terms": "on"}
    )
    assert done.status_code == 302
    invited.refresh_from_db()
    assert invited.is_active and invited.check_password("Gaeul-Hanbit-2026!")
    assert OutboxEvent.objects.filter(event_type="PortalTermsAccepted", payload__user_id=invited.pk).exists()
    assert anonymous.get(path).status_code == 404  # the link worked once


def test_an_invitation_cannot_give_an_internal_role_or_reuse_an_address(admin_client, rep):
    url = reverse("partner_portal:user-invite")
    response = admin_client.post(
        url, {"email": "x@dealer.example", "full_name": "X", "role": "admin", "language": "ko"}
    )
    assert response.status_code == 400 and not User.objects.filter(email="x@dealer.example").exists()
    response = admin_client.post(url, {"email": rep.email, "full_name": "X", "role": "partner_rep", "language": "ko"})
    assert response.status_code == 400 and "already has an account" in response.content.decode()


def test_role_change_and_deactivation_stay_inside_the_organisation(admin_client, partner_admin, rep, other_partner):
    stranger = PartnerUserFactory(organization=other_partner)
    assert (
        admin_client.post(
            reverse("partner_portal:user-role", args=[stranger.pk]), {"role": "partner_admin"}
        ).status_code
        == 404
    )
    assert admin_client.post(reverse("partner_portal:user-deactivate", args=[stranger.pk])).status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == Role.PARTNER_REP and stranger.is_active

    admin_client.post(reverse("partner_portal:user-role", args=[rep.pk]), {"role": "sales_manager"})
    rep.refresh_from_db()
    assert rep.role == Role.PARTNER_REP
    admin_client.post(reverse("partner_portal:user-role", args=[rep.pk]), {"role": "partner_admin"})
    rep.refresh_from_db()
    assert rep.role == Role.PARTNER_ADMIN

    admin_client.post(reverse("partner_portal:user-deactivate", args=[partner_admin.pk]))
    partner_admin.refresh_from_db()
    assert partner_admin.is_active  # never oneself
    admin_client.post(reverse("partner_portal:user-deactivate", args=[rep.pk]))
    rep.refresh_from_db()
    assert not rep.is_active
