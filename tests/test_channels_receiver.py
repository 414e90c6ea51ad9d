"""The recording receiver itself: it accepts a correctly signed webhook and rejects a
tampered body or an old timestamp, as the standardwebhooks package decides."""

from __future__ import annotations

import base64
import time

import httpx
import standardwebhooks

from tests.support.webhook_receiver import Reply, WebhookReceiver

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def _signed(body: str, *, ts: int | None = None, msg_id: str = "nw_1") -> dict:
    from datetime import datetime, timezone

    ts = ts or int(time.time())
    sig = standardwebhooks.Webhook(SECRET).sign(
        msg_id, datetime.fromtimestamp(ts, tz=timezone.utc), body)
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sig,
            "content-type": "application/json"}


def test_verifies_and_rejects_tampering_and_replays():
    with WebhookReceiver(SECRET) as rx:
        body = '{"a": 1}'
        ok = httpx.post(rx.url, content=body, headers=_signed(body))
        tampered = httpx.post(rx.url, content='{"a": 2}', headers=_signed(body))
        old = httpx.post(rx.url, content=body, headers=_signed(body, ts=int(time.time()) - 3600))
    assert (ok.status_code, tampered.status_code, old.status_code) == (200, 400, 400)
    assert [r.verified for r in rx.requests] == [True, False, False]
    assert "too old" in rx.requests[2].error


def test_scripted_replies_and_down():
    with WebhookReceiver(default=204) as rx:
        rx.script(500, Reply(429, retry_after=7), Reply(410))
        codes = [httpx.post(rx.url, json={}).status_code for _ in range(4)]
        assert codes == [500, 429, 410, 204]
        rx.down()
        try:
            httpx.post(rx.url, json={}, timeout=2)
            refused = False
        except httpx.ConnectError:
            refused = True
        assert refused
        rx.up()
        assert httpx.post(rx.url, json={}).status_code == 204
    assert len(rx.requests) == 5
