"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers from a script, checks
the signature with the secret the test gives it. Import the fixtures into a test module or conftest."""

import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ..webhooks.signing import verify


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool | None


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.script: deque[tuple[int, dict[str, str], bytes]] = deque()
        self.default = (200, {}, b'{"ok": true}')
        self.secret: str | None = None
        self.delay = 0.0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def respond(self, *answers: tuple[int, dict[str, str], bytes]) -> None:
        self.script.extend(answers)

    def posts(self) -> list[Received]:
        return [request for request in self.requests if request.method == "POST"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                ok = None
                if receiver.secret is not None:
                    ok = verify(
                        receiver.secret,
                        timestamp=headers.get("x-forge-timestamp", ""),
                        body=body,
                        header=headers.get("x-forge-signature", ""),
                    )
                receiver.requests.append(Received(self.command, self.path, headers, body, ok))
                if receiver.delay:
                    time.sleep(receiver.delay)
                status, extra, content = receiver.script.popleft() if receiver.script else receiver.default
                try:
                    self.send_response(status)
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (a timeout test)

            do_POST = do_GET = _handle

            def log_message(self, format, *args):
                pass

        return Handler


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.close()


@pytest.fixture
def webhooks_to_localhost(settings):
    """The one network the delivery tests may reach: 127.0.0.1, over plain http (the SSRF tests keep it empty)."""
    settings.FORGE_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.FORGE_WEBHOOK_ALLOW_HTTP = True
    settings.FORGE_WEBHOOK_CONNECT_TIMEOUT = 2.0
    settings.FORGE_WEBHOOK_READ_TIMEOUT = 2.0
    return settings
