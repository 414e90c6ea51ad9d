"""``type = "jsonl"``: append each message's JSON payload as one line to a file.

The default ``path`` is ``alerts.jsonl`` beside the archive. A delivery repeated after
a crash appends the same ``id`` again: readers dedupe on it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from alerts.channels.base import Channel, Field, Message, Outcome


class JsonlChannel(Channel):
    type = "jsonl"
    FIELDS = {"path": Field(str, help="file to append to (default: alerts.jsonl beside the db)")}

    @property
    def path(self) -> Path:
        if self.cfg.get("path"):
            path = Path(os.path.expanduser(self.cfg["path"]))
            return path if path.is_absolute() else self.config_dir / path
        return self.data_dir / "alerts.jsonl"

    def describe(self) -> str:
        return f"jsonl → {self.path}"

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        line = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: concurrent writers do not interleave.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            return Outcome(False, error=f"cannot append to {self.path}: {exc.strerror or exc}")
        return Outcome(True)
