"""``type = "feishu"`` / ``"lark"``: a Feishu or Lark group's custom bot, sent as an
interactive card whose body is markdown.

With ``secret`` (the bot's 签名校验 secret), the body carries ``timestamp`` (s) and
``sign`` = base64(HMAC-SHA256(key="timestamp\\nsecret", msg="")). A request body may be
at most 20 KB (longer messages are split); a bot takes 100 messages a minute, 5 a second.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import httpx

from alerts import secrets
from alerts.channels.base import BotReply, Channel, Field, Message, Outcome

# 11232: frequency limited; 9499: too many requests. 19021 (bad sign), 19024 (keyword
# missing) and the rest do not get better by retrying.
REPLY = BotReply(ok_codes=(0,), retry_codes=(11232, 9499), code_keys=("code", "StatusCode"),
                 message_keys=("msg", "StatusMessage"), retry_after=60)


def sign(secret: str, timestamp: int) -> str:
    mac = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


class FeishuChannel(Channel):
    type = "feishu"
    FIELDS = {
        "url": Field(str, True,
                     help="https://open.feishu.cn/open-apis/bot/v2/hook/... (write ${ENV_NAME})"),
        "secret": Field(str, help="the bot's signing secret (write ${ENV_NAME})"),
        "title": Field(str, help="the card title (default: the topic's title)"),
        "allow_private": Field(bool, default=False),
    }
    DEFAULT_LANGUAGE = "zh"
    DEFAULT_RATE = "100/min"
    SIZE_LIMIT = 18_000  # bytes of markdown, inside the 20 KB body
    SIZE_UNIT = "bytes"

    def describe(self) -> str:
        return f"{self.type} → {secrets.safe_url(self.cfg['url'])}"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        url, secret = self.secret("url"), self.secret("secret")

        def request(number: int, total: int, text: str):
            title = self.title(message) + (f" ({number}/{total})" if total > 1 else "")
            body: dict = {"msg_type": "interactive", "card": {
                "config": {"wide_screen_mode": True},
                "header": {"title": {"tag": "plain_text", "content": title}},
                "elements": [{"tag": "markdown", "content": text}]}}
            if secret:
                ts = int(time.time())
                body = {"timestamp": str(ts), "sign": sign(secret, ts), **body}
            return url, body

        return await self.send_parts(message, client, request)

    def check_reply(self, resp: httpx.Response) -> Outcome:
        return REPLY.outcome(resp, self.redact)


class LarkChannel(FeishuChannel):
    type = "lark"
    DEFAULT_LANGUAGE = "en"
