"""The authorization matrix: role x record x route, each cell's expected outcome read from policy.yaml.

Cells are generated from the policy table at collection time (not from the code under test). Each cell makes
one request as one role and checks the status, what the body may and may not contain, and, for a refused write,
that no row, history row or outbox event changed. Read responses are cached per (route, role, query) for the
module: the world does not change between cells (every cell's writes are rolled back).
"""

import csv
import hashlib
import io
import json
from collections import Counter
from functools import cache

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from .conftest import load_policy, marker

POLICY = load_policy()
ROLES = list(POLICY["roles"])
SIGNED_OUT = {"anonymous", "inactive"}
PORTAL = {"partner_a_admin", "partner_a_rep", "partner_b_admin", "partner_b_rep", "customer_a", "customer_b"}
# Records whose marker must never appear in a body served to a role that may not see them.
SECRET_MODELS = [
    "Account",
    "Contact",
    "Activity",
    "Attachment",
    "Product",
    "ProductLine",
    "OptionGroup",
    "Option",
    "PriceList",
    "PartnerProductNumber",
    "WebhookEndpoint",
    "WebhookDelivery",
    # a partner service request's thread: headquarters' internal notes never reach a partner (pages, API)
    "PartnerServiceComment",
    "MdfRequest",
]
REFUSED = {403, 404}
COUNTS: Counter = Counter()


def expand(names) -> set[str]:
    roles: set[str] = set()
    for name in names or []:
        if name in POLICY["roles"]:
            roles.add(name)
        elif name in POLICY["groups"]:
            roles |= expand(POLICY["groups"][name])
        else:
            raise KeyError(f"policy.yaml: unknown role or group {name!r}")
    return roles


def visible_to(model: str, key: str) -> set[str]:
    return expand(POLICY["models"][model]["objects"][key].get("visible"))


def allowed(model: str, key: str, action: str) -> set[str]:
    if action in {"read", "detail"}:
        return visible_to(model, key)
    spec = {**POLICY["models"][model].get("every_object", {}), **POLICY["models"][model]["objects"][key]}
    return expand(spec.get(action)) & visible_to(model, key)


def objects_of(model: str) -> list[str]:
    return list(POLICY["models"][model]["objects"])


# ---- cells -----------------------------------------------------------------------------------------------


def _route_models(spec) -> list[str]:
    return spec.get("models") or ([spec["model"]] if "model" in spec else [])


def generate_cells():
    cells = []
    for route, spec in POLICY["routes"].items():
        if "exempt" in spec:
            continue
        channel = spec["channel"]
        for role in ROLES:
            if channel in {"list", "subset"}:
                for export in [None, *spec.get("exports", [])]:
                    for model in _route_models(spec):
                        for key in objects_of(model):
                            cells.append((route, channel, role, model, key, export or "get"))
            elif channel == "api-list":
                for key in objects_of(spec["model"]):
                    cells.append((route, "api-list", role, spec["model"], key, "get"))
                if "post" in spec["methods"]:
                    cells.append((route, "api-create", role, spec["model"], "-", "post"))
            elif channel == "create":
                cells.append((route, "create", role, spec["model"], "-", "post"))
            elif channel in {"detail", "write"} and "parts" in spec:
                for kind, model in spec["parts"].items():
                    for key in objects_of(model):
                        cells.append((route, channel, role, model, key, kind))
            elif channel in {"detail", "write"}:
                for export in [None, *spec.get("exports", [])]:
                    for key in objects_of(spec["model"]):
                        cells.append((route, channel, role, spec["model"], key, export or "get"))
            elif channel in {"api-detail", "api-write", "api-nested-detail"}:
                for method in spec["methods"]:
                    for key in objects_of(spec["model"]):
                        cells.append((route, channel, role, spec["model"], key, method))
            else:
                raise AssertionError(f"policy.yaml: {route} has unknown channel {channel}")
    return cells


CELLS = generate_cells()


# ---- fixtures --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clients(world, django_db_blocker):
    made = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world[role])
            made[role] = client
    return made


_READS: dict = {}


def _read(client, role, url, query, follow=False):
    key = (role, url, json.dumps(query, sort_keys=True))
    if key not in _READS:
        response = client.get(url, query, follow=follow)
        chain = getattr(response, "redirect_chain", [])
        if chain and "/login/" in chain[-1][0]:
            _READS[key] = (302, "", chain[-1][0])
        else:
            _READS[key] = (response.status_code, _body(response), response.get("Location", ""))
    return _READS[key]


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join("" if value is None else str(value) for value in row)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    text = raw.decode("utf-8", errors="replace")
    if "text/csv" in content_type:
        return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if "json" in content_type:
        # Decode \uXXXX escapes so the markers and the Korean text compare as text.
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


