"""Partners and their portal users, customer accounts, contacts, consents and customer-portal users."""

import datetime as dt
import random
from dataclasses import dataclass, field

from forgecrm.customers.models import Account, Consent, Contact
from forgecrm.platform.models import Role, Territory, User
from forgecrm.platform.operations import match_territory

from ..generators import accounts as account_gen
from ..generators import contacts as contact_gen
from ..generators.draws import between, pick
from ..generators.identifiers import mobile
from ..generators.partners import partners as partner_rows
from ..generators.people import email_local_part, person, unique
from ..scales import Scale
from .bulk import TableWriter, history_rows
from .organisation import DEMO_DOMAIN, Organisation, owner_for
from .progress import Progress
from .search import SearchFeed

CHUNK = 5000
TICK = 500  # rows between progress updates


@dataclass(frozen=True, slots=True)
class AccountFacts:
    """What the activity generator needs to know about an account, kept small for 200,000 of them."""

    id: int
    owner_id: int
    partner_id: int | None
    form: str
    kind: str
    industry: str
    created: dt.date
    first_contact_id: int
    contacts: int
    name: str = ""
    territory_id: int | None = None
    size: str = ""


@dataclass
class CustomerBook:
    accounts: list[AccountFacts] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    portal_user_ids: dict[int, list[int]] = field(default_factory=dict)  # partner account id -> its users


class TerritoryMatcher:
    """`match_territory` with the answers remembered: accounts repeat the same few (시/도, 시/군/구, rule) keys."""

    def __init__(self, territories: list[Territory]):
        self.territories = territories
        self.minimums = sorted({t.min_employees for t in territories if t.min_employees is not None})
        self.maximums = sorted({t.max_employees for t in territories if t.max_employees is not None})
        self.cache: dict[tuple, int | None] = {}

    def __call__(self, row: dict) -> int | None:
        employees = row.get("employees")
        key = (
            row["sido"],
            row["sigungu"],
            row.get("industry", ""),
            tuple(employees is not None and employees >= low for low in self.minimums),
            tuple(employees is not None and employees <= high for high in self.maximums),
        )
        if key not in self.cache:
            territory = match_territory(
                sido=row["sido"],
                sigungu=row["sigungu"],
                industry=row.get("industry", ""),
                employees=employees,
                territories=self.territories,
            )
            self.cache[key] = territory.pk if territory else None
        return self.cache[key]


def _stamp(row: dict, rng: random.Random, owner_id: int, since: dt.date, today: dt.date) -> dt.date:
    """Created by its owner on a day after `since`, last changed some time after."""
    span = max(0, (today - since).days - 1)
    created = since + dt.timedelta(days=between(rng, 0, span))
    updated = created + dt.timedelta(days=between(rng, 0, max(0, (today - created).days)))
    row.update(
        created_at=contact_gen.moment(rng, created),
        updated_at=contact_gen.moment(rng, updated),
        created_by_id=owner_id,
        updated_by_id=owner_id,
        owner_id=owner_id,
    )
    return created


class _Writers:
    def __init__(self, history: bool, search: SearchFeed):
        self.search = search
        self.account = TableWriter(Account)
        self.contact = TableWriter(Contact)
        self.consent = TableWriter(Consent)
        self.user = TableWriter(User)
        self.history = history
        self.account_history = TableWriter(Account.history.model) if history else None
        self.contact_history = TableWriter(Contact.history.model) if history else None

    def write_accounts(self, rows: list[dict]) -> None:
        self.account.write(rows)
        self.search.feed("account", Account, rows)
        if self.account_history:
            self.account_history.write(
                dict(row, history_id=self.account_history.next_id()) for row in history_rows(Account, rows)
            )

    def write_contacts(self, rows: list[dict]) -> None:
        self.contact.write(rows)
        self.search.feed("contact", Contact, rows, related="account")
        if self.contact_history:
            self.contact_history.write(
                dict(row, history_id=self.contact_history.next_id()) for row in history_rows(Contact, rows)
            )


