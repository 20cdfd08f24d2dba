"""Headquarters of the demo manufacturer (한빛공조): users in a role hierarchy, teams and territories."""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from forgecrm.platform.management.commands.show_logins import DEMO_PASSWORD
from forgecrm.platform.models import Role, Territory, TerritoryKind, User
from forgecrm.platform.operations import create_team, create_territory, create_user

from ..generators.draws import pick
from ..generators.identifiers import mobile
from ..generators.people import email_local_part, person, unique
from ..places import SALES_REGIONS as REGIONS
from ..places import SIDO_BY_NAME, SIGUNGU_TERRITORIES
from ..scales import Scale

DEMO_DOMAIN = "demo.forgecrm.kr"
COMPANY_NAME = "한빛공조"

CONSTRUCTION_INDUSTRY = "건설"


@dataclass
class Organisation:
    """The seeded headquarters, as later stages need it (ids, not model instances, where rows are bulk-written)."""

    admin: User
    director: User
    territories: list[Territory]
    password_hash: str
    reps_by_territory: dict[int, list[int]] = field(default_factory=dict)  # field reps covering a territory
    key_account_rep_ids: list[int] = field(default_factory=list)  # 특판팀
    tele_rep_ids: list[int] = field(default_factory=list)
    channel_manager_ids: list[int] = field(default_factory=list)
    service_user_ids: list[int] = field(default_factory=list)
    marketing_user_ids: list[int] = field(default_factory=list)
    used_emails: set[str] = field(default_factory=set)

    @property
    def sales_rep_ids(self) -> list[int]:
        reps = {rep for ids in self.reps_by_territory.values() for rep in ids}
        return sorted(reps | set(self.key_account_rep_ids) | set(self.tele_rep_ids))


class _People:
    """Creates internal users with Korean names; fixed logins get an obvious address."""

    def __init__(self, rng: random.Random, used_emails: set[str]):
        self.rng = rng
        self.used = used_emails
        self.created: list[User] = []

    def add(self, role: str, manager: User | None = None, login: str | None = None) -> User:
        who = person(self.rng)
        local = login or unique(email_local_part(self.rng, who), self.used)
        self.used.add(local)
        user = create_user(
            actor=None,
            email=f"{local}@{DEMO_DOMAIN}",
            full_name=who.full_name,
            role=role,
            manager=manager,
        )
        user.phone = mobile(self.rng)
        self.created.append(user)
        return user


def _territories() -> tuple[dict[str, Territory], list[Territory]]:
    """Regions -> 17 시/도 -> a few 시/군/구, plus the 특판 segment territories. Codes are 법정동 codes."""
    by_code: dict[str, Territory] = {}
    for code, name, _team, sido_names, _share in REGIONS:
        region = create_territory(actor=None, name=name, code=code, kind=TerritoryKind.REGION)
        by_code[code] = region
        for sido_name in sido_names:
            sido = SIDO_BY_NAME[sido_name]
            territory = create_territory(
                actor=None, name=sido.name, code=f"KR-{sido.code}", parent=region, sido=sido.name
            )
            by_code[territory.code] = territory
            for sigungu, sigungu_code in SIGUNGU_TERRITORIES.get(sido.name, ()):
                child = create_territory(
                    actor=None,
                    name=f"{sido.short} {sigungu}",
                    code=f"KR-{sigungu_code}",
                    parent=territory,
                    sido=sido.name,
                    sigungu=sigungu,
                )
                by_code[child.code] = child
    # Builders of 100+ staff buy system air conditioners for whole apartment blocks: the 특판 team sells to them
    # nationwide, ahead of the regional teams (two criteria and a lower priority than any region rule).
    by_code["IND-CONST"] = create_territory(
        actor=None,
        name="건설·시공사 (특판)",
        code="IND-CONST",
        kind=TerritoryKind.INDUSTRY,
        industry=CONSTRUCTION_INDUSTRY,
        min_employees=100,
        priority=10,
    )
    by_code["SIZE-ENT"] = create_territory(
        actor=None,
        name="대기업 (1,000명 이상)",
        code="SIZE-ENT",
        kind=TerritoryKind.ACCOUNT_SIZE,
        min_employees=1000,
        priority=20,
    )
    return by_code, list(by_code.values())


