# ruff: noqa: S608  -- SQL here is assembled from model metadata and constants only; values always go as parameters.
"""The opportunity import: a pipeline export (Salesforce, a spreadsheet, the Maven sample) into `Opportunity`.

Set-based like the account import: each chunk of 5,000 rows resolves its references once per distinct value
(accounts, owners, products, stages: one query each), is staged in one load, matched on `(source,
external_id)` in one statement, and merged by a fixed number of INSERT … SELECT / UPDATE … FROM statements
(opportunities, their product line, their stage history, their simple-history rows). No statement runs per row.

The defaults are `create_opportunity`'s: probability from the stage (a product line's `StageProbability`
first), forecast category from the stage. Stage history keeps the sales README's invariant: one open row per
opportunity (the current stage, `stage_entered_at`); a won or lost deal has `closed_at` = its close date (local
midnight) and, when the file has an engage date, a closed row for the stage it was worked in before
("engaged stage" option) from the engage date to the close date.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forgecrm.customers.imports.access import assignable_owner_ids, changeable_q
from forgecrm.customers.imports.cleaning import stable_id
from forgecrm.customers.imports.kinds import ImportKind, KindOption, KindPass, Reference, Row
from forgecrm.customers.imports.mapping import TargetField
from forgecrm.customers.imports.specs import EXTERNAL_ID
from forgecrm.customers.imports.staging import EntitySpec, Stage
from forgecrm.customers.models import Account
from forgecrm.customers.normalization import company_name_key
from forgecrm.platform.access import scope_for
from forgecrm.platform.models import Team, User
from forgecrm.platform.search import index_objects
from forgecrm.platform.search.registry import search_sources

from ..models import Opportunity, OpportunityLine, StageProbability, WinLossReason
from ..models import Stage as PipelineStage
from ..operations.opportunities import first_open_stage
from .common import fold, parse_amount, parse_date

KIND_KEY = "sales.opportunities"
ACCOUNT, OWNER, PRODUCT, STAGE = "opportunity.account", "opportunity.owner", "opportunity.product", "opportunity.stage"

FIELDS = (
    TargetField("opportunity.external_id", gettext_lazy("Opportunity external ID"), "opportunity", (
        "opportunityid", "dealid", "id", "externalid", "기회id", "영업기회id", "기회번호",
    )),
    TargetField("opportunity.name", gettext_lazy("Opportunity name"), "opportunity", (
        "opportunityname", "dealname", "name", "기회명", "영업기회명", "건명",
    )),
    TargetField(ACCOUNT, gettext_lazy("Account"), "opportunity", (
        "account", "accountname", "company", "companyname", "customer", "회사명", "거래처", "거래처명", "고객사",
    )),
    TargetField(OWNER, gettext_lazy("Owner (user name or email)"), "opportunity", (
        "salesagent", "agent", "owner", "owneremail", "ownername", "salesrep", "rep", "담당자", "담당영업", "영업담당",
    )),
    TargetField(PRODUCT, gettext_lazy("Product (name or SKU)"), "opportunity", (
        "product", "productname", "sku", "제품", "제품명", "품명",
    )),
    TargetField(STAGE, gettext_lazy("Stage"), "opportunity", ("dealstage", "stage", "stagename", "단계", "영업단계")),
    TargetField("opportunity.engage_date", gettext_lazy("Engage date (the deal was opened)"), "opportunity", (
        "engagedate", "createddate", "opendate", "startdate", "시작일", "등록일",
    )),
    TargetField("opportunity.close_date", gettext_lazy("Close date"), "opportunity", (
        "closedate", "expectedclosedate", "마감일", "예상마감일", "종료일",
    )),
    TargetField("opportunity.amount", gettext_lazy("Amount"), "opportunity", (
        "closevalue", "amount", "value", "dealvalue", "금액", "예상금액", "수주금액",
    )),
    TargetField("opportunity.currency", gettext_lazy("Currency"), "opportunity", ("currency", "currencycode", "통화")),
    TargetField("opportunity.description", gettext_lazy("Description"), "opportunity", (
        "description", "notes", "note", "비고", "메모", "설명",
    )),
)  # fmt: skip

SPEC = EntitySpec(
    model=Opportunity,
    text_columns=("name", "forecast_category", "amount_currency", "win_loss_reason", "win_loss_note", "description"),
    int_columns=(),
    key_columns=(),
    key_int_columns=(
        "account_id",
        "product_id",
        "product_line_id",
        "stage_id",
        "probability",
        "team_id",
        "pre_stage_id",
        "pre_probability",
        "pre_seconds",
        "close_defaulted",
        "amount_missing",
        "moved",
    ),
    match_rules=(EXTERNAL_ID,),
    typed_columns=(
        ("amount", "numeric"),
        ("close_date", "date"),
        ("closed_at", "timestamp with time zone"),
        ("stage_entered_at", "timestamp with time zone"),
        ("pre_entered_at", "timestamp with time zone"),
    ),
)


@dataclass
class OpportunityRecord:
    line: int
    ext_id: str
    name: str
    account: str
    owner: str
    product: str
    stage: str
    engage_date: dt.date | None
    close_date: dt.date | None
    amount: Decimal | None
    currency: str
    description: str
    errors: list[tuple[str, str]] = field(default_factory=list)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class OpportunityPass(KindPass):
    entity = "opportunities"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stages: dict[str, PipelineStage] | None = None
        self.first_open: PipelineStage | None = None
        self.probabilities: dict[tuple[int, int | None], int] = {}
        self.today = timezone.localdate()
        self.now = timezone.now()

    # --- one row ------------------------------------------------------------------------------------------------

    def build(self, row: Row) -> OpportunityRecord | None:
        values = row.values
        dates: dict[str, dt.date | None] = {}
        for key in ("opportunity.engage_date", "opportunity.close_date"):
            dates[key] = None
            if values.get(key):
                try:
                    dates[key] = parse_date(values[key])
                except ValidationError as error:
                    row.errors.append((self.header(key), " ".join(error.messages)))
        amount = None
        if values.get("opportunity.amount"):
            try:
                amount = parse_amount(values["opportunity.amount"])
            except ValidationError as error:
                row.errors.append((self.header("opportunity.amount"), " ".join(error.messages)))
        currency = (values.get("opportunity.currency") or self.settings["currency"]).upper()
        if currency not in settings.CURRENCIES:
            row.errors.append(
                (
                    self.header("opportunity.currency"),
                    _("Unknown currency “%(code)s”; use one of %(codes)s.")
                    % {"code": currency, "codes": ", ".join(settings.CURRENCIES)},
                )
            )
        file_id = values.get("opportunity.external_id", "")
        if self.too_long(row, "opportunity.external_id", file_id, 64):
            return None
        name = values.get("opportunity.name", "")
        if self.too_long(row, "opportunity.name", name, 200) or row.errors:
            return None
        account, owner = values.get(ACCOUNT, ""), values.get(OWNER, "")
        product, stage = values.get(PRODUCT, ""), values.get(STAGE, "")
        engage = dates["opportunity.engage_date"]
        ext_id = file_id or stable_id(
            "opportunity", company_name_key(account), fold(owner), fold(product), engage.isoformat() if engage else ""
        )
        return OpportunityRecord(
            line=row.line,
            ext_id=ext_id,
            name=name,
            account=account,
            owner=owner,
            product=product,
            stage=stage,
            engage_date=engage,
            close_date=dates["opportunity.close_date"],
            amount=amount,
            currency=currency,
            description=values.get("opportunity.description", ""),
        )

    def key_of(self, record: OpportunityRecord) -> tuple:
        return ("x", record.ext_id)

    # --- references, once per distinct value of a chunk -------------------------------------------------------

    def _wanted(self, key: str, records: list[OpportunityRecord], attribute: str) -> set[str]:
        return {self.mapped(key, getattr(record, attribute)) for record in records} - {""}

    def _accounts(self, names: set[str]) -> dict[str, int]:
        keys = {company_name_key(name) for name in names} - {""}
        found: dict[str, list[int]] = defaultdict(list)
        rows = scope_for(self.actor, Account).filter(name_key__in=keys).values_list("name_key", "pk")
        for name_key, pk in rows:
            found[name_key].append(pk)
        # A name is not an identifier: two accounts of that name make it unknown (map it to one of them).
        return {name_key: ids[0] for name_key, ids in found.items() if len(ids) == 1}

    def _owners(self, values: set[str]) -> dict[str, int]:
        emails = {value.lower() for value in values if "@" in value}
        names = {fold(value) for value in values if "@" not in value}
        users = (
            User.objects.annotate(folded=Lower("full_name"))
            .filter(Q(email__in=emails) | Q(folded__in=names), is_active=True)
            .only("pk", "email", "full_name", "role")
        )
        allowed = assignable_owner_ids(self.actor)
        by_name: dict[str, list[int]] = defaultdict(list)
        found: dict[str, int] = {}
        for user in users:
            if not user.is_internal or (allowed is not None and user.pk not in allowed):
                continue
            if user.email.lower() in emails:
                found[user.email.lower()] = user.pk
            by_name[fold(user.full_name)].append(user.pk)
        found.update({name: ids[0] for name, ids in by_name.items() if len(ids) == 1 and name in names})
        return found

    def _products(self, values: set[str]) -> dict[str, tuple[int, int]]:
        from forgecrm.catalog.models import Product

        folded = {fold(value) for value in values}
        found: dict[str, tuple[int, int]] = {}
        rows = (
            Product.objects.annotate(folded_name=Lower("name"), folded_sku=Lower("sku"))
            .filter(Q(folded_name__in=folded) | Q(folded_sku__in=folded))
            .values_list("pk", "product_line_id", "name", "sku")
        )
        for pk, line_id, name, sku in rows:
            found.setdefault(fold(sku), (pk, line_id))
            found.setdefault(fold(name), (pk, line_id))
        return found

    def _load_stages(self) -> dict[str, PipelineStage]:
        if self.stages is None:
            self.stages = {}
            for stage in PipelineStage.objects.filter(is_active=True).order_by("order", "id"):
                for name in (stage.name_en, stage.name, stage.code):
                    if name:
                        self.stages.setdefault(fold(name), stage)
            self.first_open = first_open_stage()
            self.probabilities = {
                (row.stage_id, row.product_line_id): row.probability for row in StageProbability.objects.all()
            }
        return self.stages

    def _teams(self, owner_ids: set[int]) -> dict[int, int]:
        """The owner's team when they are in exactly one."""
        teams: dict[int, list[int]] = defaultdict(list)
        through = Team.members.through
        for user_id, team_id in through.objects.filter(user_id__in=owner_ids).values_list("user_id", "team_id"):
            teams[user_id].append(team_id)
        return {user_id: ids[0] for user_id, ids in teams.items() if len(ids) == 1}

    # --- a chunk --------------------------------------------------------------------------------------------

    def merge(self, records: list[OpportunityRecord]) -> None:
        stages = self._load_stages()
        accounts = self._accounts(self._wanted(ACCOUNT, records, "account"))
        owners = self._owners(self._wanted(OWNER, records, "owner"))
        products = self._products(self._wanted(PRODUCT, records, "product"))
        teams = self._teams(set(owners.values()) | {self.actor.pk})
        engaged = stages.get(fold(self.settings["engaged_stage"]))
        if engaged is not None and engaged.is_closed:
            engaged = None
        rows = []
        for record in records:
            row = self._stage_row(record, accounts, owners, products, stages, teams, engaged)
            if record.errors:
                self.refuse(record.line, record.errors)
            else:
                rows.append(row)
        if not rows:
            return
        stage = Stage("forge_import_opportunities", SPEC)
        stage.create()
        stage.load(rows)
        stage.match(EXTERNAL_ID)
        allowed = scope_for(self.actor, Opportunity).filter(changeable_q(self.actor))
        if allowed.query.where:
            sql, params = allowed.values("pk").query.sql_with_params()
            stage.lock_outside(sql, list(params))
        self._classify(stage)
        if not self.dry_run:
            self._write(stage)
        outcomes = stage.fetch("SELECT line, action FROM {stage} ORDER BY line")
        stage.drop()
        for line, action in outcomes:
            reason = ""
            if action == "locked":
                reason = _("Matches an existing opportunity (by external ID) that you may not change; skipped.")
            elif action in ("update", "same", "skip"):
                reason = _("Matches an existing record by %(key)s.") % {"key": _("external ID")}
            self.count(line, action, reason)

    def _stage_row(self, record, accounts, owners, products, stages, teams, engaged) -> tuple:
        errors = record.errors
        account_id = self.resolve(record.line, errors, ACCOUNT, record.account, accounts, company_name_key)
        owner_id = self.resolve(record.line, errors, OWNER, record.owner, owners, self._owner_key)
        if not self.mapped(OWNER, record.owner):
            owner_id = self.actor.pk
        product = self.resolve(record.line, errors, PRODUCT, record.product, products, fold)
        stage = self.resolve(record.line, errors, STAGE, record.stage, stages, fold)
        if not self.mapped(STAGE, record.stage):
            stage = self.first_open  # create_opportunity's default
        if errors or stage is None:
            return ()
        product_id, line_id = product if product else (None, None)
        close_date, close_defaulted = record.close_date, 0
        if stage.is_closed and close_date is None:
            errors.append((self.header("opportunity.close_date"), _("A won or lost deal needs its close date.")))
            return ()
        if close_date is None:
            close_date = (record.engage_date or self.today) + dt.timedelta(days=int(self.settings["open_close_days"]))
            close_defaulted = 1
        if record.engage_date and stage.is_closed and record.engage_date > close_date:
            errors.append((self.header("opportunity.engage_date"), _("The engage date is after the close date.")))
            return ()
        probability = self.probabilities.get((stage.pk, line_id), stage.default_probability)
        closed_at: dt.datetime | None = None
        pre_stage_id = pre_probability = pre_seconds = None
        pre_entered_at: dt.datetime | None = None
        if stage.is_closed:
            closed_at = entered_at = _local_midnight(close_date)
            if record.engage_date and engaged is not None:
                pre_entered_at = _local_midnight(record.engage_date)
                pre_stage_id = engaged.pk
                pre_probability = self.probabilities.get((engaged.pk, line_id), engaged.default_probability)
                pre_seconds = int((entered_at - pre_entered_at).total_seconds())
        else:
            entered_at = _local_midnight(record.engage_date) if record.engage_date else self.now
        amount = record.amount if record.amount is not None else Decimal("0.00")
        account_label = self.mapped(ACCOUNT, record.account)
        product_label = self.mapped(PRODUCT, record.product)
        name = record.name or " · ".join(part for part in (account_label, product_label) if part) or record.ext_id
        ops = connection.ops
        return (
            record.line, record.ext_id, owner_id, None, "", None, "new", None,
            # text
            name[:200], stage.default_forecast_category, record.currency,
            WinLossReason.OTHER if stage.is_lost else "",
            _("Imported without a win/loss reason.") if stage.is_lost else "",
            record.description,
            # integers
            account_id, product_id, line_id, stage.pk, probability, teams.get(owner_id), pre_stage_id,
            pre_probability, pre_seconds, close_defaulted, 1 if record.amount is None else 0, 0,
            # typed
            ops.adapt_decimalfield_value(amount, 18, 2),
            ops.adapt_datefield_value(close_date),
            ops.adapt_datetimefield_value(closed_at),
            ops.adapt_datetimefield_value(entered_at),
            ops.adapt_datetimefield_value(pre_entered_at),
        )  # fmt: skip

    @staticmethod
    def _owner_key(value: str) -> str:
        return value.lower() if "@" in value else fold(value)

    def _classify(self, stage: Stage) -> None:
        stage.execute("UPDATE {stage} SET result_id = matched_id WHERE matched_id IS NOT NULL")
        if self.options.mode == "skip":
            stage.execute("UPDATE {stage} SET action = 'skip' WHERE action = 'match'")
            return
        table = SPEC.table
        differs = (
            "t.name <> {stage}.name OR t.account_id <> {stage}.account_id OR t.owner_id <> {stage}.owner_id "
            "OR COALESCE(t.product_line_id, 0) <> COALESCE({stage}.product_line_id, 0) "
            "OR t.stage_id <> {stage}.stage_id "
            "OR ({stage}.amount_missing = 0 AND (t.amount <> {stage}.amount "
            "OR t.amount_currency <> {stage}.amount_currency)) "
            "OR ({stage}.close_defaulted = 0 AND t.close_date <> {stage}.close_date)"
        )
        stage.execute(
            f"UPDATE {{stage}} SET action = 'update' WHERE action = 'match' AND EXISTS "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"(SELECT 1 FROM {table} t WHERE t.id = {{stage}}.matched_id AND ({differs}))"
        )
        stage.execute("UPDATE {stage} SET action = 'same' WHERE action = 'match'")
        stage.execute(
            f"UPDATE {{stage}} SET moved = 1 WHERE action = 'update' AND EXISTS "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"(SELECT 1 FROM {table} t WHERE t.id = {{stage}}.matched_id AND t.stage_id <> {{stage}}.stage_id)"
        )

    # --- writing --------------------------------------------------------------------------------------------

    def _write(self, stage: Stage) -> None:
        postgres = connection.vendor == "postgresql"
        now = connection.ops.adapt_datetimefield_value(self.now)
        moment = "CAST(%s AS timestamp with time zone)" if postgres else "%s"
        actor = self.actor.pk
        constants: dict[str, object] = {
            "created_at": now,
            "updated_at": now,
            "created_by_id": actor,
            "updated_by_id": actor,
            "version": 1,
            "source": "import",
        }
        columns = (
            "name", "forecast_category", "amount_currency", "win_loss_reason", "win_loss_note", "description",
            "account_id", "product_line_id", "stage_id", "probability", "team_id", "owner_id",
            "amount", "close_date", "closed_at", "stage_entered_at",
        )  # fmt: skip
        from_stage = {column: column for column in columns}
        from_stage["external_id"] = "ext_id"
        stage.insert_new(constants, from_stage)
        stage.collect_new_ids()
        # The product of the row as the deal's one line: quantity 1 at the deal's amount.
        stage.insert_new(
            constants | {"quantity": 1, "position": 0},
            {
                "opportunity_id": "result_id",
                "product_id": "product_id",
                "unit_price": "amount",
                "unit_price_currency": "amount_currency",
                "amount": "amount",
                "amount_currency": "amount_currency",
            },
            model=OpportunityLine,
            where="product_id IS NOT NULL",
        )
        history = "sales_stagehistory"
        history_columns = (
            "opportunity_id, stage_id, entered_at, left_at, seconds_in_stage, changed_by_id, amount, "
            "amount_currency, probability"
        )
        stage.execute(
            f"INSERT INTO {history} ({history_columns}) SELECT o.id, s.pre_stage_id, s.pre_entered_at, "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"o.stage_entered_at, s.pre_seconds, CAST(%s AS bigint), o.amount, o.amount_currency, s.pre_probability "
            f"FROM {{stage}} s JOIN {SPEC.table} o ON o.id = s.result_id "
            f"WHERE s.action = 'new' AND s.pre_stage_id IS NOT NULL ORDER BY s.line",
            [actor],
        )
        stage.execute(
            f"INSERT INTO {history} ({history_columns}) SELECT o.id, o.stage_id, o.stage_entered_at, NULL, NULL, "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"CAST(%s AS bigint), o.amount, o.amount_currency, o.probability "
            f"FROM {{stage}} s JOIN {SPEC.table} o ON o.id = s.result_id WHERE s.action = 'new' ORDER BY s.line",
            [actor],
        )
        self._update(stage, now, moment, postgres)
        reason = _("Import #%(job)s") % {"job": self.job.pk}
        stage.write_history(action="new", history_type="+", when=now, user_id=actor, reason=reason)
        stage.write_history(
            action="new",
            history_type="+",
            when=now,
            user_id=actor,
            reason=reason,
            model=OpportunityLine,
            parent_column="opportunity_id",
        )
        stage.write_history(action="update", history_type="~", when=now, user_id=actor, reason=reason)
        source = search_sources().get("opportunity")
        if source is not None:
            written = [row[0] for row in stage.fetch("SELECT result_id FROM {stage} WHERE action IN ('new', 'update')")]
            queryset = source.model._default_manager.select_related(*source.select_related).order_by("pk")
            for start in range(0, len(written), 5000):
                index_objects("opportunity", queryset.filter(pk__in=written[start : start + 5000]))

    def _update(self, stage: Stage, now: Any, moment: str, postgres: bool) -> None:
        """Overwrite mode: changed deals take the file's values; a changed stage is a move with its history."""
        table = SPEC.table
        sets = [
            "name = s.name",
            "account_id = s.account_id",
            "owner_id = s.owner_id",
            "product_line_id = s.product_line_id",
            "team_id = COALESCE(s.team_id, {t}.team_id)",
            "amount = CASE WHEN s.amount_missing = 1 THEN {t}.amount ELSE s.amount END",
            "amount_currency = CASE WHEN s.amount_missing = 1 THEN {t}.amount_currency ELSE s.amount_currency END",
            "close_date = CASE WHEN s.close_defaulted = 1 THEN {t}.close_date ELSE s.close_date END",
            "stage_id = s.stage_id",
            "probability = CASE WHEN s.moved = 1 THEN s.probability ELSE {t}.probability END",
            "forecast_category = CASE WHEN s.moved = 1 THEN s.forecast_category ELSE {t}.forecast_category END",
            "closed_at = CASE WHEN s.moved = 1 THEN s.closed_at ELSE {t}.closed_at END",
            "win_loss_reason = CASE WHEN s.moved = 1 THEN s.win_loss_reason ELSE {t}.win_loss_reason END",
            f"stage_entered_at = CASE WHEN s.moved = 1 THEN {moment} ELSE {{t}}.stage_entered_at END",
            "version = {t}.version + 1",
            f"updated_at = {moment}",
            "updated_by_id = CAST(%s AS bigint)",
        ]
        assignments = ", ".join(sets).replace("{t}", table)
        if not stage.fetch("SELECT 1 FROM {stage} WHERE action = 'update' LIMIT 1"):
            return
        history = "sales_stagehistory"
        moved = "SELECT matched_id FROM {stage} WHERE action = 'update' AND moved = 1"
        if postgres:
            seconds = "CAST(EXTRACT(EPOCH FROM (CAST(%s AS timestamp with time zone) - entered_at)) AS bigint)"
        else:
            seconds = "CAST((julianday(%s) - julianday(entered_at)) * 86400 AS INTEGER)"
        # The open stay ends now (never before it began: a deal entered in the future keeps its entry time).
        stage.execute(
            f"UPDATE {history} SET left_at = CASE WHEN entered_at > {moment} THEN entered_at ELSE {moment} END, "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"seconds_in_stage = CASE WHEN entered_at > {moment} THEN 0 ELSE {seconds} END "
            f"WHERE left_at IS NULL AND opportunity_id IN ({moved})",
            [now, now, now, now],
        )
        stage.execute(
            f"UPDATE {table} SET {assignments} FROM {{stage}} s WHERE s.matched_id = {table}.id AND s.action = 'update'",  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            [now, now, self.actor.pk],
        )
        stage.execute(
            f"INSERT INTO {history} (opportunity_id, stage_id, entered_at, left_at, seconds_in_stage, changed_by_id, "  # nosec B608  # identifiers come from the import spec and model _meta; values are bound parameters
            f"amount, amount_currency, probability) SELECT o.id, o.stage_id, o.stage_entered_at, NULL, NULL, "
            f"CAST(%s AS bigint), o.amount, o.amount_currency, o.probability FROM {table} o WHERE o.id IN ({moved})",
            [self.actor.pk],
        )


