"""Lead pages and API: list/detail/create/edit/status/assign/convert/import, the public web form with its
spam traps and frame policy, configuration pages, query counts that do not grow with rows."""

import time
from types import SimpleNamespace

import pytest
from django.urls import reverse

from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory
from forgecrm.sales.models import Lead, LeadConsent, LeadScoringRule
from forgecrm.sales.operations import lead_capture
from forgecrm.sales.tests.factories import LeadConsentFactory, LeadFactory, LeadScoringRuleFactory, WebFormFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    manager = UserFactory(role=Role.SALES_MANAGER, full_name="박팀장")
    return SimpleNamespace(
        admin=UserFactory(role=Role.ADMIN),
        manager=manager,
        rep=UserFactory(role=Role.SALES_REP, manager=manager, full_name="김영업"),
        stranger=UserFactory(role=Role.SALES_REP, full_name="남영업"),
    )


def login(client, user):
    client.force_login(user)
    return client


def test_list_filters_and_exports(client, people):
    LeadFactory(owner=people.rep, company_name="(주)보이는", status="working", score=40)
    LeadFactory(owner=people.stranger, company_name="(주)안보이는")
    login(client, people.rep)
    body = client.get(reverse("sales:lead-list")).content.decode()
    assert "(주)보이는" in body and "(주)안보이는" not in body
    assert "(주)보이는" not in client.get(reverse("sales:lead-list"), {"status": "new"}).content.decode()
    assert "(주)보이는" in client.get(reverse("sales:lead-list"), {"min_score": 30}).content.decode()
    export = client.get(reverse("sales:lead-list"), {"export": "csv"})
    assert export.status_code == 200 and "(주)보이는" in b"".join(export.streaming_content).decode("utf-8-sig")
    assert client.get(reverse("sales:lead-list"), {"export": "xlsx"}).status_code == 200


def test_list_and_detail_query_counts_do_not_grow(client, people, django_assert_max_num_queries):
    login(client, people.manager)
    for _i in range(3):
        LeadConsentFactory(lead=LeadFactory(owner=people.rep))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("sales:lead-list"))
    for _i in range(30):
        LeadConsentFactory(lead=LeadFactory(owner=people.rep))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales:lead-list"))
    lead = Lead.objects.first()
    for _i in range(5):
        LeadConsentFactory(lead=lead)
    with django_assert_max_num_queries(40) as detail:
        assert client.get(reverse("sales:lead-detail", args=[lead.pk])).status_code == 200
    for _i in range(20):
        LeadConsentFactory(lead=lead)
    with django_assert_max_num_queries(len(detail.captured_queries)):
        client.get(reverse("sales:lead-detail", args=[lead.pk]))


