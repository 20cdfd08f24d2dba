"""The receiver's check in docs/api.md accepts what we sign, and refuses a changed body, another secret and an old
timestamp. The snippet is read from the document itself, so the documentation cannot drift from the sender."""

import re
import time
from pathlib import Path

from ..webhooks.signing import new_secret, signature, verify

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def _documented_check(secret: str):
    section = DOC.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code.replace('b"whsec_..."', repr(secret.encode())), namespace)  # noqa: S102  our own document
    return namespace["is_from_forge"]


def test_the_documented_receiver_check_agrees_with_the_sender():
    secret = new_secret()
    check = _documented_check(secret)
    body = '{"event":"AccountCreated","data":{"name":"(주)한빛"}}'.encode()
    now = int(time.time())
    headers = {"X-Forge-Timestamp": str(now), "X-Forge-Signature": signature(secret, now, body)}
    assert check(headers, body)
    assert verify(secret, timestamp=str(now), body=body, header=headers["X-Forge-Signature"])
    assert not check(headers, body + b" ")
    assert not _documented_check(new_secret())(headers, body)
    old = now - 3600
    stale = {"X-Forge-Timestamp": str(old), "X-Forge-Signature": signature(secret, old, body)}
    assert not check(stale, body) and not verify(
        secret, timestamp=str(old), body=body, header=stale["X-Forge-Signature"]
    )
    assert not check({"X-Forge-Timestamp": "soon", "X-Forge-Signature": "sha256=0"}, body)
