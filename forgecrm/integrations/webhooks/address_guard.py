"""The SSRF guard: an outbound URL may only reach a public internet address.

Run at save (the endpoint's URL is refused with a field error) and again at every send: the name is resolved
again, every address it resolves to is vetted, and the HTTP client then connects to a vetted address itself
(it never looks the name up a second time, so a DNS answer that changes between check and connect, "DNS
rebinding", cannot move the request inside). Redirects are never followed (see `client.py`).

Refused: schemes other than https (http only when FORGE_WEBHOOK_ALLOW_HTTP), credentials in the URL, control
characters and backslashes, IPv4 written any way but four decimal numbers (`0177.0.0.1`, `2130706433`,
`0x7f.1`, `127.1`: parsers disagree about them), IPv6 zone indexes, `localhost` and `*.localhost`, and every
address that is loopback, private (RFC 1918, unique local), carrier-grade NAT, link-local (cloud metadata at
169.254.169.254 and fd00:ec2::254), multicast, unspecified, reserved or special-purpose — also when wrapped in
IPv6 (IPv4-mapped, IPv4-compatible, 6to4, NAT64). Python's `is_global` alone is not enough: it calls multicast,
`64:ff9b::7f00:1` (NAT64 of 127.0.0.1) and `2002:7f00:1::` (6to4 of 127.0.0.1) global.

FORGE_WEBHOOK_ALLOWED_NETWORKS lists networks that pass although internal (empty by default and in production).
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrOrPromise  # django-stubs: a lazy translation

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[..., Sequence[tuple[Any, ...]]]

MAX_URL_LENGTH = 2000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")

CATEGORIES: dict[str, "StrOrPromise"] = {
    "loopback": _("a loopback address (this machine)"),
    "private": _("a private network address"),
    "shared": _("a carrier-grade NAT (shared) address"),
    "link_local": _("a link-local address (where cloud metadata services answer)"),
    "multicast": _("a multicast address"),
    "unspecified": _("the unspecified address"),
    "reserved": _("a reserved or special-purpose address"),
}

_V4 = [
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link_local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "reserved"),
    ("192.0.2.0/24", "reserved"),
    ("192.88.99.0/24", "reserved"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "reserved"),
    ("198.51.100.0/24", "reserved"),
    ("203.0.113.0/24", "reserved"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
]
_V6 = [
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("fe80::/10", "link_local"),
    ("fc00::/7", "private"),
    ("fec0::/10", "private"),
    ("ff00::/8", "multicast"),
    ("64:ff9b:1::/48", "private"),
    ("100::/64", "reserved"),
    ("2001::/23", "reserved"),
    ("2001:db8::/32", "reserved"),
    ("3fff::/20", "reserved"),
    ("5f00::/16", "reserved"),
]
BLOCKED_V4 = [(ipaddress.IPv4Network(net), category) for net, category in _V4]
BLOCKED_V6 = [(ipaddress.IPv6Network(net), category) for net, category in _V6]
GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
LOOPBACK = (ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1"))


class UnsafeURL(ValueError):
    """The URL may not be used; `message % params` says why, `code` names the rule."""

    def __init__(self, message: "str | StrOrPromise", code: str, params: dict[str, Any] | None = None) -> None:
        self.message, self.code, self.params = message, code, params or {}
        super().__init__(str(message) % self.params if self.params else str(message))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass(frozen=True)
class Target:
    """A parsed URL: ASCII lower-case host without brackets or trailing dot, the port, the path with query."""

    scheme: str
    host: str
    port: int
    path: str
    literal: IPAddress | None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if isinstance(self.literal, ipaddress.IPv6Address) else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class VettedTarget:
    target: Target
    addresses: tuple[IPAddress, ...]


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries: IPv4-mapped, IPv4-compatible, 6to4 or NAT64 (64:ff9b::/96)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or (address in IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def category_of(address: IPAddress) -> str | None:
    """Why an address is internal (a key of CATEGORIES), or None for a public internet address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return category_of(inner)
        for network6, category in BLOCKED_V6:
            if address in network6:
                return category
        return None if address in GLOBAL_UNICAST_V6 else "reserved"
    for network4, category in BLOCKED_V4:
        if address in network4:
            return category
    return None if address.is_global else "reserved"


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "FORGE_WEBHOOK_ALLOWED_NETWORKS", [])]


def is_allowed(address: IPAddress) -> bool:
    """Public, or inside a network the deployment explicitly allows."""
    if category_of(address) is None:
        return True
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and embedded_ipv4(address) is not None:
        candidates.append(embedded_ipv4(address))  # type: ignore[arg-type]  # not None: checked on this line
    return any(candidate in network for candidate in candidates for network in _allowed_networks())


