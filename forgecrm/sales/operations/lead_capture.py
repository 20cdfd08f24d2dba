"""Leads from outside: the public web form (no signed-in actor) and CSV/XLSX imports.

Web form: the page carries a signed timestamp (`form_token`); a submission sooner than MIN_FILL_SECONDS after
the page was served, older than MAX_FORM_AGE, or with the honeypot filled in is refused as spam before this
runs (`check_form_token`). The consents ticked are recorded with the form's text version and language, the
time and the sender's IP.

Import: rows are cleaned in Python (each bad cell a row error naming the column and the rule), matched by
(source "import", external id) so a file imported twice creates nothing twice, then written in bulk (one
INSERT for the new leads, their history rows and search documents); a preview runs the same pass and rolls back.
"""

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects

from ..models import Lead, LeadSource, WebForm
from .lead_assignment import assign_by_rules
from .lead_scoring import score_leads
from .leads import check_visibility_fields, clean_lead_values, create_lead

MIN_FILL_SECONDS = 3
MAX_FORM_AGE = 60 * 60 * 6
SIGNING_NAMESPACE = "forgecrm.sales.web-form"  # the signer salt: keeps these tokens apart from others
CAPTURE_FIELDS = (
    "company_name",
    "person_name",
    "title",
    "email",
    "phone",
    "mobile",
    "brn",
    "sido",
    "industry",
    "interest",
)


class SpamRefused(ValueError):
    """The submission looks automated (honeypot, too fast, stale or forged token)."""


def form_token(web_form: WebForm, now: float | None = None) -> str:
    """The signed moment the form was served, bound to the form."""
    return signing.dumps(
        {"f": web_form.pk, "t": round(now if now is not None else time.time(), 3)}, salt=SIGNING_NAMESPACE
    )


def check_form_token(web_form: WebForm, token: str, now: float | None = None) -> None:
    try:
        payload = signing.loads(token or "", salt=SIGNING_NAMESPACE, max_age=MAX_FORM_AGE)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise SpamRefused("token") from error
    if payload.get("f") != web_form.pk:
        raise SpamRefused("form")
    elapsed = (now if now is not None else time.time()) - float(payload.get("t", 0))
    if elapsed < MIN_FILL_SECONDS:
        raise SpamRefused("too fast")
    if elapsed > MAX_FORM_AGE:
        raise SpamRefused("stale")


def capture_web_form_lead(
    *, web_form: WebForm, data: dict[str, Any], consent_purposes: list[str], ip_address: str | None, language: str
) -> Lead:
    """A lead from a public form post (already past the spam checks); its consents recorded as given."""
    if not web_form.is_active:
        raise ValidationError(_("This form no longer takes submissions."))
    values = {name: data.get(name, "") for name in CAPTURE_FIELDS if name in data}
    offered = set(web_form.consent_purposes or [])
    version = f"{web_form.consent_version or '-'}/{language}"
    consents = [(purpose, version, f"web form {web_form.slug}") for purpose in consent_purposes if purpose in offered]
    extra: dict[str, Any] = {}
    if web_form.default_owner_id:
        extra["owner"] = web_form.default_owner
    if web_form.default_team_id:
        extra["team"] = web_form.default_team
    lead = create_lead(
        actor=None,
        source=LeadSource.WEB_FORM,
        source_detail=web_form.name[:200],
        web_form=web_form,
        product_line=web_form.product_line,
        consents=consents,
        ip_address=ip_address,
        apply_rules=not web_form.default_owner_id,
        **values,
        **extra,
    )
    return lead


# --- import ----------------------------------------------------------------------------------------------------

# Header (lower case, Korean or English) → lead field.
HEADERS = {
    "company": "company_name",
    "company name": "company_name",
    "회사": "company_name",
    "회사명": "company_name",
    "brn": "brn",
    "business registration number": "brn",
    "사업자등록번호": "brn",
    "name": "person_name",
    "person": "person_name",
    "contact name": "person_name",
    "이름": "person_name",
    "성명": "person_name",
    "담당자": "person_name",
    "title": "title",
    "job title": "title",
    "직책": "title",
    "email": "email",
    "이메일": "email",
    "phone": "phone",
    "전화": "phone",
    "전화번호": "phone",
    "mobile": "mobile",
    "휴대폰": "mobile",
    "휴대전화": "mobile",
    "시/도": "sido",
    "sido": "sido",
    "시도": "sido",
    "시/군/구": "sigungu",
    "sigungu": "sigungu",
    "address": "road_address",
    "주소": "road_address",
    "industry": "industry",
    "업종": "industry",
    "interest": "interest",
    "관심": "interest",
    "문의 내용": "interest",
    "external id": "external_id",
    "id": "external_id",
    "외부 id": "external_id",
    "source detail": "source_detail",
    "캠페인": "source_detail",
}


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"line", "column", "message"}
    unknown_headers: list[str] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)
    preview: bool = False


