"""The demo's webhook receiver: verifies each delivery's Standard Webhooks signature and
prints the alert as a user would see it. Stdlib only, so the demo needs nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta, timezone
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crawler import times


def verify(secret: str, headers, body: bytes) -> bool:
    """True when ``webhook-signature`` is the HMAC of ``id.timestamp.body``."""
    key = base64.b64decode(secret.removeprefix("whsec_") + "==")
    msg_id, ts = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    mac = hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    given = headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, g) for g in given)


def _when(iso: str | None) -> str:
    """A UTC time as Beijing time, how the demo's sites wrote it."""
    if not iso:
        return "?"
    return times.local_text(iso, timezone(timedelta(hours=8))) + " (UTC+8)"


def describe(alert: dict, verified: bool, webhook_id: str) -> str:
    """The alert as lines of text for the terminal."""
    topic = alert.get("topic") or {}
    story = alert.get("story") or {}
    first = story.get("first_article") or alert.get("article") or {}
    lines = [f"┌─ ALERT  {topic.get('title') or topic.get('name')}   "
             f"(webhook-id {webhook_id}, signature {'ok' if verified else 'BAD'})",
             f"│  {first.get('title')}",
             f"│  {first.get('site')} · {_when(first.get('published'))} · {first.get('url')}"]
    for other in story.get("also_published_by") or []:
        lines.append(f"│  also published by: {other.get('site')} — {other.get('url')}")
    if alert.get("snippet"):
        lines.append(f"│  “{alert['snippet']}”")
    lines.append("└─")
    return "\n".join(lines)


class DemoReceiver:
    def __init__(self, secret: str, out: Callable[[str], None] = print):
        self.secret, self.out = secret, out
        self.received: list[dict] = []
        self._lock = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = verify(outer.secret, self.headers, body)
                self.send_response(200 if ok else 400)
                self.send_header("Content-Length", "0")
                self.end_headers()
                try:
                    alert = json.loads(body)
                except ValueError:
                    alert = {"raw": body.decode("utf-8", "replace")}
                with outer._lock:
                    first = self.headers.get("webhook-id") not in {
                        r["webhook_id"] for r in outer.received}
                    outer.received.append({"webhook_id": self.headers.get("webhook-id"),
                                           "verified": ok, "alert": alert})
                    outer._lock.notify_all()
                if first:
                    outer.out(describe(alert, ok, self.headers.get("webhook-id", "")))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> DemoReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def distinct(self) -> int:
        with self._lock:
            return len({r["webhook_id"] for r in self.received})

    def wait_for(self, n: int, timeout: float) -> bool:
        """Wait until ``n`` distinct alerts arrived; False on time-out."""
        with self._lock:
            return self._lock.wait_for(
                lambda: len({r["webhook_id"] for r in self.received}) >= n, timeout)
