"""Turn a source's seed ``schedule`` into an APScheduler 3 trigger and a first run time.

``{interval = "30m"}`` becomes an interval trigger with a little jitter, so that sources
sharing a host do not all fire in the same second; ``{cron = "*/30 * * * *"}`` a cron
trigger. The first run comes from the archive's run history: a source whose last crawl
is older than its interval runs at once, others when their interval has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from crawler.times import parse_duration  # noqa: F401 (the one parser)

# Jitter is this share of the interval, capped: enough to spread, not to drift.
JITTER_SHARE = 0.1
JITTER_MAX_S = 60.0


class ScheduleError(ValueError):
    """A schedule or duration that cannot be read; the message says which and why."""




def interval_seconds(schedule: dict) -> float | None:
    """The interval in seconds, or None for a cron schedule."""
    if schedule.get("interval") is not None:
        value = schedule["interval"]
        if isinstance(value, timedelta):
            return value.total_seconds()
        return parse_duration(value, what="schedule.interval")
    return None


def build_trigger(schedule: dict, *, tz: Any = timezone.utc,
                  override_interval: float | None = None,
                  jitter: bool = True) -> BaseTrigger:
    """The trigger for a seed schedule; ``override_interval`` replaces it (demo, tests)."""
    if override_interval is not None:
        seconds = override_interval
    else:
        seconds = interval_seconds(schedule)
    if seconds is not None:
        spread = min(seconds * JITTER_SHARE, JITTER_MAX_S) if jitter else None
        return IntervalTrigger(seconds=seconds, jitter=spread or None, timezone=tz)
    cron = schedule.get("cron")
    if not cron:
        raise ScheduleError("schedule: needs 'interval' or 'cron'")
    try:
        trigger = CronTrigger.from_crontab(str(cron), timezone=tz)
    except ValueError as exc:
        raise ScheduleError(f"schedule.cron: {exc}: {cron!r}") from None
    if jitter:
        trigger.jitter = 30
    return trigger


def first_run_time(trigger: BaseTrigger, last_started: datetime | None,
                   now: datetime) -> datetime:
    """When a source should first crawl after start-up, given its last crawl's start."""
    if last_started is None:
        return now
    if isinstance(trigger, IntervalTrigger):
        due = last_started + trigger.interval
        return max(due, now)
    nxt = trigger.get_next_fire_time(None, last_started)
    if nxt is None or nxt <= now:
        return now  # missed while down: catch up once, then follow the cron
    return nxt
