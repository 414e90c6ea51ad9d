"""``type = "wecom"``: a WeCom (企业微信) group robot, markdown messages.

A markdown message holds at most 4,096 bytes of UTF-8 (longer ones are split) and a
robot at most 20 messages a minute.
"""

from __future__ import annotations

import httpx

from alerts import secrets
from alerts.channels.base import BotReply, Channel, Field, Message, Outcome

# 45009: API frequency limit; -1: system busy.
REPLY = BotReply(ok_codes=(0,), retry_codes=(45009, -1), retry_after=60)


class WeComChannel(Channel):
    type = "wecom"
    FIELDS = {
        "url": Field(str, True,
                     help="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=... "
                          "(write ${ENV_NAME})"),
        "allow_private": Field(bool, default=False),
    }
    DEFAULT_LANGUAGE = "zh"
    DEFAULT_RATE = "20/min"
    SIZE_LIMIT = 4096
    SIZE_UNIT = "bytes"

    def describe(self) -> str:
        return f"wecom → {secrets.safe_url(self.cfg['url'])}"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        url = self.secret("url")
        return await self.send_parts(message, client, lambda n, total, text: (
            url, {"msgtype": "markdown", "markdown": {"content": text}}))

    def check_reply(self, resp: httpx.Response) -> Outcome:
        return REPLY.outcome(resp, self.redact)
