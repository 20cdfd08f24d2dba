"""`Idempotency-Key` on API POSTs: a retried create returns the first response instead of writing twice.

The same key from the same user with the same body replays the stored response; the same key with a different
body answers 422; a key older than `IDEMPOTENCY_KEY_TTL_HOURS` (24 by default) is forgotten. Only successful
responses are stored: a request that failed may be retried with its key. Two concurrent requests with one key
meet at the unique (user, key) index: the second waits for the first to commit, then replays its response.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("ETag", "Location")


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was already used with a different request body."
    default_code = "idempotency_key_reused"


def key_ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


def request_fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = {key: values for key, values in data.lists()}
    body = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused()
    response = Response(record.response_body, status=record.status_code)
    for name, value in (record.response_headers or {}).items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def run_idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run `handler` once per (user, Idempotency-Key); without the header it simply runs."""
    key = request.headers.get(HEADER, "").strip()
    if not key or not getattr(request.user, "pk", None):
        return handler()
    if len(key) > 255:
        raise ValidationError({HEADER: ["At most 255 characters."]})
    fingerprint = request_fingerprint(request)
    IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=timezone.now() - key_ttl()).delete()
    existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if existing is not None:
        return _replay(existing, fingerprint)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=request.user, key=key, method=request.method, path=request.path[:500], request_hash=fingerprint
            )
            response = handler()
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
                record.response_headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
                record.save(update_fields=["status_code", "response_body", "response_headers"])
            else:
                transaction.set_rollback(True)
    except IntegrityError:
        # A concurrent request with this key committed first (the unique index made us wait for it).
        existing = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return response


def purge_expired_keys() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - key_ttl()).delete()
    return deleted
