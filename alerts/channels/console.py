"""``type = "console"``: print each alert as text (the default channel, no set-up)."""

from __future__ import annotations

import sys

import httpx

from alerts.channels.base import Channel, Field, Message, Outcome


class ConsoleChannel(Channel):
    type = "console"
    FIELDS = {"stream": Field(str, default="stdout", help="stdout or stderr")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.cfg["stream"] not in ("stdout", "stderr"):
            raise self.error("stream", f"must be stdout or stderr, got {self.cfg['stream']!r}")

    def describe(self) -> str:
        return f"console ({self.cfg['stream']})"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        stream = sys.stdout if self.cfg["stream"] == "stdout" else sys.stderr
        try:
            print(self.renderer.render(message, tz=self.tz), file=stream, flush=True)
            print(file=stream, flush=True)
        except OSError as exc:  # a closed pipe: try again later
            return Outcome(False, error=f"cannot write to {self.cfg['stream']}: {exc}")
        return Outcome(True)