def _portal_user(
    writers: _Writers, org: Organisation, *, rng, role: str, organization_id: int, login=None, manager=None
):
    who = person(rng)
    local = login or unique(email_local_part(rng, who), org.used_emails)
    org.used_emails.add(local)
    user_id = writers.user.next_id()
    return {
        "id": user_id,
        "email": f"{local}@{DEMO_DOMAIN}",
        "full_name": who.full_name,
        "role": role,
        "manager_id": manager["id"] if manager else None,
        "hierarchy_path": f"{manager['hierarchy_path']}{manager['id']}/" if manager else "/",
        "organization_id": organization_id,
        "phone": mobile(rng),
        "password": org.password_hash,
        "language": "ko",
        "is_active": True,
        "is_superuser": False,
        "last_login": None,
    }


PORTAL_REPS = {"distributor": 3, "dealer": 1, "agency": 2, "reseller": 1, "service_centre": 2}


def seed_partners(
    *, org: Organisation, writers: _Writers, rng_for, scale: Scale, matcher, today, taken: set[str], book: CustomerBook
) -> list[dict]:
    """Partner accounts (distributor -> dealers via channel_parent) and a partner admin and reps for each."""
    rng = rng_for("partners")
    rows = partner_rows(rng, scale.partners, taken)
    for row in rows:
        row["id"] = writers.account.next_id()
    for row in rows:
        row["channel_parent_id"] = rows[row["_parent"]]["id"] if row["_parent"] is not None else None
        row["territory_id"] = matcher(row)
        _stamp(row, rng, rng.choice(org.channel_manager_ids), today - dt.timedelta(days=365 * 8), today)
    writers.write_accounts(rows)
    book.partner_ids = [row["id"] for row in rows]

    # The fixed logins: the admin of the first distributor (who also sees its dealers' rows) and a rep of its
    # first dealer. show_logins prints the first user of each role, so these two get the lowest ids of their role.
    first_dealer = next(index for index, row in enumerate(rows) if row["_parent"] == 0)
    users_rng = rng_for("partner-users")
    users: list[dict] = []
    admins: dict[int, dict] = {}

    def admin_of(index: int) -> dict:
        if index not in admins:
            admins[index] = _portal_user(
                writers,
                org,
                rng=users_rng,
                role=Role.PARTNER_ADMIN,
                organization_id=rows[index]["id"],
                login="partner.admin" if index == 0 else None,
            )
            users.append(admins[index])
        return admins[index]

    admin_of(0)
    for index in [first_dealer] + [i for i in range(len(rows)) if i != first_dealer]:
        row = rows[index]
        admin = admin_of(index)
        team = [admin]
        for number in range(PORTAL_REPS[row["partner_type"]]):
            login = "partner.rep" if index == first_dealer and number == 0 else None
            team.append(
                _portal_user(
                    writers,
                    org,
                    rng=users_rng,
                    role=Role.PARTNER_REP,
                    organization_id=row["id"],
                    login=login,
                    manager=admin,
                )
            )
        users += team[1:]
        book.portal_user_ids[row["id"]] = [user["id"] for user in team]
    writers.user.write(users)
    return rows


