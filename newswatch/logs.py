"""Logging for the service: human-readable lines by default, JSON lines on request.

Every record may carry extra fields (``source``, ``outcome``, ...) passed as
``log.info("...", extra=fields(...))``; the JSON form keeps them as keys for a log
collector, the human form leaves them out (the message already says it).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

from alerts import secrets

FORMATS = ("human", "json")


class HumanFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Local time with its UTC offset: a line read elsewhere is not ambiguous.
        when = datetime.fromtimestamp(record.created).astimezone().strftime(
            "%Y-%m-%d %H:%M:%S %z")
        line = f"{when} {record.levelname:<7} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return secrets.mask(line, urls=False)  # a secret in a traceback, too


_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(getattr(record, "fields", None) or {})
        # Other modules pass their fields as plain ``extra=`` keys: keep those too.
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "fields" and key not in out:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return secrets.mask(json.dumps(out, ensure_ascii=False, default=str), urls=False)


def setup(fmt: str = "human", level: int = logging.INFO, stream=None) -> None:
    """Send the ``newswatch`` and ``alerts`` loggers to ``stream`` (stderr) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs every run at INFO and every skipped overlap at WARNING: noise.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    # httpx logs every request at INFO; delivery records its own attempts.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def fields(**kw) -> dict:
    """Shorthand for ``extra=fields(source=..., ...)``."""
    return {"fields": kw}