def test_detail_shows_score_reasons_consents_history(client, people):
    LeadScoringRuleFactory(name="대기업 가점", kind="fit", field="size", operator="equals", value="large", points=20)
    login(client, people.rep)
    response = client.post(
        reverse("sales:lead-create"),
        {"person_name": "이서연", "company_name": "(주)새리드", "size": "large", "source": "phone"},
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and lead.owner == people.rep
    LeadConsentFactory(lead=lead, text_version="v9")
    body = client.get(reverse("sales:lead-detail", args=[lead.pk])).content.decode()
    assert "대기업 가점" in body and "v9" in body and "Created" in body and "{# activity panel #}" not in body
    assert client.get(reverse("sales:lead-detail", args=[lead.pk])).status_code == 200
    login(client, people.stranger)
    assert client.get(reverse("sales:lead-detail", args=[lead.pk])).status_code == 404


def test_create_warns_about_duplicates_then_creates_on_confirm(client, people):
    LeadFactory(owner=people.rep, email="dup@daehan.kr")
    login(client, people.rep)
    data = {"person_name": "이서연", "email": "dup@daehan.kr", "source": "phone"}
    response = client.post(reverse("sales:lead-create"), data)
    assert response.status_code == 200 and "Possible duplicates" in response.content.decode()
    assert Lead.objects.count() == 1
    assert client.post(reverse("sales:lead-create"), {**data, "confirm_duplicates": "1"}).status_code == 302
    assert Lead.objects.count() == 2
    htmx = client.get(reverse("sales:lead-duplicates"), {"email": "dup@daehan.kr"})
    assert "Possible duplicates" in htmx.content.decode()


def test_bad_input_and_stale_edit(client, people):
    lead = LeadFactory(owner=people.rep)
    login(client, people.rep)
    response = client.post(
        reverse("sales:lead-edit", args=[lead.pk]),
        {
            "person_name": "이서연",
            "brn": "123-45-67890",
            "email": "x",
            "mobile": "12",
            "source": "phone",
            "version": lead.version,
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"brn", "email", "mobile"}
    ok = {"person_name": "새이름", "source": "phone", "version": lead.version}
    assert client.post(reverse("sales:lead-edit", args=[lead.pk]), ok).status_code == 302
    stale = client.post(reverse("sales:lead-edit", args=[lead.pk]), {**ok, "person_name": "덮어쓰기"})
    assert stale.status_code == 409
    lead.refresh_from_db()
    assert lead.person_name == "새이름"


def test_status_assign_and_bulk_assign(client, people):
    lead = LeadFactory(owner=None)
    login(client, people.manager)
    client.post(reverse("sales:lead-status", args=[lead.pk]), {"status": "disqualified", "version": lead.version})
    lead.refresh_from_db()
    assert lead.status == "new"  # no reason: refused
    client.post(
        reverse("sales:lead-status", args=[lead.pk]),
        {"status": "disqualified", "reason": "no_budget", "version": lead.version},
    )
    lead.refresh_from_db()
    assert lead.status == "disqualified"
    other = LeadFactory(owner=None)
    assert client.get(reverse("sales:lead-assign", args=[other.pk])).status_code == 200
    response = client.post(
        reverse("sales:lead-assign", args=[other.pk]), {"owner": people.rep.pk, "version": other.version}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.owner == people.rep
    third, fourth = LeadFactory(owner=None), LeadFactory(owner=None)
    client.post(reverse("sales:lead-bulk-assign"), {"owner": people.rep.pk, "lead": [third.pk, fourth.pk]})
    assert Lead.objects.filter(owner=people.rep).count() == 3
    login(client, people.rep)
    assert client.get(reverse("sales:lead-assign", args=[other.pk])).status_code == 403


def test_convert_page_needs_the_pipeline_or_can_skip_the_deal(client, people):
    lead = LeadFactory(owner=people.rep, company_name="(주)전환사", person_name="정전환", email="c@conv.kr")
    LeadConsentFactory(lead=lead)
    login(client, people.rep)
    assert client.get(reverse("sales:lead-convert", args=[lead.pk])).status_code == 200
    response = client.post(
        reverse("sales:lead-convert", args=[lead.pk]),
        {"account_name": "(주)전환사", "version": lead.version},  # create_opportunity unticked
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "converted" and lead.converted_contact.consents.count() == 1


# --- the public form -------------------------------------------------------------------------------------------


def _post(client, form, **extra):
    token = lead_capture.form_token(form, now=time.time() - 10)
    data = {"person_name": "방문자", "email": "v@visit.kr", "started": token, "consent_marketing_email": "on", **extra}
    return client.post(reverse("sales:web-form-public", args=[form.slug]), data, REMOTE_ADDR="198.51.100.7")


def test_public_form_is_anonymous_embeddable_and_records_consent(client):
    form = WebFormFactory(allowed_origins=["https://www.example.kr"])
    page = client.get(reverse("sales:web-form-public", args=[form.slug]))
    assert page.status_code == 200 and "X-Frame-Options" not in page
    assert "frame-ancestors 'self' https://www.example.kr" in page["Content-Security-Policy"]
    assert (
        "마케팅 정보 수신에 동의합니다."
        in client.get(reverse("sales:web-form-public", args=[form.slug]), {"lang": "ko"}).content.decode()
    )
    response = _post(client, form)
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    lead = Lead.objects.get()
    consent = LeadConsent.objects.get(lead=lead)
    assert (lead.source, consent.ip_address, consent.text_version) == ("web_form", "198.51.100.7", "2026-01/en")
    other_page = client.get(reverse("sales:lead-list"))
    assert other_page.status_code == 302  # the rest of the app still needs a sign-in


def test_public_form_spam_traps(client):
    form = WebFormFactory()
    assert _post(client, form, website="http://spam.example").status_code == 200  # honeypot: thanked, dropped
    too_fast = client.post(
        reverse("sales:web-form-public", args=[form.slug]),
        {"person_name": "봇", "email": "b@bot.kr", "started": lead_capture.form_token(form)},
    )
    assert too_fast.status_code == 400
    forged = _post(client, form, started="forged")
    assert forged.status_code == 400
    foreign = client.post(
        reverse("sales:web-form-public", args=[form.slug]), {"person_name": "x"}, HTTP_ORIGIN="https://evil.example"
    )
    assert foreign.status_code == 403
    assert not Lead.objects.exists()
    statuses = [_post(client, form, email=f"v{i}@visit.kr").status_code for i in range(21)]
    assert statuses[-1] == 429 and Lead.objects.count() == statuses.count(200) < 21  # per-IP limit


def test_public_form_needs_a_way_to_answer_and_an_active_form(client):
    form = WebFormFactory()
    assert _post(client, form, email="").status_code == 400
    form.is_active = False
    form.save()
    assert client.get(reverse("sales:web-form-public", args=[form.slug])).status_code == 404


# --- configuration ---------------------------------------------------------------------------------------------


def test_configuration_pages(client, people):
    login(client, people.manager)
    response = client.post(
        reverse("sales:web-form-create"),
        {
            "name": "제품 문의",
            "slug": "inquiry",
            "consent_purposes": ["marketing_email"],
            "allowed_origins": "https://a.kr\n",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    edit = client.get(response["Location"])
    assert "&lt;iframe" in edit.content.decode() and "/sales/forms/inquiry/" in edit.content.decode()
    bad = client.post(reverse("sales:web-form-create"), {"name": "x", "slug": "x2", "allowed_origins": "not a url"})
    assert bad.status_code == 400
    assert (
        client.post(
            reverse("sales:scoring-rule-create"),
            {
                "name": "데모",
                "kind": "engagement",
                "field": "activities.demo",
                "operator": "gte",
                "value": "1",
                "points": 30,
                "is_active": "on",
            },
        ).status_code
        == 302
    )
    assert LeadScoringRule.objects.filter(name="데모").exists()
    assert (
        client.post(
            reverse("sales:assignment-rule-create"),
            {"name": "서울", "priority": 10, "sido": "서울특별시", "assign_to_user": people.rep.pk, "is_active": "on"},
        ).status_code
        == 302
    )
    rules_page = client.get(reverse("sales:lead-rules")).content.decode()
    assert "서울" in rules_page and "데모" in rules_page
    assert client.post(reverse("sales:score-model-train")).status_code == 302
    login(client, people.rep)
    assert client.get(reverse("sales:web-form-create")).status_code == 403
    assert client.get(reverse("sales:assignment-rule-create")).status_code == 403


# --- API -------------------------------------------------------------------------------------------------------


def test_api_create_update_if_match_and_actions(client, people):
    login(client, people.rep)
    created = client.post(
        "/api/v1/leads/",
        {"person_name": "API 리드", "email": "api@lead.kr", "owner": people.stranger.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["owner"] == people.rep.pk and body["source"] == "api"  # owner is read-only for a rep
    url = f"/api/v1/leads/{body['id']}/"
    etag = created["ETag"]
    bad = client.patch(url, {"brn": "123"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert bad.status_code == 400 and "brn" in bad.json()
    ok = client.patch(url, {"title": "과장"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    stale = client.patch(url, {"title": "부장"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert client.patch(url, {"title": "부장"}, content_type="application/json").status_code == 428
    disq = client.post(f"{url}disqualify/", {"reason": "no_need"}, content_type="application/json", HTTP_IF_MATCH="*")
    assert disq.status_code == 200 and disq.json()["status"] == "disqualified"
    assert (
        client.post(
            f"{url}assign/", {"owner": people.rep.pk}, content_type="application/json", HTTP_IF_MATCH="*"
        ).status_code
        == 403
    )
    reopened = client.post(f"{url}status/", {"status": "working"}, content_type="application/json", HTTP_IF_MATCH="*")
    assert reopened.status_code == 200
    converted = client.post(
        f"{url}convert/",
        {"create_opportunity": False, "account_name": "(주)API"},
        content_type="application/json",
        HTTP_IF_MATCH="*",
    )
    assert converted.status_code == 200, converted.content
    assert converted.json()["lead"]["status"] == "converted"
    assert client.get("/api/v1/leads/", {"status": "converted"}).json()["results"][0]["id"] == body["id"]
    login(client, people.stranger)
    assert client.get(url).status_code == 404


def test_api_manager_assigns_and_web_forms_are_listed(client, people):
    lead = LeadFactory(owner=None)
    WebFormFactory(name="문의 폼")
    login(client, people.manager)
    response = client.post(
        f"/api/v1/leads/{lead.pk}/assign/", {"owner": people.rep.pk}, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 200 and response.json()["owner"] == people.rep.pk
    assert client.get(f"/api/v1/leads/{lead.pk}/duplicates/").status_code == 200
    assert client.get("/api/v1/web-forms/").json()["results"][0]["name"] == "문의 폼"
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/leads/{id}/convert/" in schema.content