def seed_customers(
    *, org: Organisation, rng_for, scale: Scale, progress: Progress, today: dt.date, search: SearchFeed
) -> CustomerBook:
    """Every account, contact and consent of the demo, written in bulk; returns what activities need."""
    writers = _Writers(scale.history, search)
    matcher = TerritoryMatcher(org.territories)
    taken: set[str] = set()
    book = CustomerBook()
    progress.begin("partners")
    partners = seed_partners(
        org=org, writers=writers, rng_for=rng_for, scale=scale, matcher=matcher, today=today, taken=taken, book=book
    )
    progress.advance("partners", len(partners))
    progress.begin("accounts")

    rng = rng_for("accounts")
    partners_by_sido: dict[str, list[int]] = {}
    for row in partners:
        if row["partner_type"] in ("distributor", "dealer", "reseller"):
            partners_by_sido.setdefault(row["sido"], []).append(row["id"])
    customers = []
    for row in account_gen.customer_accounts(rng, scale.accounts, taken):
        row["id"] = writers.account.next_id()
        row["territory_id"] = matcher(row)
        household = row["form"] == "household"
        owner = pick(rng, org.tele_rep_ids) if household else owner_for(org, rng, row["territory_id"])
        _stamp(row, rng, owner, today - dt.timedelta(days=365 * 5), today - dt.timedelta(days=30))
        serving = partners_by_sido.get(row["sido"])
        if serving and row["kind"] != "competitor" and rng.random() < (0.5 if household else 0.25):
            row["partner_id"] = rng.choice(serving)
        customers.append(row)
        if len(customers) % TICK == 0:
            progress.advance("accounts", TICK)
        if len(customers) % CHUNK == 0:
            writers.write_accounts(customers[-CHUNK:])
    tail = len(customers) % CHUNK
    if tail:
        writers.write_accounts(customers[-tail:])
    progress.advance("accounts", len(customers) % TICK)
    progress.begin("contacts")

    _seed_contacts(
        writers=writers,
        rng=rng_for("contacts"),
        accounts=partners + customers,
        scale=scale,
        today=today,
        book=book,
        progress=progress,
    )
    _seed_customer_users(writers=writers, org=org, rng=rng_for("customer-users"), customers=customers, scale=scale)
    return book


def _seed_contacts(
    *, writers: _Writers, rng, accounts: list[dict], scale: Scale, today, book, progress: Progress
) -> None:
    counts = account_gen.contact_counts(rng, accounts, scale.contacts)
    emails: set[str] = set()
    contact_rows: list[dict] = []
    consent_rows: list[dict] = []

    def flush() -> None:
        writers.write_contacts(contact_rows)
        writers.consent.write(consent_rows)
        progress.advance("contacts", len(contact_rows))
        contact_rows.clear()
        consent_rows.clear()

    for account, count in zip(accounts, counts, strict=True):
        first_id = None
        household = account["form"] == "household"
        account_ref = Account(pk=account["id"], name=account["name"])  # what a contact's search document reads
        for row in contact_gen.contacts(rng, account, count, emails):
            row["id"] = writers.contact.next_id()
            first_id = first_id or row["id"]
            row["account_id"] = account["id"]
            row["_account"] = account_ref
            _stamp(row, rng, account["owner_id"], account["created_at"].date(), today)
            contact_rows.append(row)
            for purpose, granted, when, source, self_service in contact_gen.consents(
                rng, household=household, today=today
            ):
                consent_rows.append(
                    {
                        "id": writers.consent.next_id(),
                        "contact_id": row["id"],
                        "purpose": purpose,
                        "granted": granted,
                        "recorded_at": when,
                        "source": source,
                        "recorded_by_id": None if self_service else account["owner_id"],
                    }
                )
        book.accounts.append(
            AccountFacts(
                id=account["id"],
                owner_id=account["owner_id"],
                partner_id=account.get("partner_id"),
                form=account["form"],
                kind=account["kind"],
                industry=account.get("industry", ""),
                created=account["created_at"].date(),
                first_contact_id=first_id or 0,
                contacts=count,
                name=account["name"],
                territory_id=account.get("territory_id"),
                size=account.get("size", ""),
            )
        )
        if len(contact_rows) >= TICK * 2:
            flush()
    if contact_rows:
        flush()


def _seed_customer_users(*, writers: _Writers, org: Organisation, rng, customers: list[dict], scale: Scale) -> None:
    """customer@ and a few more customer-portal users, each bound to a company customer account."""
    eligible = [row for row in customers if row["kind"] == "customer" and row["form"] == "company"]
    chosen = eligible[: 1 + scale.customer_users]
    users = [
        _portal_user(
            writers,
            org,
            rng=rng,
            role=Role.CUSTOMER_USER,
            organization_id=row["id"],
            login="customer" if index == 0 else None,
        )
        for index, row in enumerate(chosen)
    ]
    writers.user.write(users)
