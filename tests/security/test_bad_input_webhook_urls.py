"""Bad input, theme 11: webhook URLs aimed at private, loopback or metadata addresses, in every spelling, are
refused at save (page and API: a field error, nothing stored) and at send (the row was written before, or the
name's DNS answer changed since: the delivery fails with the reason, no connection is made).

The allow-list (FORGE_WEBHOOK_ALLOWED_NETWORKS) stays empty here, as in production. A real HTTP receiver listens
on 127.0.0.1 and every spelling below aims at its port: had the guard let one through, the receiver would have
seen the request. Names resolving inside are served by a stand-in for `socket.getaddrinfo` (no DNS server can
be run here); IP literals still go to the real resolver.
"""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from forgecrm.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from forgecrm.integrations.tasks import send_webhook_delivery_task
from forgecrm.integrations.tests.factories import WebhookEndpointFactory
from forgecrm.platform.events import emit
from forgecrm.platform.models import Role
from forgecrm.platform.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"

# host spelling -> what the message must name. Every one of them points at this machine or inside a network.
SPELLINGS = {
    "127.0.0.1": "loopback",
    "0177.0.0.1": "127.0.0.1 written another way",  # octal
    "0x7f.0.0.1": "127.0.0.1 written another way",  # hex
    "0x7f.1": "127.0.0.1 written another way",
    "2130706433": "127.0.0.1 written another way",  # decimal
    "017700000001": "127.0.0.1 written another way",
    "0x7f000001": "127.0.0.1 written another way",
    "127.1": "127.0.0.1 written another way",  # short
    "127.0.0.1.": "loopback",  # trailing dot
    "127.0.0.2": "loopback",
    "0.0.0.0": "unspecified",  # noqa: S104  Linux connects it to this machine
    "１２７.０.０.１": "loopback",  # fullwidth digits (IDNA folds them)
    "[::1]": "loopback",
    "[::ffff:127.0.0.1]": "loopback",  # IPv4-mapped
    "[::ffff:7f00:1]": "loopback",
    "[::127.0.0.1]": "loopback",  # IPv4-compatible
    "[64:ff9b::7f00:1]": "loopback",  # NAT64
    "[2002:7f00:1::]": "loopback",  # 6to4
    "[0:0:0:0:0:0:0:1]": "loopback",
    "localhost": "loopback",
    "LOCALHOST.": "loopback",
    "hooks.localhost": "loopback",
    "169.254.169.254": "link-local",  # cloud metadata (AWS, GCP, Azure, OpenStack)
    "[fd00:ec2::254]": "private",  # AWS metadata over IPv6
    "[::ffff:169.254.169.254]": "link-local",
    "[fe80::1]": "link-local",
    "10.0.0.1": "private",
    "172.16.0.1": "private",
    "192.168.0.1": "private",
    "100.64.0.1": "carrier-grade NAT",
    "224.0.0.1": "multicast",
    "255.255.255.255": "reserved",
    "intranet.forge.test": "resolves to 10.1.2.3",  # a DNS name resolving inside
    "mixed.forge.test": "resolves to 127.0.0.1",  # one public answer and one internal: refused
    "rebind.forge.test": "resolves to 127.0.0.1",
}
DNS = {
    "intranet.forge.test": ["10.1.2.3"],
    "mixed.forge.test": ["93.184.216.34", "127.0.0.1"],
    "rebind.forge.test": ["127.0.0.1"],
}


@pytest.fixture(autouse=True)
def no_allow_list(settings):
    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = []
    settings.FORGE_WEBHOOK_ALLOW_HTTP = True  # the receiver speaks plain http; the spelling is what is tested
    settings.FORGE_WEBHOOK_CONNECT_TIMEOUT = 1.0
    settings.FORGE_WEBHOOK_READ_TIMEOUT = 1.0


@pytest.fixture
def dns(monkeypatch):
    """Names of this test resolve from a table (and are counted); everything else goes to the real resolver."""
    real = socket.getaddrinfo
    table = {name: list(addresses) for name, addresses in DNS.items()}
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name in table:
            lookups.append(name)
            family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
            return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in table[name]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return table, lookups


@pytest.fixture
def admin():
    return UserFactory(role=Role.ADMIN, language="en")


def _url(host: str, port: int) -> str:
    return f"http://{host}:{port}/hook"


