"""``type = "webhook"``: POST the JSON payload, signed the Standard Webhooks way.

Headers: ``webhook-id`` (the delivery's idempotency key, the same on every retry),
``webhook-timestamp`` (Unix seconds of this attempt) and ``webhook-signature``
(``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body`` keyed with the base64 secret
after ``whsec_``), so receivers verify with the public ``standardwebhooks`` libraries.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time

import re

import httpx

from alerts import secrets
from alerts.channels.base import Channel, Field, Message, Outcome


_SECRET_HEADER = re.compile(r"auth|token|key|secret|password|signature", re.I)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one request."""
    key = base64.b64decode(secret.removeprefix("whsec_") + "==")
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class WebhookChannel(Channel):
    type = "webhook"
    FIELDS = {
        "url": Field(str, True, help="where to POST"),
        "secret": Field(str, help="whsec_... signing secret (write ${ENV_NAME})"),
        "headers": Field(dict, default={}, help="extra static headers"),
        "allow_private": Field(bool, default=False),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.cfg.get("secret")
        if raw and not secrets.references(raw):
            self._check_secret(raw)
        for k, v in self.cfg["headers"].items():
            if not isinstance(v, str):
                raise self.error("headers", f"header {k!r} must be a string")
            if not secrets.references(v) and _SECRET_HEADER.search(k):
                secrets.remember(v.split()[-1] if v.split() else v)  # "Bearer <token>"
                secrets.remember(v)

    def _check_secret(self, value: str) -> None:
        if not value.startswith("whsec_"):
            raise self.error("secret", "must start with whsec_ (a base64 key follows)")
        try:
            base64.b64decode(value.removeprefix("whsec_") + "==", validate=False)
        except (binascii.Error, ValueError):
            raise self.error("secret", "the part after whsec_ is not base64") from None

    def describe(self) -> str:
        return f"webhook → {secrets.safe_url(self.cfg['url'])}"

    def body(self, message: Message) -> bytes:
        return json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        url = self.secret("url")
        body = self.body(message)
        headers = {"content-type": "application/json", "user-agent": "newswatch",
                   "webhook-id": message.key}
        headers.update({k: self.expand(v, "headers") for k, v in self.cfg["headers"].items()})
        secret = self.secret("secret")
        if secret:
            self._check_secret(secret)
            ts = int(time.time())  # the real clock: receivers reject old timestamps
            headers["webhook-timestamp"] = str(ts)
            headers["webhook-signature"] = sign(secret, message.key, ts, body)
        outcome, _ = await self.post(client, url, content=body, headers=headers,
                                     allow_private=self.cfg["allow_private"])
        return outcome
