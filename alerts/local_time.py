"""Wall-clock rules in the configured time zone: quiet hours and digest times.

Zones, clock times and local display are ``crawler.times`` (the one time vocabulary)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from crawler.times import parse_clock


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """'22:00-07:00' (local) to (start, end); '' means none."""
    if not text or not str(text).strip():
        return None
    start, sep, end = str(text).partition("-")
    try:
        if not sep:
            raise ValueError
        return parse_clock(start), parse_clock(end)
    except ValueError:
        raise ValueError(f"expected HH:MM-HH:MM local time (e.g. 22:00-07:00), "
                         f"got {text!r}") from None


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
