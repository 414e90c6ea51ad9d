"""The one vocabulary for time, shared by every package: durations, UTC stamps, zones,
local display and "the article's time".

It lives in ``crawler`` because the data flows one way: ``crawler`` imports nothing of
ours, ``alerts`` and ``newswatch`` may import ``crawler``, so this is the lowest place
all three can reach (see ``docs/architecture.md``).

- :func:`parse_duration` reads ``90s``, ``30m``, ``12h``, ``3d``, ``2w`` (also ``min``)
  or a bare number of seconds; it is the only duration parser.
- :func:`utc_stamp` writes the archive's time form: UTC ISO 8601 to the second,
  ``+00:00``; a naive datetime is taken as UTC. :func:`parse_stamp` reads it back aware.
- :func:`local_text` shows a stored time in a zone as ``YYYY-MM-DD HH:MM``.
- :func:`article_time` is when an article appeared: published, else fetched.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc
DEFAULT_ZONE = "Asia/Shanghai"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)?\s*$")
_UNIT_S = {None: 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


class DurationError(ValueError):
    """A duration that cannot be read; the message names what and shows the value."""


def parse_duration(value: str | int | float, *, what: str = "duration") -> float:
    """Seconds in ``"90s"``, ``"30m"``, ``"12h"``, ``"3d"``, ``"2w"`` or a number of
    seconds; more than 0. ``what`` (may be empty) starts the error message."""
    where = f"{what}: " if what else ""
    if isinstance(value, bool):
        raise DurationError(f"{where}expected a duration such as '30m', got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value).lower())
        if not m:
            raise DurationError(f"{where}expected a number with unit s, m, h, d or w "
                                f"(e.g. '30m'), got {value!r}")
        seconds = float(m.group(1)) * _UNIT_S[m.group(2)]
    if seconds <= 0:
        raise DurationError(f"{where}must be more than 0, got {value!r}")
    return seconds


def parse_timedelta(value: str | int | float, *, what: str = "duration") -> timedelta:
    return timedelta(seconds=parse_duration(value, what=what))


def now_utc() -> datetime:
    """Now, aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def utc_stamp(dt: datetime | None = None) -> str:
    """The stored form of a time: UTC ISO 8601 to the second, ``+00:00`` (naive = UTC)."""
    dt = now_utc() if dt is None else dt
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_stamp(value: str | datetime | None) -> datetime | None:
    """A stored time back as an aware datetime (naive = UTC); None when empty or unreadable."""
    if not value:
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value))
        except ValueError:
            return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (default Asia/Shanghai); ValueError names a bad one."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"unknown time zone {name!r} (write an IANA name, e.g. "
                         f"Asia/Shanghai or UTC)") from None


def parse_clock(text: str) -> time:
    """``"08:00"`` to a time of day."""
    try:
        hour, minute = str(text).strip().split(":")
        if len(minute) != 2:
            raise ValueError
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"not a time of day: {text!r} (write HH:MM, e.g. 08:00)") from None


def local_text(value: str | datetime | None, tz: ZoneInfo, empty: str = "") -> str:
    """A stored time shown in ``tz`` as ``YYYY-MM-DD HH:MM``; ``empty`` when missing."""
    if not value:
        return empty
    dt = parse_stamp(value)
    if dt is None:
        return str(value)
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def article_time(article: dict) -> datetime | None:
    """When an article appeared: published, else fetched (aware, UTC)."""
    return parse_stamp(article.get("published")) or parse_stamp(article.get("fetched"))
