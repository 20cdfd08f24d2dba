"""Floors: the least a Django view can do to answer the same request, served by the same gunicorn.

Each view is raw SQL and string building, no auth, no ORM, no templates: what remains of a request when every
layer of the product is taken away (the middleware stack stays, since it is the same settings module).
"""

import datetime as dt
import json
from html import escape

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse


def _ints(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip().lstrip("-").isdigit()]


CONTACT_PAGE_SQL = """
SELECT c.id, c.full_name, c.title, c.email, c.phone, c.key_person_role, c.updated_at, a.id, a.name
FROM customers_contact c JOIN customers_account a ON a.id = c.account_id
WHERE (c.owner_id = ANY(%(users)s) OR a.owner_id = ANY(%(users)s) OR a.territory_id = ANY(%(territories)s))
  AND c.is_active AND c.key_person_role = %(role)s {after}
ORDER BY {order}
LIMIT 51 {offset}
"""
# Sort keys as the product's list offers them: (ORDER BY, the keyset position as a row comparison, which an index
# on the same columns serves as an index condition).
SORTS = {
    "-updated": ("c.updated_at DESC NULLS LAST, c.id DESC", "AND (c.updated_at, c.id) < (%(value)s, %(last_id)s)"),
    "name": ("c.full_name ASC NULLS LAST, c.id ASC", "AND (c.full_name, c.id) > (%(value)s, %(last_id)s)"),
}


def contact_page(request: HttpRequest) -> HttpResponse:
    """Scenario 2's floor: one page of a rep's contacts (decision makers), sorted as asked (`sort=-updated` or
    `name`) with one join, after a keyset position (`after=<value>,<id>`, the value an ISO time for -updated) or,
    to show what OFFSET costs, at `offset=`."""
    order, keyset = SORTS[request.GET.get("sort", "-updated")]
    params: dict = {
        "users": _ints(request.GET.get("users", "")),
        "territories": _ints(request.GET.get("territories", "")),
        "role": request.GET.get("role", "decision_maker"),
    }
    after, offset = "", ""
    if request.GET.get("after"):
        value, last_id = request.GET["after"].rsplit(",", 1)
        params.update(value=value, last_id=int(last_id))
        if request.GET.get("sort", "-updated") == "-updated":
            params["value"] = dt.datetime.fromisoformat(value)
        after = keyset
    elif request.GET.get("offset"):
        offset = "OFFSET %(offset)s"
        params["offset"] = int(request.GET["offset"])
    with connection.cursor() as cursor:
        cursor.execute(CONTACT_PAGE_SQL.format(after=after, offset=offset, order=order), params)
        rows = cursor.fetchall()
    body = ["<!doctype html><title>contacts</title><table>"]
    for row in rows[:50]:
        body.append(
            f"<tr><td><a href='/contacts/{row[0]}/'>{escape(row[1])}</a></td>"
            f"<td><a href='/accounts/{row[7]}/'>{escape(row[8])}</a></td><td>{escape(row[2])}</td>"
            f"<td>{escape(row[3])}</td><td>{escape(row[4])}</td><td>{escape(row[5])}</td><td>{row[6].isoformat()}</td></tr>"
        )
    body.append("</table>")
    return HttpResponse("".join(body))


def ping(request: HttpRequest) -> HttpResponse:
    """Answers once the worker is free: the harness waits on it between two measurements."""
    return HttpResponse("ok")


def account_by_pk(request: HttpRequest, pk: int) -> HttpResponse:
    """Scenarios 4's floor: one account read by primary key, as a small HTML page."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, name, brn, phone, email, road_address, sido, sigungu, kind, updated_at "
            "FROM customers_account WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    if row is None:
        return HttpResponse(status=404)
    cells = "".join(f"<td>{escape(str(value))}</td>" for value in row)
    return HttpResponse(f"<!doctype html><title>{escape(row[1])}</title><table><tr>{cells}</tr></table>")


CONTACT_COLUMNS = (
    "id", "account_id", "full_name", "title", "department", "email", "phone", "mobile", "key_person_role",
    "preferred_channel", "owner_id", "is_active", "version", "created_at", "updated_at",
)  # fmt: skip


def contact_by_pk(request: HttpRequest, pk: int) -> JsonResponse:
    """Scenario 6's floor for GET detail: one contact read by primary key, as JSON."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(CONTACT_COLUMNS)} FROM customers_contact WHERE id = %s", [pk])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({}, status=404)
    return JsonResponse(dict(zip(CONTACT_COLUMNS, row, strict=True)))


def contact_list(request: HttpRequest) -> JsonResponse:
    """Informational floor for scenario 6's list: the first 50 contacts of the visible set by name, as JSON."""
    users = _ints(request.GET.get("users", ""))
    territories = _ints(request.GET.get("territories", ""))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join('c.' + c for c in CONTACT_COLUMNS)} FROM customers_contact c "
            "JOIN customers_account a ON a.id = c.account_id "
            "WHERE c.owner_id = ANY(%s) OR a.owner_id = ANY(%s) OR a.territory_id = ANY(%s) "
            "ORDER BY c.full_name, c.id LIMIT 50",
            [users, users, territories],
        )
        rows = cursor.fetchall()
    return JsonResponse({"results": [dict(zip(CONTACT_COLUMNS, row, strict=True)) for row in rows]})


def contact_insert(request: HttpRequest) -> JsonResponse:
    """Informational floor for scenario 6's create: one contact row inserted in its own transaction by a view."""
    data = json.loads(request.body or b"{}")
    now = dt.datetime.now(dt.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_contact (created_at, updated_at, created_by_id, updated_by_id, version, "
            "account_id, full_name, name_key, title, department, email, phone, mobile, key_person_role, "
            "preferred_channel, owner_id, notes, source, external_id, is_active) VALUES "
            "(%s, %s, %s, %s, 1, %s, %s, %s, '', '', %s, '', %s, '', '', %s, '', 'bench-floor', '', true) "
            "RETURNING id",
            [now, now, data["owner"], data["owner"], data["account"], data["full_name"], data["full_name"],
             data.get("email", ""), data.get("mobile", ""), data["owner"]],
        )  # fmt: skip
        pk = cursor.fetchone()[0]
    return JsonResponse({"id": pk}, status=201)
