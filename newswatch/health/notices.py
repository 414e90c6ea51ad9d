"""Operations alerts: a source's health changed. Sent through the outbox as notices.

The ops channel is the ``ops_channel`` setting (``console`` by default, so a new
installation shows them in the service's output). A change is queued once per change:
its notice key is the change's id, and ``health_changes.notified`` remembers it was
queued, so a crash between the two re-queues the same key, which the outbox ignores.
"""

from __future__ import annotations

import logging
import re

from newswatch.health import states as health
from newswatch.logs import fields

log = logging.getLogger("newswatch.health")


def describe(change: health.Change) -> tuple[str, str]:
    """(title, text) of the message for one change."""
    if change.recovered:
        title = f"newswatch: source {change.source} recovered"
        text = f"{change.source} is ok again (was {change.old_state})."
    else:
        title = f"newswatch: source {change.source} is {change.new_state}"
        text = f"{change.source}: {change.old_state} → {change.new_state}. {change.reason}"
    return title, text.strip()


# Errors that say the network (DNS, routes, connections) is down, not one site.
NETWORK = re.compile(r"host name not found|DNS|connection refused|could not connect|"
                     r"network is unreachable|no route to host", re.I)
FOLDED = "folded"  # health_changes.notified of a change told by another's outage notice


def is_network(change: health.Change) -> bool:
    return change.new_state == "failing" and bool(NETWORK.search(change.reason))


def send_pending(db, channel: str) -> int:
    """Queue every change not yet queued; return how many were queued now.

    One network outage is one notice: a source that turns failing with a network error
    while another source is already failing with one is folded into that source's notice
    (logged, not sent), and so is its recovery; the notice that is sent says how many
    sources are affected so far.
    """
    from alerts import outbox

    sent = 0
    for change in health.unnotified(db):
        level = logging.INFO if change.recovered else logging.WARNING
        log.log(level, "source %s: %s → %s %s", change.source, change.old_state,
                change.new_state, change.reason,
                extra=fields(source=change.source, state=change.new_state,
                             was=change.old_state))
        if _folded(db, change):
            health.mark_notified(db, change.id, value=FOLDED)
            continue
        title, text = describe(change)
        outbox.enqueue_notice(db, channel=channel, key=f"health-change-{change.id}",
                              title=title, text=text)
        health.mark_notified(db, change.id)
        sent += 1
    return sent


def _folded(db, change: health.Change) -> bool:
    """True when another notice already tells this change (see :func:`send_pending`)."""
    if change.recovered:
        return health.last_failing_change_notified(db, change.source, before=change.id) == FOLDED
    if not is_network(change):
        return False
    others = [s for s, row in health.stored_states(db).items()
              if s != change.source and row["state"] == "failing"
              and NETWORK.search(row["reason"] or "")]
    if others:
        log.warning("network outage? %s fails like %s (connection or DNS errors): no "
                    "separate notice", change.source, ", ".join(sorted(others)),
                    extra=fields(source=change.source, outage=len(others) + 1))
    return bool(others)
