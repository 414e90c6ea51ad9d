"""Wall-clock rules in the configured time zone: quiet hours and digest times."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (write e.g. Asia/Shanghai)") from None


def parse_clock(text: str) -> time:
    try:
        hour, minute = str(text).strip().split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(f"not a time of day: {text!r} (write HH:MM, e.g. 08:00)") from None


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """'22:00-07:00' (local) to (start, end); '' means none."""
    if not text or not str(text).strip():
        return None
    start, sep, end = str(text).partition("-")
    if not sep:
        raise ValueError(f"quiet hours {text!r}: write HH:MM-HH:MM, e.g. 22:00-07:00")
    return parse_clock(start), parse_clock(end)


def quiet_until(now: datetime, window: tuple[time, time] | None, tz: ZoneInfo) -> datetime | None:
    """When ``now`` falls in the quiet window, the UTC time it ends; else None."""
    if not window:
        return None
    start, end = window
    local = now.astimezone(tz)
    t = local.time().replace(second=0, microsecond=0)
    inside = (start <= t < end) if start <= end else (t >= start or t < end)
    if not inside or start == end:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    ends = datetime.combine(end_day, end, tzinfo=tz)
    return ends.astimezone(timezone.utc)


def digest_slot(now: datetime, mode: str, tz: ZoneInfo, digest_time: time) -> datetime:
    """The latest digest time at or before ``now`` (UTC): each hour at :00 local for
    ``hourly``, ``digest_time`` local each day for ``daily``."""
    local = now.astimezone(tz)
    if mode == "hourly":
        slot = local.replace(minute=0, second=0, microsecond=0)
    else:
        slot = datetime.combine(local.date(), digest_time, tzinfo=tz)
        if slot > local:
            slot = datetime.combine(local.date() - timedelta(days=1), digest_time, tzinfo=tz)
    return slot.astimezone(timezone.utc)


def local_text(value: str | datetime | None, tz: ZoneInfo) -> str:
    """An ISO time (UTC) shown as local 'YYYY-MM-DD HH:MM'; '' when missing."""
    if not value:
        return ""
    try:
        dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M")
