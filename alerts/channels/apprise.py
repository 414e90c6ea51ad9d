"""``type = "apprise"``: any Apprise URL (Telegram, Teams, ntfy, ...), for every service
without a channel of its own. Needs the optional dependency:
``pip install 'newswatch[apprise]'``.
"""

from __future__ import annotations

import httpx

from alerts.channels.base import Channel, Field, Message, Outcome

MISSING = ("the apprise channel needs the apprise package: "
           "pip install 'newswatch[apprise]' (or pip install apprise)")


class AppriseChannel(Channel):
    type = "apprise"
    FIELDS = {"urls": Field((str, list), True, help="one Apprise URL or a list (write ${ENV_NAME})")}

    def describe(self) -> str:
        urls = self.cfg["urls"] if isinstance(self.cfg["urls"], list) else [self.cfg["urls"]]
        return "apprise → " + ", ".join(u.split(":", 1)[0] + "://…" for u in urls)

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        try:
            import apprise
        except ImportError:
            return Outcome(False, error=MISSING, permanent=True)
        urls = self.cfg["urls"] if isinstance(self.cfg["urls"], list) else [self.cfg["urls"]]
        app = apprise.Apprise()
        for i, raw in enumerate(urls):
            url = self.expand(raw, "urls")
            if not app.add(url):
                return Outcome(False, permanent=True,
                               error=f"{self.where} field 'urls': item {i + 1} is not a "
                                     f"URL Apprise understands")
        title = self.renderer.render(message, key="subject_template", tz=self.tz)
        body = self.renderer.render(message, tz=self.tz)
        try:
            ok = await app.async_notify(body=body, title=title,
                                        body_format=apprise.NotifyFormat.MARKDOWN)
        except Exception as exc:  # a plugin's own failure must not stop delivery
            return Outcome(False, error=self.redact(f"{type(exc).__name__}: {exc}"))
        return Outcome(True) if ok else Outcome(False, error="apprise: a service refused it")
