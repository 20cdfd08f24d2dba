"""The portal's deal registration pages: register (field errors, products with quantities), edit a draft, submit
(a conflict stays "under review" and names nobody), the decision, 404 on another partner's, stale versions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forgecrm.catalog.tests.factories import ProductFactory
from forgecrm.customers.tests.factories import PartnerAccountFactory
from forgecrm.partners.models import ChannelConflict, DealRegistration, RegistrationStatus
from forgecrm.partners.tests.factories import DealRegistrationFactory, DealRegistrationLineFactory

pytestmark = pytest.mark.django_db
BRN = "120-81-47521"


def _payload(product, **extra):
    close = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    return {
        "customer_name": "(주)미래정밀",
        "customer_brn": BRN,
        "contact_name": "박지훈",
        "contact_email": "buyer@mirae.kr",
        "contact_phone": "010-2345-6789",
        "sido": "경기도",
        "sigungu": "성남시",
        "product_line": product.product_line_id,
        "expected_amount": "85000000",
        "expected_close_date": close,
        "product_0": product.pk,
        "quantity_0": "12",
        **extra,
    }


def test_a_rep_registers_a_deal_with_products_and_submits_it(rep_client, rep, dealer):
    product = ProductFactory()
    assert rep_client.get(reverse("partner_portal:registration-create")).status_code == 200
    response = rep_client.post(reverse("partner_portal:registration-create"), _payload(product))
    registration = DealRegistration.objects.get(customer_name="(주)미래정밀")
    assert response.status_code == 302 and registration.partner_id == dealer.pk
    assert registration.customer_brn == "1208147521" and registration.status == RegistrationStatus.DRAFT
    assert [(line.product_id, line.quantity) for line in registration.lines.all()] == [(product.pk, 12)]

    detail = rep_client.get(reverse("partner_portal:registration-detail", args=[registration.pk])).content.decode()
    assert "(주)미래정밀" in detail and "× 12" in detail and 'data-action="submit-registration"' in detail

    response = rep_client.post(
        reverse("partner_portal:registration-submit", args=[registration.pk]), {"version": registration.version}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.SUBMITTED
    listing = rep_client.get(reverse("partner_portal:registration-list")).content.decode()
    assert "(주)미래정밀" in listing and ("Under review" in listing or "검토 중" in listing)


def test_field_errors_and_nothing_saved(rep_client):
    product = ProductFactory()
    bad = _payload(product, customer_brn="123-45-67890", contact_email="nope", expected_close_date="2020-01-01")
    response = rep_client.post(reverse("partner_portal:registration-create"), bad)
    assert response.status_code == 400
    assert not DealRegistration.objects.exists()
    assert 'name="customer_brn"' in response.content.decode()


def test_a_conflict_is_under_review_and_names_no_other_partner(rep_client, rep, dealer):
    other = PartnerAccountFactory(name="(주)경쟁대리점")
    DealRegistrationFactory(
        partner=other,
        customer_name="(주)미래정밀",
        customer_brn="1208147521",
        status="submitted",
        submitted_at=timezone.now(),
    )
    registration = DealRegistrationFactory(
        partner=dealer, submitted_by=rep, customer_name="(주)미래정밀", customer_brn="1208147521"
    )
    DealRegistrationLineFactory(registration=registration, product=ProductFactory())
    rep_client.post(reverse("partner_portal:registration-submit", args=[registration.pk]))
    assert ChannelConflict.objects.filter(registration=registration).exists()
    body = rep_client.get(reverse("partner_portal:registration-detail", args=[registration.pk])).content.decode()
    assert "(주)경쟁대리점" not in body and "conflict" not in body.lower()
    assert (
        "(주)경쟁대리점"
        not in rep_client.get(reverse("partner_portal:registration-list") + "?status=").content.decode()
    )


def test_the_decision_and_the_expiring_badge_show(rep_client, rep, dealer):
    registration = DealRegistrationFactory(
        partner=dealer,
        submitted_by=rep,
        status="approved",
        decided_at=timezone.now(),
        decision_note="축하합니다",
        exclusive_until=timezone.localdate() + dt.timedelta(days=5),
    )
    body = rep_client.get(reverse("partner_portal:registration-detail", args=[registration.pk])).content.decode()
    assert "축하합니다" in body and registration.exclusive_until.isoformat() in body
    listing = rep_client.get(reverse("partner_portal:registration-list") + "?status=approved").content.decode()
    assert "bg-orange-lt" in listing
    # an approved registration is no longer a draft: no edit, no submit
    assert rep_client.get(reverse("partner_portal:registration-edit", args=[registration.pk])).status_code == 403
    assert rep_client.post(reverse("partner_portal:registration-submit", args=[registration.pk])).status_code == 403


def test_another_partners_registration_is_404_and_untouched(rep_client, other_partner):
    registration = DealRegistrationFactory(partner=other_partner)
    for name in ("registration-detail", "registration-edit"):
        assert rep_client.get(reverse(f"partner_portal:{name}", args=[registration.pk])).status_code == 404
    assert rep_client.post(reverse("partner_portal:registration-submit", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.DRAFT


def test_a_stale_edit_is_a_conflict_and_changes_nothing(rep_client, rep, dealer):
    product = ProductFactory()
    registration = DealRegistrationFactory(partner=dealer, submitted_by=rep, customer_name="(주)원래이름")
    url = reverse("partner_portal:registration-edit", args=[registration.pk])
    assert "(주)원래이름" in rep_client.get(url).content.decode()
    response = rep_client.post(url, _payload(product, customer_name="(주)새이름", version=registration.version - 1))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.customer_name == "(주)원래이름"
    response = rep_client.post(url, _payload(product, customer_name="(주)새이름", version=registration.version))
    registration.refresh_from_db()
    assert registration.customer_name == "(주)새이름"


def test_list_and_detail_run_a_constant_number_of_queries(rep_client, rep, dealer, django_assert_max_num_queries):
    def grow(count):
        for _ in range(count):
            registration = DealRegistrationFactory(partner=dealer, submitted_by=rep)
            DealRegistrationLineFactory(registration=registration, product=ProductFactory())

    grow(2)
    with django_assert_max_num_queries(15) as small:
        rep_client.get(reverse("partner_portal:registration-list"))
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(reverse("partner_portal:registration-list"))

    registration = DealRegistrationFactory(partner=dealer, submitted_by=rep)
    DealRegistrationLineFactory(registration=registration, product=ProductFactory())
    url = reverse("partner_portal:registration-detail", args=[registration.pk])
    with django_assert_max_num_queries(20) as small:
        rep_client.get(url)
    for _ in range(6):
        DealRegistrationLineFactory(registration=registration, product=ProductFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        rep_client.get(url)


def test_pages_render_in_korean_and_english(rep_client, dealer):
    for language, word in [("ko", "딜 등록"), ("en", "Register a deal")]:
        rep_client.cookies["django_language"] = language
        body = rep_client.get(reverse("partner_portal:registration-list"), HTTP_ACCEPT_LANGUAGE=language)
        assert word in body.content.decode(), language


def _approved(dealer, name, stage=None, **opportunity):
    from forgecrm.sales.models import Stage
    from forgecrm.sales.tests.factories import OpportunityFactory

    deal = None
    if stage is not None:
        deal = OpportunityFactory(partner=dealer, stage=Stage.objects.get(code=stage), **opportunity)
    return DealRegistrationFactory(
        partner=dealer,
        customer_name=name,
        status=RegistrationStatus.APPROVED,
        decided_at=timezone.now(),
        exclusive_until=timezone.localdate() + dt.timedelta(days=60),
        opportunity=deal,
    )


def test_the_partner_sees_each_approved_registrations_outcome_and_filters_by_it(rep_client, dealer, other_partner):
    from forgecrm.sales.tests.factories import OpportunityCompetitorFactory
    from forgecrm.sales.tests.factories import krw as sales_krw

    won = _approved(dealer, "(주)수주고객", "won", amount=sales_krw(123_450_000), win_loss_reason="relationship",
                    closed_at=timezone.now())  # fmt: skip
    lost = _approved(dealer, "(주)실주고객", "lost", amount=sales_krw(77_000_000), win_loss_reason="price",
                     win_loss_note="ZQXinternal-noteQ")  # fmt: skip
    OpportunityCompetitorFactory(opportunity=lost.opportunity, competitor_name="ZQXcompetitorQ")
    _approved(dealer, "(주)진행고객", "proposal")
    _approved(dealer, "(주)기회대기")  # approved, no opportunity yet: open
    DealRegistrationFactory(partner=dealer, customer_name="(주)초안고객")  # a draft has no outcome
    _approved(other_partner, "(주)남의고객", "won")

    url = reverse("partner_portal:registration-list")
    body = rep_client.get(url, {"status": ""}).content.decode()
    assert "123,450,000" in body and "77,000,000" in body
    assert 'data-outcome="won"' in body and 'data-outcome="lost"' in body and 'data-outcome="open"' in body
    assert "ZQXcompetitorQ" not in body and "ZQXinternal-noteQ" not in body and "(주)남의고객" not in body

    def listed(outcome):
        page = rep_client.get(url, {"outcome": outcome}).content.decode()
        names = ["(주)수주고객", "(주)실주고객", "(주)진행고객", "(주)기회대기", "(주)초안고객", "(주)남의고객"]
        return {name for name in names if name in page}

    assert listed("won") == {"(주)수주고객"}
    assert listed("lost") == {"(주)실주고객"}
    assert listed("open") == {"(주)진행고객", "(주)기회대기"}

    detail = rep_client.get(reverse("partner_portal:registration-detail", args=[lost.pk])).content.decode()
    assert 'id="registration-outcome"' in detail and "77,000,000" in detail
    assert "ZQXcompetitorQ" not in detail and "ZQXinternal-noteQ" not in detail
    detail = rep_client.get(reverse("partner_portal:registration-detail", args=[won.pk])).content.decode()
    assert 'data-outcome="won"' in detail
