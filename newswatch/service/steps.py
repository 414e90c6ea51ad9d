"""The blocking steps of the service, each run in a database thread with its own
connection: what a finished crawl did, source health, matching, delivery, digests."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from newswatch import health
from newswatch.health import notices as ops_alerts
from newswatch.crawl.runner import CrawlResult
from newswatch.service.schedule import parse_duration
from newswatch.service.state import last_run_starts, write_schedule  # noqa: F401 (re-exported)

log = logging.getLogger("newswatch.service")

# A source is failing after this many failed crawls in a row (one can be a blip).
FAILING_AFTER = 2


def after_crawl(db, source: str, result: CrawlResult, ops_channel: str, *,
                crawl_timeout_s: float = 1800) -> dict:
    """Summarise a finished crawl (the runner's result), update health, queue ops alerts.

    An ``interrupted`` crawl (its time limit, the service stopping) is not a failure:
    health skips it, so it queues no notice.
    """
    summary = {"outcome": result.outcome, "items_new": result.items_new,
               "items_found": result.items_found, "detail": "", "state": "new"}
    if result.outcome != "ok":
        summary["detail"] = result.message()
    summary["state"] = check_health(db, source, ops_channel, crawl_timeout_s=crawl_timeout_s)
    return summary


def check_health(db, source: str, ops_channel: str, *, crawl_timeout_s: float = 1800) -> str:
    h = health.compute(db, source, failing_after=FAILING_AFTER,
                       crawl_timeout=timedelta(seconds=crawl_timeout_s))
    health.record(db, h)
    ops_alerts.send_pending(db, ops_channel)
    return h.state


def check_all_health(db, sources: list[str], ops_channel: str, *,
                     crawl_timeout_s: float = 1800) -> dict[str, str]:
    return {name: check_health(db, name, ops_channel, crawl_timeout_s=crawl_timeout_s)
            for name in sources}


def default_channels(config) -> tuple[str, ...]:
    """The `default_channels` setting: channels of topics that name none."""
    value = getattr(config, "default_channels", None) or "console"
    parts = value if isinstance(value, list) else str(value).split(",")
    return tuple(p.strip() for p in parts if p.strip())


def story_window_days(config) -> float | None:
    value = getattr(config, "story_window", None)
    return parse_duration(value, what="setting story_window") / 86400 if value else None


def match_new(db, loaded) -> dict:
    """Cluster new articles into stories and match them (one matcher pass); counts."""
    from alerts import matcher, stories

    if not loaded.topics:
        # Nothing to match, but stories still group what arrives.
        n = stories.cluster_new(db, **_window(loaded.config))
        return {"articles": n, "matches": 0, "queued": 0}
    result = matcher.run_once(db, loaded.topics, now=datetime.now(timezone.utc),
                              default_channels=default_channels(loaded.config),
                              story_window_days=story_window_days(loaded.config))
    return {"articles": result.articles, "matches": len(result.matches),
            "queued": result.queued}


def _window(config) -> dict:
    days = story_window_days(config)
    return {"window_days": days} if days else {}


def deliver_due(db, loaded) -> dict[str, int]:
    """Build due digests and send what is due, once; how many ended in each outcome."""
    from alerts import delivery, outbox

    # Most passes find nothing due: skip the event loop and HTTP client set-up then.
    due = db.execute(
        "SELECT 1 FROM outbox WHERE (state = 'pending' AND due <= ?) OR (state = 'waiting' "
        "AND kind = 'alert' AND digest_id IS NULL) LIMIT 1",
        [outbox.iso(outbox.now_utc())]).fetchone()
    if due is None:
        return {}
    counts: dict[str, int] = {}
    for r in delivery.deliver_due(db, loaded.config):
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts


def outbox_counts(db) -> dict[str, int]:
    from alerts import outbox

    return outbox.counts(db)


def digest_triggers(loaded, tz) -> list[tuple[str, Any]]:
    """(job id, trigger) of the digest times: a delivery pass then builds the digest."""
    from apscheduler.triggers.cron import CronTrigger

    modes = {getattr(t, "mode", "immediate") for t in loaded.topics}
    jobs = []
    if "hourly" in modes:
        jobs.append(("digest:hourly", CronTrigger(minute=0, second=1, timezone=tz)))
    if "daily" in modes:
        hour, _, minute = str(getattr(loaded.config, "digest_time", "08:00")).partition(":")
        jobs.append(("digest:daily", CronTrigger(hour=int(hour), minute=int(minute or 0),
                                                 second=1, timezone=tz)))
    return jobs
