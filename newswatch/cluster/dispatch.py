"""Sending the cluster's tasks: a due crawl to its source's queue, a matching pass, and
delivery tasks for the free delivery slots. Blocking (a broker round trip each); the
scheduler calls them from a thread."""

from __future__ import annotations

import logging

from newswatch.cluster.app import DELIVER, MATCH, crawl_queue

log = logging.getLogger("newswatch.cluster")

# Delivery tasks put on an empty `deliver` queue at once: enough for every delivery slot
# of a few workers (each task claims its own batch; one that finds nothing ends).
DELIVERY_FANOUT = 8
MIN_EXPIRY_S = 60.0


def crawl(app, source, *, every_s: float | None = None) -> str:
    """Queue a crawl of ``source`` on its tags' queue; returns the queue. The task expires
    at the source's next turn (at least a minute), so a backlog never piles up crawls of
    one source."""
    queue = crawl_queue(source.tags)
    expires = max(MIN_EXPIRY_S, every_s) if every_s else None
    app.send_task("newswatch.crawl", args=[source.name], queue=queue, expires=expires)
    return queue


def match(app, *, countdown: float = 0.0) -> None:
    app.send_task("newswatch.match", queue=MATCH, countdown=countdown or None)


def queue_depth(app, queue: str) -> int:
    """Messages waiting in ``queue`` (0 when the broker does not know it yet)."""
    try:
        with app.connection_for_read() as conn:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
    except Exception:
        return 0


def deliveries(app, n: int | None = None) -> int:
    """Queue ``n`` delivery tasks (default: fill an empty `deliver` queue up to
    :data:`DELIVERY_FANOUT`); returns how many were sent."""
    if n is None:
        n = max(0, DELIVERY_FANOUT - queue_depth(app, DELIVER))
    for _ in range(n):
        app.send_task("newswatch.deliver", queue=DELIVER)
    return n
