"""The sales team import: a list of sales people with their manager and office -> users, reporting line, teams.

Each row is a person (a sales rep by default); the manager column names their manager (a sales manager, created
when nobody has that name or email) and the team column their office or team (a `platform.Team`, created when
missing, led by the first manager named for it). People are found by email, else by their full name when
exactly one internal user has it, else by the derived email.

Emails: the email column when mapped; else derived from the name as `first.last@<domain>` (the "email
domain" option, `sales.invalid` by default: a domain that never receives mail, so nobody is written to by
mistake). New users are invitation-style: active, so they can own accounts and deals, but without a password;
they cannot sign in until an administrator sends them the password-reset link (or imports them inactive with
the option). Only administrators import people (the identity operations are theirs); every write goes through
`platform.operations.identity` (`create_user`, `set_manager`, `create_team`) so the role hierarchy's paths stay
right. A team list is tens to hundreds of rows; the lookups are one query per chunk.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.customers.imports.cleaning import stable_id
from forgecrm.customers.imports.kinds import ImportKind, KindOption, KindPass, Row
from forgecrm.customers.imports.mapping import TargetField
from forgecrm.platform.access.predicates import is_admin
from forgecrm.platform.models import Role, Team, User
from forgecrm.platform.operations.identity import create_team, create_user, set_manager

from .common import fold

KIND_KEY = "sales.team"
INTERNAL_SALES_ROLES = (
    (Role.SALES_REP.value, Role.SALES_REP.label),
    (Role.SALES_MANAGER.value, Role.SALES_MANAGER.label),
)
PORTAL_ROLES = ("partner_admin", "partner_rep", "customer_user")

FIELDS = (
    TargetField("person.full_name", gettext_lazy("Full name"), "person", (
        "salesagent", "agent", "salesrep", "rep", "fullname", "name", "성명", "이름", "영업사원", "담당자",
    )),
    TargetField("person.email", gettext_lazy("Email"), "person", ("email", "emailaddress", "이메일", "메일")),
    TargetField("person.manager", gettext_lazy("Manager (name or email)"), "person", (
        "manager", "managername", "manageremail", "reportsto", "상사", "팀장", "매니저", "관리자",
    )),
    TargetField("person.team", gettext_lazy("Team or office"), "person", (
        "regionaloffice", "office", "team", "teamname", "region", "branch", "팀", "팀명", "지점", "영업소",
    )),
)  # fmt: skip
EMAIL_NOISE = re.compile(r"[^a-z0-9]+")


def derived_email(name: str, domain: str) -> str:
    """ "Dustin Brinkmann" -> dustin.brinkmann@domain; a name without Latin letters gets a stable id."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    local = EMAIL_NOISE.sub(".", text).strip(".")[:60]
    if not local:
        local = "user." + stable_id("person", fold(name))[5:15]
    return f"{local}@{domain}"


@dataclass
class PersonRecord:
    line: int
    full_name: str
    email: str
    manager: str
    team: str
    errors: list[tuple[str, str]] = field(default_factory=list)


