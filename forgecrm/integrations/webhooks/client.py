"""The HTTP send of one webhook, I/O only: a POST to an address the guard vetted, never a redirect followed.

urllib3 connects to the vetted IP itself and is told the host name only for the Host header, TLS SNI and
certificate verification, so no second DNS lookup happens between the check and the connection. No proxy from
the environment is used (a proxy would resolve the name again). Connect and read timeouts are bounded, the
response body is read up to MAX_RESPONSE_BYTES and not decompressed.
"""

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, ReadTimeoutError, SSLError

from .address_guard import IPAddress, Target, VettedTarget

MAX_RESPONSE_BYTES = 64 * 1024
# A name with many addresses: try a few of them (each within the connect timeout), not all.
MAX_ADDRESSES_TRIED = 3


@dataclass(frozen=True)
class SendResult:
    status: int | None  # None: no HTTP answer (connection refused, timeout, TLS failure)
    body: bytes
    location: str
    error: str
    duration_ms: int


def _pool(target: Target, address: IPAddress, connect_timeout: float, read_timeout: float):
    timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(address),
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            block=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host if target.literal is None else None,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(str(address), target.port, timeout=timeout, retries=False, maxsize=1, block=False)


def _describe(error: Exception, read_timeout: float) -> str:
    if isinstance(error, ReadTimeoutError):
        return f"no answer within {read_timeout:g} s"
    if isinstance(error, NewConnectionError):  # a subclass of ConnectTimeoutError in urllib3 2
        return "connection refused or unreachable"
    if isinstance(error, ConnectTimeoutError):
        return "connection timed out"
    if isinstance(error, SSLError):
        return f"TLS: {error}"[:300]
    return f"{type(error).__name__}: {error}"[:300]


def post(
    vetted: VettedTarget, *, body: bytes, headers: dict[str, str], connect_timeout: float, read_timeout: float
) -> SendResult:
    target = vetted.target
    started = time.monotonic()
    sent_headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json; charset=utf-8",
        "Accept-Encoding": "identity",
        "Connection": "close",
        "User-Agent": "ForgeCRM-Webhooks/1",
    }
    error = ""
    for address in vetted.addresses[:MAX_ADDRESSES_TRIED]:
        pool = _pool(target, address, connect_timeout, read_timeout)
        try:
            response = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers=sent_headers,
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                content = response.read(MAX_RESPONSE_BYTES, decode_content=False)
            finally:
                response.release_conn()
            elapsed = int((time.monotonic() - started) * 1000)
            return SendResult(response.status, content or b"", response.headers.get("Location", ""), "", elapsed)
        except (NewConnectionError, ConnectTimeoutError) as failure:
            error = _describe(failure, read_timeout)  # the next address may answer
        except (HTTPError, OSError) as failure:
            error = _describe(failure, read_timeout)
            break
        finally:
            pool.close()
    return SendResult(None, b"", "", error, int((time.monotonic() - started) * 1000))