def may_import_opportunities(user) -> bool:
    from forgecrm.customers.imports import may_import

    return bool(may_import(user)) and user.has_perm("sales.add_opportunity")


def suggestions(actor: User, key: str) -> list[str]:
    if key == ACCOUNT:
        return list(scope_for(actor, Account).order_by("name").values_list("name", flat=True)[:500])
    if key == OWNER:
        allowed = assignable_owner_ids(actor)
        users = User.objects.filter(is_active=True).exclude(role__in=["partner_admin", "partner_rep", "customer_user"])
        if allowed is not None:
            users = users.filter(pk__in=allowed)
        return list(users.order_by("full_name").values_list("full_name", flat=True)[:500])
    if key == PRODUCT:
        from forgecrm.catalog.models import Product

        return list(Product.objects.order_by("name").values_list("name", flat=True)[:500])
    if key == STAGE:
        stages = PipelineStage.objects.filter(is_active=True).order_by("order")
        return [value for stage in stages for value in (stage.code, stage.name_en or stage.name) if value]
    return []


def _currency_choices() -> tuple[tuple[str, str], ...]:
    return tuple((code, code) for code in settings.CURRENCIES)


OPPORTUNITIES = ImportKind(
    key=KIND_KEY,
    label=gettext_lazy("Opportunities (pipeline)"),
    fields=FIELDS,
    entities=(("opportunities", gettext_lazy("Opportunities")),),
    pass_class=OpportunityPass,
    may_import=may_import_opportunities,
    references=(
        Reference(ACCOUNT, gettext_lazy("account"), empty_is_value=True),
        Reference(OWNER, gettext_lazy("owner")),
        Reference(PRODUCT, gettext_lazy("product")),
        Reference(STAGE, gettext_lazy("stage"), list_all=True),
    ),
    options=(
        KindOption(
            "currency",
            gettext_lazy("Currency of the amounts"),
            "KRW",
            choices=_currency_choices(),
            help_text=gettext_lazy("Unless a column gives each row's currency."),
        ),
        KindOption(
            "open_close_days",
            gettext_lazy("Open deals without a close date close this many days after their engage date"),
            90,
            help_text=gettext_lazy("Or after the day of the import when there is no engage date either."),
        ),
        KindOption(
            "engaged_stage",
            gettext_lazy("Stage a won or lost deal was in from its engage date (code)"),
            "qualification",
            help_text=gettext_lazy("Written as its closed stage history row; empty: none."),
        ),
    ),
    modes=("overwrite", "skip"),
    suggestions=suggestions,
)
OpportunityPass.kind = OPPORTUNITIES
