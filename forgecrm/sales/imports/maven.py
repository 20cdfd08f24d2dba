"""The Maven Analytics CRM sample (../shared/datasets/maven-crm-sales-opportunities) through the normal import path.

Four import jobs, each created, previewed and run by the same operations the import pages call
(`customers.imports.create_import_job` / `run_import`), with the mappings below written down once for the
demo command (`manage.py import_maven_sample`) and its test. The sample's traps and what the mapping does:

- accounts.csv: `account` -> name, `sector` -> industry, `employees` -> employees. `revenue` is in USD millions
  (our annual revenue is KRW) and `year_established`, `office_location`, `subsidiary_of` have no field: not
  imported. The misspelt sector `technolgy` is imported as written (the industry is free text; fix it on the
  accounts afterwards). The accounts are customers (they hold won deals).
- products.csv: `product` -> name (SKU derived: "GTX Pro" -> GTX-PRO), `series` -> product line (created),
  `sales_price` -> a specification "sales_price" (USD, while list prices are KRW).
- sales_teams.csv: `sales_agent` -> a sales rep, `manager` -> their sales manager (reporting line),
  `regional_office` -> a team; emails derived as first.last@sales.invalid; invitation-style users (active,
  no password).
- sales_pipeline.csv: `opportunity_id` -> external id (re-imports match it), amounts from `close_value` in USD.
  Value mappings: product `GTXPro` -> `GTX Pro`; stage `Prospecting` -> prospecting, `Engaging` ->
  qualification, `Won` -> won, `Lost` -> lost; the empty account of 1,425 open deals -> the account
  "Maven sample: no account" (created here through `create_account`, since an opportunity needs an account).
  Open deals without a close date close 90 days after their engage date (Prospecting rows have none either:
  90 days after the import). Won/lost deals were "qualification" from their engage date to their close date.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from forgecrm.customers.imports import create_import_job, run_import
from forgecrm.customers.models import Account, AccountKind
from forgecrm.customers.operations.accounts import create_account
from forgecrm.platform.models import Job, User

from .opportunities import ACCOUNT, PRODUCT, STAGE
from .opportunities import KIND_KEY as OPPORTUNITIES
from .products import KIND_KEY as PRODUCTS
from .team import KIND_KEY as TEAM

DATASET = "maven-crm-sales-opportunities"
NO_ACCOUNT = "Maven sample: no account"


@dataclass(frozen=True)
class MavenFile:
    name: str
    target: str
    columns: dict[str, str]  # header -> field
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    account_kind: str = AccountKind.PROSPECT
    mode: str = "fill"


FILES = (
    MavenFile(
        "accounts.csv",
        "accounts",
        {"account": "account.name", "sector": "account.industry", "employees": "account.employees"},
        account_kind=AccountKind.CUSTOMER,
    ),
    MavenFile(
        "products.csv",
        PRODUCTS,
        {"product": "product.name", "series": "product.line", "sales_price": "product.spec"},
        options={"status": "active"},
    ),
    MavenFile(
        "sales_teams.csv",
        TEAM,
        {"sales_agent": "person.full_name", "manager": "person.manager", "regional_office": "person.team"},
        options={"email_domain": "sales.invalid", "role": "sales_rep", "active": True},
    ),
    MavenFile(
        "sales_pipeline.csv",
        OPPORTUNITIES,
        {
            "opportunity_id": "opportunity.external_id",
            "sales_agent": "opportunity.owner",
            "product": "opportunity.product",
            "account": "opportunity.account",
            "deal_stage": "opportunity.stage",
            "engage_date": "opportunity.engage_date",
            "close_date": "opportunity.close_date",
            "close_value": "opportunity.amount",
        },
        value_map={
            PRODUCT: {"GTXPro": "GTX Pro"},
            STAGE: {"Prospecting": "prospecting", "Engaging": "qualification", "Won": "won", "Lost": "lost"},
            ACCOUNT: {"": NO_ACCOUNT},
        },
        options={"currency": "USD", "open_close_days": 90, "engaged_stage": "qualification"},
        mode="overwrite",
    ),
)


def default_path() -> Path | None:
    """The dataset beside the checkout (/work/shared for /work/main, and for worktrees under /work/wt)."""
    base = Path(settings.BASE_DIR)
    for root in (base.parent, base.parent.parent):
        candidate = root / "shared" / "datasets" / DATASET
        if candidate.is_dir():
            return candidate
    return None


def column_mapping(path: Path, columns: dict[str, str]) -> dict[str, str]:
    """{column index: field} from the file's header row."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        headers = next(csv.reader(handle))
    return {str(index): columns[header] for index, header in enumerate(headers) if header in columns}


def no_account(actor: User) -> Account:
    """The account the pipeline's rows without an account are mapped to (created once, by the operation)."""
    found = Account.objects.filter(name=NO_ACCOUNT).order_by("pk").first()
    return found or create_account(actor=actor, name=NO_ACCOUNT, kind=AccountKind.PROSPECT, owner=actor)


def import_file(
    *,
    actor: User,
    path: Path,
    spec: MavenFile,
    with_mapping: bool = True,
    run: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Job:
    """One file as an import job: uploaded and previewed, then (with `run`) imported synchronously."""
    job = create_import_job(
        actor=actor,
        filename=spec.name,
        data=(path / spec.name).read_bytes(),
        target=spec.target,
        mode=spec.mode,
        account_kind=spec.account_kind,
        mapping=column_mapping(path / spec.name, spec.columns),
        value_map=spec.value_map if with_mapping else None,
        options=spec.options,
    )
    if run:
        run_import(actor=actor, job=job, progress=progress)
        job.refresh_from_db()
    return job


def import_maven_sample(
    *,
    actor: User,
    path: Path,
    progress: Callable[[MavenFile, Job], Callable[[int], None] | None] | None = None,
) -> dict[str, Job]:
    """The whole chain in order (accounts, products, people, opportunities); returns the jobs by file name.

    `progress(spec, job)` is called once the file is previewed and may return the callback of its chunks."""
    jobs: dict[str, Job] = {}
    for spec in FILES:
        if spec.target == OPPORTUNITIES:
            no_account(actor)
        job = import_file(actor=actor, path=path, spec=spec, run=False)
        callback = progress(spec, job) if progress is not None else None
        run_import(actor=actor, job=job, progress=callback)
        job.refresh_from_db()
        jobs[spec.name] = job
    return jobs