@pytest.mark.parametrize("host", list(SPELLINGS))
def test_refused_at_save_on_the_page_and_in_the_api(host, admin, receiver, dns):
    url = _url(host, receiver.port)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(admin)
    form = {"url": url, "description": "ZQXkeptQ", "event_types": ["AccountCreated"], "is_active": "on"}
    page = browser.post(reverse("integrations:webhook-create"), form)
    body = page.content.decode()
    assert page.status_code == 200 and SPELLINGS[host] in body and "ZQXkeptQ" in body  # the input is kept
    api = browser.post("/api/v1/webhooks/", {**form, "is_active": True}, content_type=JSON)
    assert api.status_code == 400 and SPELLINGS[host] in api.json()["url"][0]
    assert not WebhookEndpoint.objects.exists()
    assert receiver.requests == []


@pytest.mark.parametrize("host", list(SPELLINGS))
def test_refused_at_send_when_the_row_holds_it(host, receiver, dns, django_capture_on_commit_callbacks):
    """A row written before the rule (or around the operation): the send checks again and connects nowhere."""
    WebhookEndpointFactory(url=_url(host, receiver.port), event_types=["AccountCreated"])
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_code is None
    assert delivery.last_error.startswith("Not sent:") and SPELLINGS[host] in delivery.last_error
    assert receiver.requests == []


def test_dns_rebinding_between_save_and_send_is_refused(admin, receiver, dns, django_capture_on_commit_callbacks):
    from forgecrm.integrations.operations import create_webhook_endpoint

    table, _ = dns
    table["rebind.forge.test"] = ["93.184.216.34"]  # public when the administrator saves it
    create_webhook_endpoint(
        actor=admin, url=_url("rebind.forge.test", receiver.port), description="d", event_types=["AccountCreated"]
    )
    table["rebind.forge.test"] = ["127.0.0.1"]  # then the attacker's DNS answers with this machine
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "rebind.forge.test resolves to 127.0.0.1" in delivery.last_error
    assert receiver.requests == []


def test_every_retry_checks_again(admin, receiver, dns, settings, django_capture_on_commit_callbacks):
    """Allowed while the receiver's network is allowed; refused on the retry once it no longer is."""
    from datetime import timedelta

    from django.utils import timezone

    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver.respond((500, {}, b""))
    WebhookEndpointFactory(url=_url("127.0.0.1", receiver.port))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    assert len(receiver.posts()) == 1
    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = []
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    send_webhook_delivery_task(delivery.pk)
    delivery.refresh_from_db()
    assert "loopback" in delivery.last_error and delivery.attempts == 2
    assert len(receiver.posts()) == 1


def test_the_sender_connects_to_the_vetted_address_without_a_second_lookup(
    receiver,
    dns,
    settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    """DNS rebinding at the last moment: the answer changes right after the guard's check. Had the HTTP client
    looked the name up again it would have gone to 10.255.255.1; it goes to the vetted 127.0.0.1."""
    from forgecrm.integrations.webhooks import delivery as attempts

    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the receiver's address only
    table, lookups = dns
    table["hooks.forge.test"] = ["127.0.0.1"]
    checked = attempts.address_guard.vet_url

    def vet_then_rebind(url, resolver=None):
        vetted = checked(url, resolver)
        table["hooks.forge.test"] = ["10.255.255.1"]
        return vetted

    monkeypatch.setattr(attempts.address_guard, "vet_url", vet_then_rebind)
    WebhookEndpointFactory(url=_url("hooks.forge.test", receiver.port))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    [request] = receiver.posts()
    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert request.headers["host"] == f"hooks.forge.test:{receiver.port}"
    assert lookups == ["hooks.forge.test"]  # one lookup: the guard's


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://127.0.0.1:{port}/internal",
        "http://[::1]:{port}/internal",
        "http://intranet.forge.test/admin",
        "/internal",
    ],
)
def test_a_redirect_to_a_private_address_is_not_followed(
    location,
    receiver,
    dns,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]  # the receiver itself is reachable
    target = location.format(port=receiver.port)
    receiver.respond((307, {"Location": target}, b""))
    WebhookEndpointFactory(url=_url("127.0.0.1", receiver.port))
    with django_capture_on_commit_callbacks(execute=True):
        emit("AccountCreated", {"account_id": 1})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.response_code == 307
    assert target in delivery.last_error and "not followed" in delivery.last_error
    assert [request.path for request in receiver.requests] == ["/hook"]
