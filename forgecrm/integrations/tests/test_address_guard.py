"""The SSRF guard's rules, one address family and spelling at a time (no network: literals and a resolver
given by the test). tests/security/test_bad_input_webhook_urls.py attacks the pages, the API and the sends."""

import ipaddress
import socket

import pytest

from ..webhooks.address_guard import UnsafeURL, category_of, embedded_ipv4, parse_url, vet_url


def _resolver(*addresses):
    def resolve(host, port, **kwargs):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    "address,category",
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.20.30.40", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "shared"),
        ("100.127.255.254", "shared"),
        ("169.254.169.254", "link_local"),
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("0.0.0.0", "unspecified"),  # noqa: S104  an address under test, not a bind
        ("0.1.2.3", "unspecified"),
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.10", "reserved"),
        ("198.18.0.1", "reserved"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link_local"),
        ("fd00:ec2::254", "private"),
        ("fc00::1", "private"),
        ("fec0::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link_local"),
        ("::ffff:10.0.0.1", "private"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link_local"),
        ("64:ff9b:1::1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("2002:a9fe:a9fe::1", "link_local"),
        ("2001:db8::1", "reserved"),
        ("2001::1", "reserved"),
        ("100::1", "reserved"),
        ("4000::1", "reserved"),
    ],
)
def test_internal_addresses_are_named(address, category):
    assert category_of(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1", "2002:101:101::1"]
)
def test_public_addresses_pass(address):
    assert category_of(ipaddress.ip_address(address)) is None


def test_python_is_global_alone_would_let_these_through():
    """Why the guard keeps its own tables (Python 3.11)."""
    for address in ["224.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::"]:
        assert ipaddress.ip_address(address).is_global
        assert category_of(ipaddress.ip_address(address)) is not None


def test_embedded_ipv4_forms():
    assert str(embedded_ipv4(ipaddress.IPv6Address("::ffff:10.1.2.3"))) == "10.1.2.3"
    assert str(embedded_ipv4(ipaddress.IPv6Address("64:ff9b::10.1.2.3"))) == "10.1.2.3"
    assert str(embedded_ipv4(ipaddress.IPv6Address("2002:0a01:0203::"))) == "10.1.2.3"
    assert embedded_ipv4(ipaddress.IPv6Address("::1")) is None
    assert embedded_ipv4(ipaddress.IPv6Address("2606:4700::1")) is None


@pytest.mark.parametrize(
    "url,host,port,path,header",
    [
        ("https://ERP.Example.KR/hooks?x=1#frag", "erp.example.kr", 443, "/hooks?x=1", "erp.example.kr"),
        ("https://erp.example.kr.:8443", "erp.example.kr", 8443, "/", "erp.example.kr:8443"),
        ("https://[2606:4700:4700::1111]/h", "2606:4700:4700::1111", 443, "/h", "[2606:4700:4700::1111]"),
        ("https://한국.kr/", "xn--3e0b707e.kr", 443, "/", "xn--3e0b707e.kr"),
        ("  https://93.184.216.34/a  ", "93.184.216.34", 443, "/a", "93.184.216.34"),
    ],
)
def test_parsing_normalises_the_host(url, host, port, path, header):
    target = parse_url(url)
    assert (target.host, target.port, target.path, target.host_header) == (host, port, path, header)


@pytest.mark.parametrize(
    "url,code",
    [
        ("https://0177.0.0.1/", "internal_address"),
        ("https://0x7f000001/", "internal_address"),
        ("https://017700000001/", "internal_address"),
        ("https://127.0.1/", "internal_address"),
        ("https://16843009/", "ambiguous_address"),
        ("https://01.01.01.01/", "ambiguous_address"),
        ("https://256.1.1.1/", "invalid_host"),
        ("https://[fe80::1%25eth0]/", "zone_index"),
        ("https://[::1/", "invalid"),
        ("https://exa mple.com/", "invalid_characters"),
        ("https://example.com\t/", "invalid_characters"),
        ("https://example.com\\@evil/", "invalid_characters"),
        ("https://u@example.com/", "credentials"),
        ("https://:p@example.com/", "credentials"),
        ("javascript:alert(1)", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.1:6379/_", "scheme"),
        ("//example.com/", "scheme"),
        ("https:///path", "invalid_host"),
        ("https://example.com:0/", "invalid"),
        ("https://example.com:99999/", "invalid"),
        ("https://-bad-.com/", "invalid_host"),
        ("https://" + "a" * 64 + ".com/", "invalid_host"),
        ("https://example.com/" + "x" * 2000, "too_long"),
        (None, "required"),
    ],
)
def test_malformed_and_ambiguous_urls_are_refused(url, code):
    with pytest.raises(UnsafeURL) as refused:
        vet_url(url, resolver=_resolver("93.184.216.34"))
    assert refused.value.code == code


def test_every_address_of_a_name_must_be_public():
    assert vet_url("https://erp.example.kr/", resolver=_resolver("93.184.216.34", "2606:4700::1")).addresses
    with pytest.raises(UnsafeURL) as refused:
        vet_url("https://erp.example.kr/", resolver=_resolver("93.184.216.34", "10.0.0.7"))
    assert "erp.example.kr resolves to 10.0.0.7, a private network address" in str(refused.value)


def test_a_name_that_does_not_resolve_is_refused():
    def fails(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(UnsafeURL) as refused:
        vet_url("https://nowhere.invalid/", resolver=fails)
    assert refused.value.code == "unresolvable"


def test_localhost_names_are_loopback_without_asking_dns():
    def never(*args, **kwargs):
        raise AssertionError("localhost must not be looked up")

    for url in ["https://localhost/", "https://LocalHost./", "https://api.localhost/", "https://ｌｏｃａｌｈｏｓｔ/"]:
        with pytest.raises(UnsafeURL) as refused:
            vet_url(url, resolver=never)
        assert "loopback" in str(refused.value)


def test_the_allow_list_lets_exactly_its_networks_through(settings):
    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32", "10.8.0.0/16"]
    assert vet_url("https://127.0.0.1/").addresses
    assert vet_url("https://[::ffff:127.0.0.1]/").addresses  # the same address, mapped
    assert vet_url("https://erp.corp/", resolver=_resolver("10.8.1.2")).addresses
    for url in ["https://127.0.0.2/", "https://10.9.0.1/", "https://169.254.169.254/", "https://[::1]/"]:
        with pytest.raises(UnsafeURL):
            vet_url(url)


def test_http_needs_the_setting(settings):
    with pytest.raises(UnsafeURL) as refused:
        vet_url("http://93.184.216.34/")
    assert refused.value.code == "https_required"
    settings.FORGE_WEBHOOK_ALLOW_HTTP = True
    assert parse_url("http://93.184.216.34/").port == 80