class TeamPass(KindPass):
    entity = "people"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.users: dict[str, User] = {}  # by lower-case email
        self.teams: dict[str, Team] = {}  # by folded name
        self.by_name: dict[str, User] = {}  # by folded full name, when only one internal user has it

    def build(self, row: Row) -> PersonRecord | None:
        values = row.values
        name = values.get("person.full_name", "")
        if not name:
            row.errors.append((self.header("person.full_name"), _("The name is missing.")))
            return None
        self.too_long(row, "person.full_name", name, 120)
        email = values.get("person.email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                row.errors.append((self.header("person.email"), " ".join(error.messages)))
        team = values.get("person.team", "")
        self.too_long(row, "person.team", team, 120)
        if row.errors:
            return None
        return PersonRecord(
            line=row.line, full_name=name, email=email, manager=values.get("person.manager", ""), team=team
        )

    def key_of(self, record: PersonRecord) -> tuple:
        return ("p", record.email or fold(record.full_name))

    def _email_of(self, value: str) -> str:
        return value.lower() if "@" in value else derived_email(value, self.settings["email_domain"] or "sales.invalid")

    def _load(self, records: list[PersonRecord]) -> None:
        """Everyone the chunk names, by email or unique full name; the teams it names."""
        names = {fold(record.full_name) for record in records} | {fold(r.manager) for r in records if r.manager}
        emails = {record.email or self._email_of(record.full_name) for record in records}
        emails |= {self._email_of(record.manager) for record in records if record.manager}
        users = User.objects.annotate(folded=Lower("full_name")).filter(Q(email__in=emails) | Q(folded__in=names))
        by_name: dict[str, list[User]] = {}
        for user in users.exclude(role__in=PORTAL_ROLES):
            self.users[user.email.lower()] = user
            by_name.setdefault(fold(user.full_name), []).append(user)
        self.by_name = {name: found[0] for name, found in by_name.items() if len(found) == 1}
        wanted = {fold(record.team) for record in records if record.team}
        for team in Team.objects.annotate(folded=Lower("name")).filter(folded__in=wanted):
            self.teams[fold(team.name)] = team

    def _find(self, name: str, email: str) -> User | None:
        if email and email in self.users:
            return self.users[email]
        if "@" not in name and fold(name) in self.by_name:
            return self.by_name[fold(name)]
        return self.users.get(self._email_of(name)) if not email else None

    def _person(self, name: str, email: str, role: str, manager: User | None, entity: str) -> tuple[User, bool]:
        user = self._find(name, email)
        if user is not None:
            return user, False
        user = create_user(
            actor=self.actor,
            email=email or self._email_of(name),
            full_name=name if "@" not in name else name.split("@")[0],
            role=role,
            manager=manager,
            language=self.actor.language,
        )
        if not self.settings["active"]:
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.is_active = False
        self.users[user.email.lower()] = user
        self.by_name.setdefault(fold(user.full_name), user)
        if entity != self.entity:  # a row's own person is counted with the row
            self.bump(entity, "new")
        return user, True

    def merge(self, records: list[PersonRecord]) -> None:
        self._load(records)
        for record in records:
            try:
                self._merge_one(record)
            except ValidationError as error:
                self.refuse(record.line, [(self.header("person.full_name"), " ".join(error.messages))])

    def _merge_one(self, record: PersonRecord) -> None:
        overwrite = self.options.mode == "overwrite"
        manager = None
        if record.manager:
            email = record.manager.lower() if "@" in record.manager else ""
            manager, _created = self._person(record.manager, email, Role.SALES_MANAGER, None, "managers")
        existing = self._find(record.full_name, record.email)
        if existing is not None and manager is not None and existing.pk == manager.pk:
            self.refuse(record.line, [(self.header("person.manager"), _("A person cannot be their own manager."))])
            return
        if existing is not None and self.options.mode == "skip":
            self.count(record.line, "skip", _("Matches an existing record by %(key)s.") % {"key": _("email")})
            return
        person, created = self._person(record.full_name, record.email, self.settings["role"], manager, "people")
        changed = False
        moves = manager is not None and person.manager_id != manager.pk and (overwrite or person.manager_id is None)
        if not created and moves:
            try:
                set_manager(actor=self.actor, user=person, manager=manager)
            except ValidationError as error:
                self.refuse(record.line, [(self.header("person.manager"), " ".join(error.messages))])
                return
            changed = True
        if record.team:
            changed |= self._join(record.team, person, manager)
        if created:
            self.count(record.line, "new")
        else:
            reason = _("Matches an existing record by %(key)s.") % {"key": _("email")}
            self.count(record.line, "update" if changed else "same", reason)

    def _join(self, name: str, person: User, manager: User | None) -> bool:
        """Put the person (and their manager) in the team; True when the person was not in it yet."""
        team = self.teams.get(fold(name))
        if team is None:
            team = create_team(actor=self.actor, name=name, lead=manager)
            self.teams[fold(name)] = team
            self.bump("teams", "new")
        elif team.lead_id is None and manager is not None:
            Team.objects.filter(pk=team.pk).update(lead=manager)
            team.lead = manager
        members = set(team.members.values_list("pk", flat=True))
        new = [user for user in (person, manager) if user is not None and user.pk not in members]
        if new:
            team.members.add(*new)
        return person.pk not in members


TEAM = ImportKind(
    key=KIND_KEY,
    label=gettext_lazy("Sales team (people, managers, offices)"),
    fields=FIELDS,
    entities=(
        ("people", gettext_lazy("People")),
        ("managers", gettext_lazy("Managers")),
        ("teams", gettext_lazy("Teams")),
    ),
    pass_class=TeamPass,
    may_import=is_admin,
    options=(
        KindOption(
            "email_domain",
            gettext_lazy("Email domain for people without an email"),
            "sales.invalid",
            help_text=gettext_lazy("first.last@domain; the default domain never receives mail."),
        ),
        KindOption(
            "role", gettext_lazy("Role of the people in the file"), Role.SALES_REP.value, choices=INTERNAL_SALES_ROLES
        ),
        KindOption(
            "active",
            gettext_lazy("Active (can own records; they sign in after the password-reset invitation)"),
            True,
        ),
    ),
)
TeamPass.kind = TEAM