@cache
def _snapshot_sql() -> str:
    """One query over every Forge table, its history tables and the outbox: row count, version sum, last change."""
    from django.db import connection

    quote = connection.ops.quote_name
    parts = []
    for model in apps.get_models():
        if not model.__module__.startswith("forgecrm.") and model._meta.app_label != "platform":
            continue
        names = {field.attname for field in model._meta.concrete_fields}
        version = f"SUM({quote('version')})" if "version" in names else "0"
        changed = f"MAX({quote('updated_at')})" if "updated_at" in names else "NULL"
        history = f"MAX({quote('history_id')})" if "history_id" in names else "0"
        table = model._meta.db_table
        parts.append(f"SELECT '{table}', COUNT(*), {version}, CAST({changed} AS TEXT), {history} FROM {quote(table)}")  # noqa: S608 (table and column names from model _meta, no input)
    return " UNION ALL ".join(parts)


def snapshot(target=None) -> str:
    """A digest of the whole database's Forge rows (counts, versions, last changes) and of the target row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql())
        rows = sorted(map(repr, cursor.fetchall()))
    if target is not None:
        rows.append(repr(list(type(target)._default_manager.filter(pk=target.pk).values())))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def _url(route, spec, world, model, key, variant):
    kwargs = {}
    if key != "-" and spec["channel"] not in {"list", "subset", "api-list"}:
        obj = world[key]
        if "parts" in spec:
            kwargs = {"kind": variant, "pk": obj.pk}
        elif spec["channel"] == "api-nested-detail":
            kwargs = {"pk": obj.activity_id, "attachment_id": obj.pk}
        else:
            kwargs = {spec.get("kwarg", "pk"): obj.pk}
    return reverse(route, kwargs=kwargs)


def _resolve(value, world, role, key):
    """Payload templates: {own:Model} a record the role sees, {other:Model} another one than the cell's record."""
    if not (isinstance(value, str) and value.startswith("{") and value.endswith("}")):
        return value
    kind, model = value[1:-1].split(":")
    candidates = [k for k in objects_of(model) if role in visible_to(model, k)]
    if kind == "other":
        candidates = [k for k in candidates if k != key] or [k for k in objects_of(model) if k != key]
    candidates = candidates or objects_of(model)
    return world[candidates[0]].pk


_PUT_BODIES: dict = {}


def _payload(spec, world, role, model, key, clients, url, method):
    payload = {name: _resolve(value, world, role, key) for name, value in spec.get("payload", {}).items()}
    if method == "put" and key != "-":
        if url not in _PUT_BODIES:
            response = clients["admin"].get(url)
            _PUT_BODIES[url] = response.json() if response.status_code == 200 else {}
        payload = {**_PUT_BODIES[url], **payload}
        for name in spec.get("put_drop", []):
            payload.pop(name, None)
    return payload


def _is_api(spec) -> bool:
    return spec["channel"].startswith("api") or bool(spec.get("api"))


def _signed_out_ok(spec, status, location) -> bool:
    if "signed_out" in spec:
        return status == spec["signed_out"]
    if _is_api(spec):
        return status in {401, 403}
    return status == 302 and "/login/" in location


def _assert_no_leaks(role, body, world):
    """No record the role may not see, and no manufacturer's cost for portal users, anywhere in the body."""
    for model in SECRET_MODELS:
        for key in objects_of(model):
            spec = POLICY["models"][model]["objects"][key]
            if role not in visible_to(model, key) | expand(spec.get("named_to")):
                assert marker(key) not in body, f"{role} was served {model} {key}"
    if role in PORTAL:
        for figure in POLICY["secrets"]["standard_cost"]:
            assert figure not in body, f"{role} was served the standard cost"