def map_headers(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(headers):
        name = HEADERS.get(header.strip().lower())
        if name and name not in mapping.values():
            mapping[index] = name
        elif header.strip():
            unknown.append(header)
    return mapping, unknown


def _external_id(values: dict[str, Any]) -> str:
    if values.get("external_id"):
        return str(values["external_id"])[:64]
    keys = "|".join(
        [
            values.get("email", ""),
            values.get("mobile", "") or values.get("phone", ""),
            company_name_key(values.get("company_name", "")),
            person_name_key(values.get("person_name", "")),
        ]
    )
    return "h:" + hashlib.sha256(keys.encode()).hexdigest()[:40]


def import_leads(
    *, actor: User, headers: list[str], rows, preview: bool = False, owner: User | None = None
) -> ImportReport:
    """Leads from a table's rows ((line, cells) pairs). New leads go through the assignment rules unless an
    owner is chosen (assigners only); known external ids are left alone; bad rows are reported, not written."""
    if not actor.has_perm("sales.add_lead"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You cannot add leads."))
    if owner is not None:
        check_visibility_fields(actor, {"owner": owner})
    mapping, unknown = map_headers(headers)
    report = ImportReport(unknown_headers=unknown, preview=preview)
    if "person_name" not in mapping.values():
        report.errors.append({"line": 1, "column": "", "message": _("The file needs a name column (이름 / name).")})
        return report
    cleaned: list[tuple[int, dict[str, Any]]] = []
    for line, cells in rows:
        report.rows += 1
        raw = {name: (cells[index] if index < len(cells) else "") for index, name in mapping.items()}
        if not any(str(value).strip() for value in raw.values()):
            report.rows -= 1
            continue
        try:
            values = clean_lead_values(raw)
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                report.errors.extend({"line": line, "column": column, "message": m} for m in messages)
            continue
        values["external_id"] = _external_id(values)
        cleaned.append((line, values))
    seen: set[str] = set()
    unique = []
    for line, values in cleaned:
        if values["external_id"] in seen:
            report.errors.append(
                {"line": line, "column": "external_id", "message": _("The same lead appears earlier in the file.")}
            )
            continue
        seen.add(values["external_id"])
        unique.append((line, values))
    known = set(
        Lead.objects.filter(source=LeadSource.IMPORT, external_id__in=list(seen)).values_list("external_id", flat=True)
    )
    with transaction.atomic():
        new = []
        for _line, values in unique:
            if values["external_id"] in known:
                report.unchanged += 1
                continue
            lead = Lead(
                **values,
                source=LeadSource.IMPORT,
                owner=owner or (None if _assigns(actor) else actor),
                created_by=actor,
                updated_by=actor,
            )
            lead.company_name_key = company_name_key(lead.company_name)
            lead.person_name_key = person_name_key(lead.person_name)
            new.append(lead)
        created = bulk_create_with_history(
            new, Lead, batch_size=1000, default_user=actor, default_change_reason="import"
        )
        created = list(
            Lead.objects.filter(source=LeadSource.IMPORT, external_id__in=[lead.external_id for lead in new])
        )
        for index, lead in enumerate(created):
            if lead.owner_id is None:
                created[index] = assign_by_rules(lead=lead, actor=actor)
        score_leads(leads=created)
        index_objects("lead", created)
        report.created = len(created)
        report.lead_ids = [lead.pk for lead in created]
        if preview:
            transaction.set_rollback(True)
        else:
            events.emit("LeadsImported", {"count": len(created), "actor_id": actor.pk})
    return report


def _assigns(actor: User) -> bool:
    from ..policies import is_assigner

    return bool(is_assigner(actor))