def _refuse_address(address: IPAddress, host: str) -> None:
    if is_allowed(address):
        return
    category = CATEGORIES[category_of(address) or "reserved"]
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    shown = f"{address} ({inner})" if inner is not None else str(address)
    if host == str(address):
        raise UnsafeURL(
            _("%(address)s is %(category)s. Webhooks are only sent to public internet addresses."),
            "internal_address",
            {"address": shown, "category": category},
        )
    raise UnsafeURL(
        _("%(host)s resolves to %(address)s, %(category)s. Webhooks are only sent to public internet addresses."),
        "internal_address",
        {"host": host, "address": shown, "category": category},
    )


def _ascii_host(raw: str) -> str:
    """The host as DNS sees it: IDNA (fullwidth letters and dots folded), lower case, no trailing dot."""
    host = raw[:-1] if raw.endswith(".") else raw
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as error:
        raise UnsafeURL(_("The host name is not valid."), "invalid_host") from error
    host = host[:-1] if host.endswith(".") else host
    labels = host.split(".")
    if not host or len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise UnsafeURL(_("The host name is not valid."), "invalid_host")
    return host


def _ipv4_literal(host: str) -> ipaddress.IPv4Address | None:
    """A dotted-decimal IPv4 literal; any other numeric spelling is refused, naming the address it means."""
    if not all(_NUMERIC_LABEL.match(label) for label in host.split(".")):
        return None
    try:
        return ipaddress.IPv4Address(host)
    except ValueError:
        pass
    try:
        meant = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError as error:
        raise UnsafeURL(_("The host name is not valid."), "invalid_host") from error
    category = category_of(meant)
    if category is not None:
        raise UnsafeURL(
            _(
                "%(host)s is %(address)s written another way, %(category)s. Webhooks are only sent to public internet addresses."
            ),
            "internal_address",
            {"host": host, "address": meant, "category": CATEGORIES[category]},
        )
    raise UnsafeURL(
        _(
            "Write the address %(host)s as four decimal numbers (%(address)s): other spellings are read differently by different programs."
        ),
        "ambiguous_address",
        {"host": host, "address": meant},
    )


def parse_url(url: Any) -> Target:
    """The URL's parts, or UnsafeURL for anything but a plain http(s) URL without credentials."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeURL(_("Enter the URL the webhook is sent to."), "required")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(_("A URL has at most %(limit)s characters."), "too_long", {"limit": MAX_URL_LENGTH})
    if "\\" in url or any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise UnsafeURL(_("The URL contains spaces, control characters or backslashes."), "invalid_characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURL(_("This is not a valid URL."), "invalid") from error
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        raise UnsafeURL(_("The URL must start with https://."), "scheme")
    if scheme == "http" and not settings.FORGE_WEBHOOK_ALLOW_HTTP:
        raise UnsafeURL(
            _("Use https://: plain http would show the payload to every network on the way."), "https_required"
        )
    if "@" in parts.netloc:
        raise UnsafeURL(
            _("Do not put a user name or password in the URL; the signature authenticates the sender."), "credentials"
        )
    raw_host = parts.hostname or ""
    if not raw_host:
        raise UnsafeURL(_("The URL has no host."), "invalid_host")
    if port == 0:
        raise UnsafeURL(_("This is not a valid URL."), "invalid")
    literal: IPAddress | None
    if parts.netloc.startswith("[") or ":" in raw_host:
        if "%" in raw_host:
            raise UnsafeURL(_("An IPv6 address with a zone index cannot be used."), "zone_index")
        try:
            literal = ipaddress.IPv6Address(raw_host)
        except ValueError as error:
            raise UnsafeURL(_("This is not a valid URL."), "invalid") from error
        host = str(literal)
    else:
        host = _ascii_host(raw_host)
        literal = _ipv4_literal(host)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), path=path, literal=literal)


def resolve(target: Target, resolver: Resolver | None = None) -> tuple[IPAddress, ...]:
    """Every address the host stands for (a literal stands for itself; `localhost` names for loopback)."""
    if target.literal is not None:
        return (target.literal,)
    if target.host == "localhost" or target.host.endswith(".localhost"):
        return LOOPBACK  # RFC 6761: these names are loopback whatever a resolver says
    lookup = resolver or socket.getaddrinfo
    try:
        answers = lookup(target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise UnsafeURL(_("%(host)s could not be resolved (DNS)."), "unresolvable", {"host": target.host}) from error
    addresses: list[IPAddress] = []
    for answer in answers:
        address = ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeURL(_("%(host)s could not be resolved (DNS)."), "unresolvable", {"host": target.host})
    return tuple(addresses)


def vet_url(url: Any, resolver: Resolver | None = None) -> VettedTarget:
    """Parse, resolve and vet: every address the URL leads to must be public (or explicitly allowed)."""
    target = parse_url(url)
    addresses = resolve(target, resolver)
    for address in addresses:
        _refuse_address(address, target.host)
    return VettedTarget(target=target, addresses=addresses)
