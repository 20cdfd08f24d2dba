"""How accounts and contacts are staged, matched to existing rows and merged."""

from forgecrm.customers.models import Account, Contact

from .staging import EntitySpec, MatchRule

# Written as the unique index's own condition, NOT (external_id = ''), so SQLite uses that partial index.
EXTERNAL_ID = MatchRule(
    "external_id",
    ("ext_id",),
    ("t.external_id",),
    "{stage}.ext_id <> ''",
    condition="t.source = 'import' AND NOT (t.external_id = '')",
)
# Every writer stores emails in lower case (operations and this import), so the plain indexed column matches.


ACCOUNTS = EntitySpec(
    model=Account,
    text_columns=(
        "name",
        "brn",
        "corporate_number",
        "phone",
        "email",
        "website",
        "road_address",
        "address_detail",
        "sido",
        "sigungu",
        "postal_code",
        "industry",
        "description",
    ),
    int_columns=("employees", "annual_revenue"),
    key_columns=("name_key", "email_key"),
    key_int_columns=("territory_id",),
    overwrite_only=("name",),
    # Exact BRN, email or phone, else the folded name in the same 시/도 (spec: issue 2, part 3).
    match_rules=(
        EXTERNAL_ID,
        MatchRule("brn", ("brn",), ("t.brn",), "{stage}.brn <> ''", condition="t.brn <> ''"),
        MatchRule("email", ("email_key",), ("t.email",), "{stage}.email_key <> ''", condition="t.email <> ''"),
        MatchRule("phone", ("phone",), ("t.phone",), "{stage}.phone <> ''", condition="t.phone <> ''"),
        MatchRule("name", ("name_key", "sido"), ("t.name_key", "t.sido"), "{stage}.name_key <> ''"),
        # No 시/도 in the file: the name alone, when exactly one account has it.
        MatchRule("name", ("name_key",), ("t.name_key",), "{stage}.name_key <> '' AND {stage}.sido = ''", unique=True),
    ),
)

CONTACTS = EntitySpec(
    model=Contact,
    text_columns=("full_name", "title", "department", "email", "phone", "mobile"),
    int_columns=(),
    key_columns=("name_key", "email_key", "account_file_id", "account_brn", "account_name_key", "account_sido"),
    key_int_columns=("account_id",),
    overwrite_only=("full_name",),
    # A person is their email or mobile; an office phone is shared, so only the name at the same account counts.
    match_rules=(
        EXTERNAL_ID,
        MatchRule("email", ("email_key",), ("t.email",), "{stage}.email_key <> ''", condition="t.email <> ''"),
        MatchRule("mobile", ("mobile",), ("t.mobile",), "{stage}.mobile <> ''", condition="t.mobile <> ''"),
        # The account leads: the first column drives the lookup, and a common name (김민준) has thousands of rows.
        MatchRule("name", ("account_id", "name_key"), ("t.account_id", "t.name_key"), "{stage}.account_id IS NOT NULL"),
    ),
)

# A contacts-only file names the account a contact belongs to; only accounts the importer can see are found.
ACCOUNT_TABLE = Account._meta.db_table
ACCOUNT_LOOKUPS = (
    MatchRule(
        "account_external_id",
        ("account_file_id",),
        ("t.external_id",),
        "{stage}.account_file_id <> ''",
        condition="t.source = 'import' AND NOT (t.external_id = '')",
        table=ACCOUNT_TABLE,
    ),
    MatchRule(
        "account_brn",
        ("account_brn",),
        ("t.brn",),
        "{stage}.account_brn <> ''",
        condition="t.brn <> ''",
        table=ACCOUNT_TABLE,
    ),
    MatchRule(
        "account_name_sido",
        ("account_name_key", "account_sido"),
        ("t.name_key", "t.sido"),
        "{stage}.account_name_key <> '' AND {stage}.account_sido <> ''",
        table=ACCOUNT_TABLE,
        unique=True,
    ),
    MatchRule(
        "account_name",
        ("account_name_key",),
        ("t.name_key",),
        "{stage}.account_name_key <> ''",
        table=ACCOUNT_TABLE,
        unique=True,
    ),
)
