import unicodedata
from collections.abc import Iterable

from django.db import connection, transaction

from ..models import SearchDocument
from .registry import search_sources

# Corporate forms are noise in a search for a company name: "(주)대한공조" must match "대한공조".
CORPORATE_FORMS = (
    "주식회사",
    "(주)",
    "㈜",
    "유한회사",
    "(유)",
    "합자회사",
    "(합)",
    "co.,ltd.",
    "co., ltd.",
    "inc.",
    "ltd.",
)


def normalize_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value or "").lower()
    for form in CORPORATE_FORMS:
        text = text.replace(form, " ")
    return " ".join(text.split())


def normalize_query(value: str) -> str:
    """What a user typed, made comparable to the index: NFKC, lower case; a phone or BRN becomes digits."""
    text = normalize_text(value).replace("\x00", "")[:100]
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) >= 3 and all(ch.isdigit() or ch in "-+() ." for ch in text):
        if text.startswith("+82"):
            digits = "0" + digits[2:]
        return digits
    return text


def _document_body(parts: Iterable[str]) -> str:
    pieces = []
    for part in parts:
        if not part:
            continue
        text = str(part)
        pieces.append(normalize_text(text))
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 7:
            # A stored E.164 phone (+821012345678) is found by the national digits people type (010...).
            pieces.append("0" + digits[2:] if text.lstrip().startswith("+82") else digits)
    return " | ".join(pieces)


def document_body(entity: str, obj) -> str:
    """The search text of one row as `index_objects` stores it, for bulk loaders that write documents themselves."""
    return _document_body(search_sources()[entity].document(obj))


def index_objects(entity: str, objects: Iterable) -> int:
    """Write (or rewrite) the search documents of these rows. Operations call this after their writes."""
    source = search_sources()[entity]
    rows = [
        SearchDocument(entity=entity, object_id=obj.pk, body=_document_body(source.document(obj))) for obj in objects
    ]
    if not rows:
        return 0
    with transaction.atomic():
        SearchDocument.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["entity", "object_id"],
            update_fields=["body", "updated_at"],
        )
    return len(rows)


def remove_objects(entity: str, object_ids: Iterable[int]) -> None:
    SearchDocument.objects.filter(entity=entity, object_id__in=list(object_ids)).delete()


def reindex_entity(entity: str, batch_size: int = 5000, progress=None) -> int:
    source = search_sources()[entity]
    queryset = source.model._default_manager.select_related(*source.select_related).order_by("pk")
    count = 0
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        count += index_objects(entity, batch)
        last_pk = batch[-1].pk
        if progress:
            progress(len(batch))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO platform_search_fts(platform_search_fts) VALUES ('optimize')")
    return count
