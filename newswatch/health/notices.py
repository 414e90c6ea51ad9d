"""Operations alerts: a source's health changed. Sent through the outbox as notices.

The ops channel is the ``ops_channel`` setting (``console`` by default, so a new
installation shows them in the service's output). A change is queued once per change:
its notice key is the change's id, and ``health_changes.notified`` remembers it was
queued, so a crash between the two re-queues the same key, which the outbox ignores.
"""

from __future__ import annotations

import logging

from newswatch.health import states as health
from newswatch.logs import fields

log = logging.getLogger("newswatch.health")

_ICON = {"ok": "recovered", "degraded": "DEGRADED", "empty": "EMPTY", "blocked": "BLOCKED",
         "failing": "FAILING",
         "stale": "STALE"}


def describe(change: health.Change) -> tuple[str, str]:
    """(title, text) of the message for one change."""
    if change.recovered:
        title = f"newswatch: source {change.source} recovered"
        text = f"{change.source} is ok again (was {change.old_state})."
    else:
        title = f"newswatch: source {change.source} is {change.new_state}"
        text = f"{change.source}: {change.old_state} → {change.new_state}. {change.reason}"
    return title, text.strip()


def send_pending(db, channel: str) -> int:
    """Queue every change not yet queued; return how many were queued now."""
    from alerts import outbox

    sent = 0
    for change in health.unnotified(db):
        title, text = describe(change)
        level = logging.INFO if change.recovered else logging.WARNING
        log.log(level, "source %s: %s → %s %s", change.source, change.old_state,
                change.new_state, change.reason,
                extra=fields(source=change.source, state=change.new_state,
                             was=change.old_state))
        outbox.enqueue_notice(db, channel=channel, key=f"health-change-{change.id}",
                              title=title, text=text)
        health.mark_notified(db, change.id)
        sent += 1
    return sent
