"""The lead import: a trade-show list, a purchased list or another CRM's leads into `Lead`, on the customers
import framework (upload, column mapping, preview, job with progress bar, report with the refused rows).

A row is cleaned like a typed lead (`clean_lead_values`: BRN checksum, phones in E.164, email); the product
line, the source and the owner are references whose unknown values are listed on the preview and can be
mapped to known ones. Rows are matched to earlier imports by (source, external id): the file's ID column, or a
stable hash of email, phone, company and name, so a file imported twice creates nothing twice.

Each chunk is written set-based: one query per reference kind, one for the matches, three for the possible
duplicates among contacts, accounts and other leads, one INSERT (with its history rows) for the new leads, one
bulk update for the matched ones, then the consents, scores and search documents in bulk. New leads without an
owner go through the assignment rules (`pick_assignees`: the rules read and locked once per chunk, capacity
kept current as leads are handed out) unless the importer chose to keep them or queue them. A sales rep imports
leads for themselves; assigners (managers, marketing, administrators) may name owners they may assign.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from forgecrm.catalog.models import ProductLine
from forgecrm.customers.imports.access import assignable_owner_ids, may_import
from forgecrm.customers.imports.kinds import ImportKind, KindOption, KindPass, Reference, Row
from forgecrm.customers.imports.mapping import TargetField
from forgecrm.customers.models import Account, ConsentPurpose, Contact
from forgecrm.customers.normalization import company_name_key, person_name_key
from forgecrm.platform import events
from forgecrm.platform.models import User
from forgecrm.platform.search import index_objects

from ..models import Lead, LeadConsent, LeadSource
from ..operations.lead_assignment import PORTAL_ROLES, pick_assignees
from ..operations.lead_capture import lead_external_id
from ..operations.lead_scoring import score_leads
from ..operations.leads import clean_lead_values
from ..policies import is_assigner
from .common import fold

KIND_KEY = "sales.leads"
LINE, SOURCE, OWNER = "lead.product_line", "lead.source", "lead.owner"
CONSENT = "lead.marketing_consent"

FIELDS = (
    TargetField("lead.external_id", gettext_lazy("Lead external ID"), "lead", (
        "leadid", "externalid", "id", "리드id", "리드번호", "외부id",
    )),
    TargetField("lead.person_name", gettext_lazy("Name"), "lead", (
        "name", "fullname", "person", "contactname", "이름", "성명", "담당자", "담당자명", "고객명",
    )),
    TargetField("lead.company_name", gettext_lazy("Company"), "lead", (
        "company", "companyname", "account", "organisation", "organization", "회사", "회사명", "업체명", "상호",
    )),
    TargetField("lead.brn", gettext_lazy("Business registration number"), "lead", (
        "brn", "businessregistrationnumber", "사업자등록번호", "사업자번호",
    )),
    TargetField("lead.title", gettext_lazy("Job title"), "lead", ("title", "jobtitle", "position", "직책", "직위", "직급")),
    TargetField("lead.email", gettext_lazy("Email"), "lead", ("email", "emailaddress", "이메일", "메일", "전자우편")),
    TargetField("lead.phone", gettext_lazy("Phone"), "lead", ("phone", "telephone", "tel", "전화", "전화번호", "대표번호")),
    TargetField("lead.mobile", gettext_lazy("Mobile"), "lead", ("mobile", "mobilephone", "cell", "휴대폰", "휴대전화", "핸드폰")),
    TargetField("lead.sido", gettext_lazy("시/도"), "lead", ("sido", "시도", "province", "state", "지역", "광역시도")),
    TargetField("lead.sigungu", gettext_lazy("시/군/구"), "lead", ("sigungu", "시군구", "city", "구군")),
    TargetField("lead.road_address", gettext_lazy("Road-name address"), "lead", (
        "address", "street", "roadaddress", "주소", "도로명주소",
    )),
    TargetField("lead.industry", gettext_lazy("Industry"), "lead", ("industry", "sector", "업종", "업태", "산업")),
    TargetField(LINE, gettext_lazy("Product line"), "lead", ("productline", "product", "제품군", "관심제품", "제품")),
    TargetField("lead.interest", gettext_lazy("Interest"), "lead", (
        "interest", "inquiry", "message", "description", "notes", "관심", "문의내용", "문의", "요청사항", "비고",
    )),
    TargetField(SOURCE, gettext_lazy("Source"), "lead", ("source", "leadsource", "channel", "유입경로", "출처", "경로")),
    TargetField("lead.source_detail", gettext_lazy("Campaign or source detail"), "lead", (
        "campaign", "sourcedetail", "event", "캠페인", "행사", "행사명", "전시회",
    )),
    TargetField(OWNER, gettext_lazy("Owner (user name or email)"), "lead", (
        "owner", "owneremail", "ownername", "salesrep", "rep", "영업담당", "담당영업", "영업사원",
    )),
    TargetField(CONSENT, gettext_lazy("Marketing consent (yes/no)"), "lead", (
        "marketingconsent", "consent", "optin", "마케팅동의", "마케팅수신동의", "수신동의", "동의",
    )),
)  # fmt: skip
CONTENT = (
    "person_name",
    "company_name",
    "brn",
    "title",
    "email",
    "phone",
    "mobile",
    "sido",
    "sigungu",
    "road_address",
    "industry",
    "interest",
    "source_detail",
)
LIMITS = {"company_name": 200, "person_name": 120, "title": 80, "sido": 32, "sigungu": 32, "road_address": 200}
LIMITS |= {"industry": 64, "source_detail": 200}
YES = frozenset({"y", "yes", "true", "1", "o", "동의", "예", "네", "수신", "수신동의", "agree", "agreed", "opt-in"})
NO = frozenset({"n", "no", "false", "0", "x", "미동의", "아니오", "거부", "수신거부", "비동의", "opt-out"})
KEYS = ("company_name_key", "person_name_key")  # derived here, like Lead.save() derives them
ASSIGN_RULES, ASSIGN_ME, ASSIGN_QUEUE = "rules", "me", "queue"
DUPLICATES_FLAG, DUPLICATES_SKIP = "flag", "skip"


@dataclass
class LeadRecord:
    line: int
    values: dict[str, Any]  # cleaned lead fields (CONTENT)
    ext_id: str
    source_raw: str
    line_raw: str
    owner_raw: str
    consent: bool
    errors: list[tuple[str, str]] = field(default_factory=list)
    # resolved while merging
    source: str = ""
    product_line: ProductLine | None = None
    owner: User | None = None


def _source_names() -> dict[str, str]:
    """A source by its code or its label, in English or Korean (labels are lazy: both languages are read)."""
    from django.utils import translation

    names: dict[str, str] = {}
    for value, label in LeadSource.choices:
        names[fold(value)] = value
        for language in ("en", "ko"):
            with translation.override(language):
                names[fold(str(label))] = value
    return names


class LeadPass(KindPass):
    entity = "leads"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.assigner = bool(is_assigner(self.actor))
        self.sources = _source_names()
        self.lines: dict[str, ProductLine] | None = None
        self.owners = assignable_owner_ids(self.actor)

    # --- one row ---------------------------------------------------------------------------------------------

    def build(self, row: Row) -> LeadRecord | None:
        values = row.values
        raw = {name: values.get(f"lead.{name}", "") for name in CONTENT}
        if not raw["person_name"]:
            row.errors.append((self.header("lead.person_name"), _("The name is missing.")))
            return None
        for name, limit in LIMITS.items():
            self.too_long(row, f"lead.{name}", raw[name], limit)
        consent = False
        answer = fold(values.get(CONSENT, ""))
        if answer in YES:
            consent = True
        elif answer and answer not in NO:
            row.errors.append((self.header(CONSENT), _("Enter yes or no (동의 / 미동의).")))
        if row.errors:
            return None
        try:
            cleaned = clean_lead_values({name: value for name, value in raw.items() if value or name == "person_name"})
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.errors.append((self.header(f"lead.{name}"), " ".join(messages)))
            return None
        file_id = values.get("lead.external_id", "")
        if len(file_id) > 64:
            row.errors.append((self.header("lead.external_id"), _("An external ID has at most 64 characters.")))
            return None
        return LeadRecord(
            line=row.line,
            values=cleaned,
            ext_id=file_id or lead_external_id(cleaned),
            source_raw=values.get(SOURCE, ""),
            line_raw=values.get(LINE, ""),
            owner_raw=values.get(OWNER, ""),
            consent=consent,
        )

    def key_of(self, record: LeadRecord) -> tuple:
        return ("x", record.ext_id)

    # --- references --------------------------------------------------------------------------------------------

    def _product_lines(self) -> dict[str, ProductLine]:
        if self.lines is None:
            self.lines = {}
            for line in ProductLine.objects.all():
                for name in (line.code, line.name, line.name_en):
                    if name:
                        self.lines.setdefault(fold(name), line)
        return self.lines

    def _owners(self, records: list[LeadRecord]) -> dict[str, User]:
        """The owners the chunk names, by email or by a full name only one internal user has."""
        wanted = {self.mapped(OWNER, record.owner_raw) for record in records if record.owner_raw}
        wanted.discard("")
        if not wanted:
            return {}
        emails = {value.lower() for value in wanted if "@" in value}
        names = {fold(value) for value in wanted if "@" not in value}
        users = User.objects.filter(is_active=True).exclude(role__in=PORTAL_ROLES)
        found: dict[str, User] = {}
        by_name: dict[str, list[User]] = {}
        for user in users.filter(Q(email__in=emails) | Q(full_name__in=wanted - emails)):
            found[user.email.lower()] = user
            by_name.setdefault(fold(user.full_name), []).append(user)
        for name in names:
            if len(by_name.get(name, [])) == 1:
                found[name] = by_name[name][0]
        return found

    def _resolve(self, record: LeadRecord, owners: dict[str, User]) -> None:
        errors = record.errors
        record.product_line = self.resolve(record.line, errors, LINE, record.line_raw, self._product_lines(), fold)
        if record.source_raw:
            record.source = self.resolve(record.line, errors, SOURCE, record.source_raw, self.sources, fold) or ""
        record.source = record.source or self.settings["source"]
        if not record.owner_raw:
            return
        owner = self.resolve(
            record.line, errors, OWNER, record.owner_raw, owners, lambda v: v.lower() if "@" in v else fold(v)
        )
        if owner is None:
            return
        if self.owners is not None and owner.pk not in self.owners:
            errors.append((self.header(OWNER), _("You may not assign leads to %(name)s.") % {"name": owner.full_name}))
            return
        record.owner = owner

    # --- a chunk ---------------------------------------------------------------------------------------------

    def merge(self, records: list[LeadRecord]) -> None:
        owners = self._owners(records)
        for record in records:
            self._resolve(record, owners)
        valid = []
        for record in records:
            if record.errors:
                self.refuse(record.line, record.errors)
            else:
                valid.append(record)
        existing = {
            (lead.source, lead.external_id): lead
            for lead in Lead.objects.filter(external_id__in=[record.ext_id for record in valid])
        }
        new: list[tuple[LeadRecord, None]] = []
        matched: list[tuple[LeadRecord, Lead]] = []
        for record in valid:
            found = existing.get((record.source, record.ext_id))
            if found is None:
                new.append((record, None))
            else:
                matched.append((record, found))
        duplicates = self._possible_duplicates([record for record, _found in new])
        created = self._create(new, duplicates)
        self._update(matched)
        if created and not self.dry_run:
            events.emit(
                "LeadsImported",
                {"count": len(created), "lead_ids": [lead.pk for lead in created], "actor_id": self.actor.pk},
            )

    def _possible_duplicates(self, records: list[LeadRecord]) -> dict[int, str]:
        """Line -> why the row may be someone the CRM knows already (a contact, an account, another lead); three
        queries for the chunk. The other record is not named: the importer may not be allowed to see it."""
        emails = {r.values["email"] for r in records if r.values.get("email")}
        phones = {r.values[name] for r in records for name in ("phone", "mobile") if r.values.get(name)}
        brns = {r.values["brn"] for r in records if r.values.get("brn")}
        by_email: dict[str, str] = {}  # email -> "contact" or "lead"
        by_phone: dict[str, str] = {}
        for what, model in (("contact", Contact), ("lead", Lead)):
            rows = model.objects.filter(Q(email__in=emails) | Q(mobile__in=phones) | Q(phone__in=phones))
            for email, mobile, phone in rows.values_list("email", "mobile", "phone")[:10_000]:
                if email:
                    by_email.setdefault(email, what)
                for number in (mobile, phone):
                    if number:
                        by_phone.setdefault(number, what)
        known_brns = set(Account.objects.filter(brn__in=brns).values_list("brn", flat=True)[:10_000])
        messages = {
            ("contact", "email"): _("A contact with this email exists."),
            ("lead", "email"): _("A lead with this email exists."),
            ("contact", "phone"): _("A contact with this phone number exists."),
            ("lead", "phone"): _("A lead with this phone number exists."),
        }
        found: dict[int, str] = {}
        for record in records:
            values = record.values
            numbers = [values[name] for name in ("mobile", "phone") if values.get(name) in by_phone]
            if values.get("brn") in known_brns:
                found[record.line] = _("An account with this business registration number exists.")
            elif values.get("email") in by_email:
                found[record.line] = messages[(by_email[values["email"]], "email")]
            elif numbers:
                found[record.line] = messages[(by_phone[numbers[0]], "phone")]
        return found

    def _owner_for(self, record: LeadRecord) -> User | None:
        if record.owner is not None:
            return record.owner
        if not self.assigner or self.settings["assignment"] == ASSIGN_ME:
            return self.actor
        return None

    def _create(self, pairs: list[tuple[LeadRecord, None]], duplicates: dict[int, str]) -> list[Lead]:
        leads: list[Lead] = []
        consenting: set[tuple[str, str]] = set()
        for record, _found in pairs:
            reason = duplicates.get(record.line)
            if reason and self.settings["duplicates"] == DUPLICATES_SKIP:
                self.bump(self.entity, "duplicates")
                self.issue(record.line, "duplicate", "", reason)
                continue
            lead = Lead(
                **record.values,
                source=record.source,
                external_id=record.ext_id,
                product_line=record.product_line,
                owner=self._owner_for(record),
                created_by=self.actor,
                updated_by=self.actor,
            )
            lead.company_name_key = company_name_key(lead.company_name)
            lead.person_name_key = person_name_key(lead.person_name)
            lead._change_reason = "import"  # type: ignore[attr-defined]
            try:
                lead.clean_fields(exclude=[*KEYS, "product_line", "owner", "created_by", "updated_by"])
            except ValidationError as error:
                self.refuse(
                    record.line,
                    [(self.header(f"lead.{name}"), " ".join(texts)) for name, texts in error.message_dict.items()],
                )
                continue
            leads.append(lead)
            if record.consent:
                consenting.add((record.source, record.ext_id))
            if reason:
                self.issue(record.line, "warning", "", reason)
            self.count(record.line, "new")
        if self.assigner and self.settings["assignment"] == ASSIGN_RULES:
            waiting = [lead for lead in leads if lead.owner_id is None]
            for lead, (owner, team, rule) in zip(waiting, pick_assignees(waiting), strict=True):
                if owner is None:
                    continue
                lead.owner = owner
                if team is not None and lead.team_id is None:
                    lead.team = team
                lead._change_reason = f"rule:{rule.pk}" if rule else "rule"  # type: ignore[attr-defined]
        if not leads:
            return []
        bulk_create_with_history(leads, Lead, batch_size=1000, default_user=self.actor)
        created = list(
            Lead.objects.filter(
                external_id__in=[lead.external_id for lead in leads], source__in={lead.source for lead in leads}
            )
        )
        keys = {(lead.source, lead.external_id) for lead in leads}
        created = [lead for lead in created if (lead.source, lead.external_id) in keys]
        self._consents([lead for lead in created if (lead.source, lead.external_id) in consenting])
        score_leads(leads=created)
        index_objects("lead", created)
        return created

    def _consents(self, leads: list[Lead]) -> None:
        """Marketing consent given on the list's own form (a trade-show card, a sign-up sheet): recorded as the
        web form records it, with where it was given."""
        if not leads:
            return
        now = timezone.now()
        where = (
            self.settings["consent_source"] or _("Import: %(file)s") % {"file": self.job.params.get("filename", "")}
        )[:64]
        LeadConsent.objects.bulk_create(
            [
                LeadConsent(
                    lead=lead,
                    purpose=ConsentPurpose.MARKETING_EMAIL,
                    granted=True,
                    text_version="import",
                    recorded_at=now,
                    source=where,
                    recorded_by=self.actor,
                )
                for lead in leads
            ]
        )

    def _update(self, pairs: list[tuple[LeadRecord, Lead]]) -> None:
        reason = _("Matches an earlier import by %(key)s.") % {"key": _("external ID")}
        overwrite = self.options.mode == "overwrite"
        changed: list[Lead] = []
        fields: set[str] = set()
        for record, lead in pairs:
            if self.options.mode == "skip":
                self.count(record.line, "skip", reason)
                continue
            if self.owners is not None and lead.owner_id not in self.owners:
                self.count(record.line, "locked", _("The matching lead belongs to someone else."))
                continue
            changes = {
                name: value
                for name, value in record.values.items()
                if value and value != getattr(lead, name) and (overwrite or not getattr(lead, name))
            }
            line = record.product_line
            if line is not None and lead.product_line_id != line.pk and (overwrite or lead.product_line_id is None):
                changes["product_line"] = line
            if not changes:
                self.count(record.line, "same", reason)
                continue
            for name, value in changes.items():
                setattr(lead, name, value)
            lead.company_name_key = company_name_key(lead.company_name)
            lead.person_name_key = person_name_key(lead.person_name)
            lead.version += 1
            lead.updated_by = self.actor
            lead._change_reason = "import"  # type: ignore[attr-defined]
            fields |= set(changes)
            changed.append(lead)
            self.count(record.line, "update", reason)
        if not changed:
            return
        fields |= {"company_name_key", "person_name_key", "version", "updated_by", "updated_at"}
        now = timezone.now()
        for lead in changed:
            lead.updated_at = now
        bulk_update_with_history(changed, Lead, sorted(fields), batch_size=500, default_user=self.actor)
        score_leads(leads=changed)
        index_objects("lead", changed)


def may_import_leads(user) -> bool:
    return bool(may_import(user)) and user.has_perm("sales.add_lead")


def suggestions(actor: User, key: str) -> list[str]:
    if key == LINE:
        return list(ProductLine.objects.order_by("name").values_list("name", flat=True)[:500])
    if key == SOURCE:
        return [str(label) for _value, label in LeadSource.choices]
    if key == OWNER:
        owners = assignable_owner_ids(actor)
        users = User.objects.filter(is_active=True).exclude(role__in=PORTAL_ROLES)
        if owners is not None:
            users = users.filter(pk__in=owners)
        return list(users.order_by("email").values_list("email", flat=True)[:500])
    return []


LEADS = ImportKind(
    key=KIND_KEY,
    label=gettext_lazy("Leads"),
    fields=FIELDS,
    entities=(("leads", gettext_lazy("Leads")),),
    pass_class=LeadPass,
    may_import=may_import_leads,
    references=(
        Reference(LINE, gettext_lazy("product line"), list_all=True),
        Reference(SOURCE, gettext_lazy("source"), list_all=True),
        Reference(OWNER, gettext_lazy("owner")),
    ),
    options=(
        KindOption(
            "source",
            gettext_lazy("Source of rows without one"),
            LeadSource.IMPORT.value,
            choices=tuple((value, label) for value, label in LeadSource.choices),
        ),
        KindOption(
            "assignment",
            gettext_lazy("New leads without an owner"),
            ASSIGN_RULES,
            choices=(
                (ASSIGN_RULES, gettext_lazy("Assign them by the assignment rules")),
                (ASSIGN_ME, gettext_lazy("Keep them myself")),
                (ASSIGN_QUEUE, gettext_lazy("Leave them unassigned in the queue")),
            ),
            help_text=gettext_lazy("Sales reps always keep the leads they import."),
        ),
        KindOption(
            "duplicates",
            gettext_lazy("Rows that match an existing contact, account or lead"),
            DUPLICATES_FLAG,
            choices=(
                (DUPLICATES_FLAG, gettext_lazy("Import them and flag them in the report")),
                (DUPLICATES_SKIP, gettext_lazy("Do not import them")),
            ),
        ),
        KindOption(
            "consent_source",
            gettext_lazy("Where the marketing consent was given"),
            "",
            help_text=gettext_lazy("E.g. the sign-up sheet of a trade show; empty: the file's name."),
        ),
    ),
    suggestions=suggestions,
)
LeadPass.kind = LEADS