@pytest.mark.parametrize(
    "route,channel,role,model,key,variant", CELLS, ids=["|".join(map(str, cell)) for cell in CELLS]
)
def test_cell(route, channel, role, model, key, variant, world, clients, db):
    spec = POLICY["routes"][route]
    client = clients[role]
    COUNTS[channel] += 1
    only = expand(spec["only"]) if "only" in spec else None
    url = _url(route, spec, world, model, key, variant)
    query = dict(spec.get("query", {}))

    if channel in {"list", "subset", "api-list"}:
        if variant in {"csv", "xlsx"}:
            query["export"] = variant
        status, body, location = _read(client, role, url, query, follow=spec.get("follow", False))
        if role in SIGNED_OUT:
            assert _signed_out_ok(spec, status, location), (status, location)
            return
        if only is not None and role not in only:
            assert status in REFUSED, status
            return
        assert status == 200, status
        _assert_no_leaks(role, body, world)
        shown = marker(key) in body
        named = expand(POLICY["models"][model]["objects"][key].get("named_to"))
        if role in visible_to(model, key):
            if channel != "subset" and spec.get("match", "equal") == "equal":
                assert shown, f"{role} does not find visible {model} {key} on {route} ({variant})"
        elif role not in named:
            assert not shown, f"{role} finds invisible {model} {key} on {route} ({variant})"
        return

    if channel in {"detail", "api-detail", "api-nested-detail"} and variant in {"get", "csv", "xlsx"}:
        if variant in {"csv", "xlsx"}:
            query["export"] = variant
        status, body, location = _read(client, role, url, query)
        if role in SIGNED_OUT:
            assert _signed_out_ok(spec, status, location), (status, location)
            return
        if role not in visible_to(model, key):
            expected = REFUSED if only is not None and role not in only else {404}
            assert status in expected, f"{role} on invisible {model} {key}: {status}"
            assert marker(key) not in body
            return
        if only is not None and role not in only:
            assert status in REFUSED
            return
        expected = spec.get("visible_answer", 200)
        assert status == expected, f"{role} on visible {model} {key}: {status}"
        _assert_no_leaks(role, body, world)
        return

    # Writes: create, page writes, API writes.
    method = "post" if channel in {"create", "write", "api-create"} else variant
    if channel == "write" and spec.get("method") == "GET":
        method = "get"
    if channel in {"create", "api-create"} and spec.get("methods", {}).get(method) == "never":
        action, may = "never", set()  # the route has no create at all (405 before any lookup)
    elif channel in {"create", "api-create"}:
        action, may = "create", expand(POLICY["models"][model].get("create"))
    elif channel == "write":
        action = spec["allow"]
        may = allowed(model, key, action)
    else:
        action = spec["methods"][variant]
        may = set() if action == "never" else allowed(model, key, action)
    if only is not None:
        may &= only

    payload = _payload(spec, world, role, model, key, clients, url, method)
    target = world[key] if key != "-" else None
    before = snapshot(target)
    if _is_api(spec):
        response = getattr(client, method)(url, data=payload, content_type="application/json", HTTP_IF_MATCH="*")
    elif spec.get("upload"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(url, {"file": SimpleUploadedFile("note.txt", b"hello", content_type="text/plain")})
    elif method == "get":
        response = client.get(url)
    else:
        response = client.post(url, payload)
    status = response.status_code
    assert status < 500, f"{route} {role} {key}: {status}"

    if role in SIGNED_OUT:
        assert _signed_out_ok(spec, status, response.get("Location", "")), status
        assert snapshot(target) == before, f"{route}: a refused write by {role} changed the database"
        return
    if action == "never":
        assert status in {403, 404, 405}, status
        assert snapshot(target) == before
        return
    if key != "-" and role not in visible_to(model, key):
        # A role refused the action on every record may be refused before the lookup (same answer for any id).
        anywhere = set().union(*(allowed(model, other, action) for other in objects_of(model)))
        if only is not None:
            anywhere &= only
        expected = {404} if role in anywhere else REFUSED
        assert status in expected, f"{route} by {role} on invisible {model} {key}: {status}"
        assert marker(key) not in _body(response)
        assert snapshot(target) == before, f"{route}: a refused write by {role} changed the database"
        return
    if role in may:
        assert status not in REFUSED, f"{route} by {role} on {model} {key} refused ({status}); policy allows it"
        return
    assert status in REFUSED, f"{route} by {role} on {model} {key} answered {status}; policy refuses it"
    assert snapshot(target) == before, f"{route}: a refused write by {role} changed the database"


def test_zz_report_cell_count(request):
    """Prints the number of cells (per channel) this module checked (for docs/security.md)."""
    total = len(CELLS)
    print(f"\nauthorization matrix: {total} cells; by channel: {dict(Counter(cell[1] for cell in CELLS))}")
    assert total > 1000
