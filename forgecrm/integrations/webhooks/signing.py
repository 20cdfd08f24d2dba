"""Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the endpoint's secret.

The timestamp is inside the signed text so that a captured request cannot be replayed later with a fresh
timestamp; receivers refuse timestamps older than a few minutes (docs/api.md shows how).
"""

import hashlib
import hmac
import secrets
import time

SECRET_PREFIX = "whsec_"  # noqa: S105  # nosec B105  # a label before the random part, not a secret
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """256 random bits, URL-safe; shown to the administrator once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Forge-Signature` header value."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: a fresh timestamp and a signature that matches (compared in constant time)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header.strip())
