"""A real, recording HTTP receiver in a thread, for webhook and chat-bot tests.

Scriptable per test: queue responses (``receiver.script(500, 500, 200)``), a
``Retry-After`` (``Reply(429, retry_after=2)``), a hang past the client's timeout
(``Reply(200, delay=5)``), a gone endpoint (``Reply(410)``), or take it down so that
connections are refused (``receiver.down()``). Every request is recorded with its
headers, body and the verdict of the receiver's checker; by default the checker is the
``standardwebhooks`` package's own verification, and a request that fails it gets 400.

    with WebhookReceiver(secret="whsec_...") as rx:
        rx.script(500, 500, 200)
        ...  # deliver to rx.url
        assert [r.status for r in rx.requests] == [500, 500, 200]
        assert rx.requests[-1].verified
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standardwebhooks


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict | None = None
    retry_after: float | str | None = None
    delay: float = 0.0  # seconds to wait before answering (a hang when > the timeout)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    status: int  # what the receiver answered
    verified: bool | None  # None when the receiver has no checker
    error: str | None  # why verification failed
    at: float

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str | None:
        return self.headers.get("webhook-id")


Checker = Callable[[Request], str | None]  # returns why a request is refused, or None


def standard_webhooks_checker(secret: str) -> Checker:
    """Verify with the ``standardwebhooks`` package (signature and 5-minute timestamp window)."""
    wh = standardwebhooks.Webhook(secret)

    def check(req: Request) -> str | None:
        try:
            wh.verify(req.body, req.headers, json_parse=False)
        except Exception as exc:  # WebhookVerificationError and malformed headers alike
            return f"{type(exc).__name__}: {exc}"
        return None

    return check


def dingtalk_checker(secret: str, *, window_s: float = 3600) -> Checker:
    """DingTalk custom robot: ``sign`` = base64(HMAC-SHA256(secret, "<timestamp ms>\\n<secret>"))."""

    def check(req: Request) -> str | None:
        ts, sign = req.query.get("timestamp"), req.query.get("sign")
        if not ts or not sign:
            return "missing timestamp or sign"
        if abs(time.time() * 1000 - int(ts)) > window_s * 1000:
            return "timestamp out of window"
        mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(mac).decode(), sign):
            return "bad sign"
        return None

    return check


def feishu_checker(secret: str, *, window_s: float = 3600) -> Checker:
    """Feishu/Lark custom bot: ``sign`` = base64(HMAC-SHA256(key="<ts s>\\n<secret>", msg=""))."""

    def check(req: Request) -> str | None:
        try:
            data = json.loads(req.body)
        except ValueError:
            return "body is not JSON"
        ts, sign = data.get("timestamp"), data.get("sign")
        if not ts or not sign:
            return "missing timestamp or sign"
        if abs(time.time() - int(ts)) > window_s:
            return "timestamp out of window"
        mac = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(mac).decode(), sign):
            return "bad sign"
        return None

    return check


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent connections must not be refused


class WebhookReceiver:
    """Start with ``with WebhookReceiver() as rx`` (or ``start()``/``stop()``)."""

    def __init__(self, secret: str | None = None, *, checker: Checker | None = None,
                 default: Reply | int = 200, host: str = "127.0.0.1"):
        if checker is None and secret is not None:
            checker = standard_webhooks_checker(secret)
        self.checker = checker
        self.default = default if isinstance(default, Reply) else Reply(default)
        self.host = host
        self.port = 0
        self.requests: list[Request] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- scripting -------------------------------------------------------------------
    def script(self, *replies: Reply | int) -> None:
        """Answer the next requests with these, in order; then the default."""
        with self._lock:
            self._replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def down(self) -> None:
        """Stop listening: the next connections are refused (``up()`` listens again)."""
        self._shutdown()

    def up(self) -> None:
        self._start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Request]:
        """Block until ``n`` requests have been recorded (raises on timeout)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.requests)} requests arrived, wanted {n}")
                self._arrived.wait(left)
            return list(self.requests)

    def ids(self) -> list[str | None]:
        return [r.webhook_id for r in self.requests]

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> WebhookReceiver:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> WebhookReceiver:
        self._start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._shutdown()

    def _start(self) -> None:
        receiver = self
        self._stopping.clear()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stalls

            def do_POST(self):  # noqa: N802
                receiver._handle(self)

            do_PUT = do_GET = do_POST  # noqa: N815

            def log_message(self, *args):  # keep test output quiet
                pass

        server = _Server((self.host, self.port), Handler)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True,
                                        name="webhook-receiver")
        self._thread.start()

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        parts = urllib.parse.urlsplit(h.path)
        req = Request(method=h.command, path=parts.path,
                      query=dict(urllib.parse.parse_qsl(parts.query)),
                      headers={k.lower(): v for k, v in h.headers.items()}, body=body,
                      status=0, verified=None, error=None, at=time.time())
        with self._lock:
            reply = self._replies.popleft() if self._replies else self.default
        if self.checker is not None:
            req.error = self.checker(req)
            req.verified = req.error is None
        status = reply.status if req.verified is not False else 400
        req.status = status
        with self._arrived:
            self.requests.append(req)
            self._arrived.notify_all()
        if reply.delay:
            # A hang: the client gives up first; stop() cuts the wait short.
            self._stopping.wait(reply.delay)
        payload = reply.body
        if payload is None:
            payload = {"ok": status < 300} if req.verified is not False else {"error": req.error}
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            if reply.retry_after is not None:
                h.send_header("Retry-After", str(reply.retry_after))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away