def seed_headquarters(*, rng: random.Random, scale: Scale) -> Organisation:
    """Users, teams and territories of the manufacturer; one user of every internal role has a fixed login."""
    by_code, territories = _territories()
    people = _People(rng, set())
    admin = people.add(Role.ADMIN, login="admin")
    director = people.add(Role.SALES_MANAGER, login="manager")  # 영업본부장, top of the sales hierarchy
    org = Organisation(
        admin=admin,
        director=director,
        territories=territories,
        password_hash=make_password(DEMO_PASSWORD),
        used_emails=people.used,
    )
    regional_managers = [people.add(Role.SALES_MANAGER, manager=director) for _ in REGIONS]
    key_account_manager = people.add(Role.SALES_MANAGER, manager=director)
    tele_manager = people.add(Role.SALES_MANAGER, manager=director)

    for index, ((code, _name, team_name, sido_names, share), manager) in enumerate(
        zip(REGIONS, regional_managers, strict=True)
    ):
        manager.territories.set([by_code[code]])
        reps = []
        for number in range(max(1, round(scale.reps_per_region * share))):
            login = "rep" if index == 0 and number == 0 else None
            reps.append(people.add(Role.SALES_REP, manager=manager, login=login))
        # Each rep covers some 시/도 of the region; the first reps also take the busiest 시/군/구.
        sido_territories = [by_code[f"KR-{SIDO_BY_NAME[name].code}"] for name in sido_names]
        assignments: dict[int, list[Territory]] = {rep.pk: [] for rep in reps}
        for position, territory in enumerate(sido_territories):
            assignments[reps[position % len(reps)].pk].append(territory)
        children = [t for t in territories if t.parent_id in {s.pk for s in sido_territories}]
        for position, child in enumerate(children):
            assignments[reps[position % len(reps)].pk].append(child)
        for rep in reps:
            rep.territories.set(assignments[rep.pk])
        for territory in sido_territories + children:
            covering = [rep.pk for rep in reps if territory in assignments[rep.pk]]
            parent_covering = [rep.pk for rep in reps if territory.parent in assignments[rep.pk]]
            org.reps_by_territory[territory.pk] = covering or parent_covering or [reps[0].pk]
        org.reps_by_territory[by_code[code].pk] = [rep.pk for rep in reps]
        create_team(actor=None, name=team_name, lead=manager, members=reps)

    key_account_manager.territories.set([by_code["IND-CONST"], by_code["SIZE-ENT"]])
    key_reps = [people.add(Role.SALES_REP, manager=key_account_manager) for _ in range(max(2, scale.reps_per_region))]
    for rep in key_reps:
        rep.territories.set([by_code["IND-CONST"], by_code["SIZE-ENT"]])
    org.key_account_rep_ids = [rep.pk for rep in key_reps]
    for code in ("IND-CONST", "SIZE-ENT"):
        org.reps_by_territory[by_code[code].pk] = org.key_account_rep_ids
    create_team(actor=None, name="특판팀", lead=key_account_manager, members=key_reps)

    tele_reps = [people.add(Role.SALES_REP, manager=tele_manager) for _ in range(max(2, scale.reps_per_region))]
    org.tele_rep_ids = [rep.pk for rep in tele_reps]
    create_team(actor=None, name="텔레세일즈팀", lead=tele_manager, members=tele_reps)

    service_manager = people.add(Role.SERVICE_MANAGER, login="service")
    agents = [people.add(Role.SERVICE_AGENT, manager=service_manager, login="service.agent")]
    agents += [people.add(Role.SERVICE_AGENT, manager=service_manager) for _ in range(3)]
    org.service_user_ids = [service_manager.pk] + [agent.pk for agent in agents]
    create_team(actor=None, name="고객지원팀", lead=service_manager, members=agents)

    marketers = [people.add(Role.MARKETING, login="marketing"), people.add(Role.MARKETING)]
    org.marketing_user_ids = [user.pk for user in marketers]
    create_team(actor=None, name="마케팅팀", lead=marketers[0], members=marketers[1:])

    channel_managers = [people.add(Role.CHANNEL_MANAGER, login="channel", manager=director)]
    channel_managers.append(people.add(Role.CHANNEL_MANAGER, manager=channel_managers[0]))
    org.channel_manager_ids = [user.pk for user in channel_managers]
    create_team(actor=None, name="채널영업팀", lead=channel_managers[0], members=channel_managers[1:])

    for user in people.created:
        user.password = org.password_hash  # one hash of the published demo password: hashing is the slow part
    User.objects.bulk_update(people.created, ["password", "phone"])
    return org


def owner_for(org: Organisation, rng: random.Random, territory_id: int | None) -> int:
    """A field rep covering the account's territory (the 특판 reps for the segment territories)."""
    candidates = org.reps_by_territory.get(territory_id or 0) or org.key_account_rep_ids
    return pick(rng, candidates)
