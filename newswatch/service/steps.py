"""The blocking steps of the service, each run in a database thread with its own
connection: what a finished crawl did, source health, matching, delivery, digests."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from newswatch import health
from newswatch.health import notices as ops_alerts
from newswatch.crawl.runner import CrawlResult

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


def match_new(db, loaded) -> dict:
    """Cluster new articles into stories and match them (one matcher pass); counts."""
    from alerts import matcher, stories

    if not loaded.topics:
        # Nothing to match, but stories still group what arrives.
        n = stories.cluster_new(db, window_days=loaded.config.story_window_days,
                                aliases=loaded.config.aliases or None)
        return {"articles": n, "matches": 0, "queued": 0}
    result = matcher.run_once(db, loaded.topics, now=datetime.now(timezone.utc),
                              default_channels=loaded.config.default_channels,
                              story_window_days=loaded.config.story_window_days,
                              aliases=loaded.config.aliases or None)
    return {"articles": result.articles, "matches": len(result.matches),
            "queued": result.queued}


def deliver_due(db, loaded, *, limit: int | None = None) -> dict[str, int]:
    """Build due digests and send what is due (at most ``limit`` rows), once; how many
    ended in each outcome."""
    from alerts import delivery, outbox

    # Most passes find nothing due: skip the event loop and HTTP client set-up then.
    if not outbox.anything_due(db):
        return {}
    counts: dict[str, int] = {}
    for r in delivery.deliver_due(db, loaded.config.alerts, limit=limit):
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
        at = loaded.config.digest_time
        jobs.append(("digest:daily", CronTrigger(hour=at.hour, minute=at.minute,
                                                 second=1, timezone=tz)))
    return jobs
