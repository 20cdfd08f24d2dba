"""Leads from outside: the public web form (no signed-in actor) and CSV/XLSX imports.

Web form: the page carries a signed timestamp (`form_token`); a submission sooner than MIN_FILL_SECONDS after
the page was served, older than MAX_FORM_AGE, or with the honeypot filled in is refused as spam before this
runs (`check_form_token`). The consents ticked are recorded with the form's text version and language, the
time and the sender's IP.

Import: the lead import kind (`forgecrm.sales.imports.leads`) matches rows to earlier imports by the same
external id as here (`lead_external_id`).
"""

import hashlib
import time
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from forgecrm.customers.normalization import company_name_key, person_name_key

from ..models import Lead, LeadSource, WebForm
from .leads import create_lead

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


def lead_external_id(values: dict[str, Any]) -> str:
    """The file's ID, else a stable hash of email, phone, company and name: a file imported twice matches itself."""
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
