"""``type = "dingtalk"``: a DingTalk group's custom robot, markdown messages.

With ``secret`` (the robot's 加签 secret, ``SEC...``), each request carries
``timestamp`` (ms) and ``sign`` = base64(HMAC-SHA256(secret, "timestamp\\nsecret"))
as query parameters. A robot takes at most 20 messages a minute, and a message at most
20,000 bytes: longer ones are split.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse

import httpx

from alerts import secrets
from alerts.channels.base import BotReply, Channel, Field, Message, Outcome

# 130101: sending too fast; -1: system busy. Other codes (310000 bad sign or keyword,
# 300001 bad token, ...) will not get better by retrying.
REPLY = BotReply(ok_codes=(0,), retry_codes=(130101, -1), retry_after=60)


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    ts = str(timestamp_ms if timestamp_ms is not None else int(time.time() * 1000))
    mac = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(mac).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"


class DingTalkChannel(Channel):
    type = "dingtalk"
    FIELDS = {
        "url": Field(str, True, help="https://oapi.dingtalk.com/robot/send?access_token=..."),
        "secret": Field(str, help="the robot's signing secret, SEC... (write ${ENV_NAME})"),
        "title": Field(str, help="the notification title (default: the topic's title)"),
        "at_mobiles": Field(list, default=[]),
        "at_all": Field(bool, default=False),
        "allow_private": Field(bool, default=False),
    }
    DEFAULT_LANGUAGE = "zh"
    DEFAULT_RATE = "20/min"
    SIZE_LIMIT = 19_000  # of DingTalk's 20,000 bytes, leaving room for the JSON around it
    SIZE_UNIT = "bytes"

    def describe(self) -> str:
        return f"dingtalk → {secrets.safe_url(self.cfg['url'])}"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        url, secret = self.secret("url"), self.secret("secret")
        at = {"atMobiles": self.cfg["at_mobiles"], "isAtAll": self.cfg["at_all"]}

        def request(number: int, total: int, text: str):
            title = self.title(message) + (f" ({number}/{total})" if total > 1 else "")
            body = {"msgtype": "markdown", "markdown": {"title": title, "text": text}, "at": at}
            return (signed_url(url, secret) if secret else url), body

        return await self.send_parts(message, client, request)

    def check_reply(self, resp: httpx.Response) -> Outcome:
        return REPLY.outcome(resp, self.redact)
