"""``type = "slack"``: a Slack incoming webhook, text in mrkdwn.

Slack truncates a message's text past 40,000 characters and recommends 4,000; longer
messages (digests) are split at 4,000 characters, between alerts.
"""

from __future__ import annotations

import httpx

from alerts import secrets
from alerts.channels.base import Channel, Field, Message, Outcome


class SlackChannel(Channel):
    type = "slack"
    FIELDS = {
        "url": Field(str, True, help="the incoming webhook URL (write ${ENV_NAME})"),
        "allow_private": Field(bool, default=False),
    }
    DEFAULT_RATE = "1/s"
    SIZE_LIMIT = 4000
    SIZE_UNIT = "chars"

    def describe(self) -> str:
        return f"slack → {secrets.safe_url(self.cfg['url'])}"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        url = self.secret("url")
        return await self.send_parts(message, client, lambda n, total, text: (
            url, {"text": text}))
