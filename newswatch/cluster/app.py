"""The Celery app of a cluster, built from the ``[cluster]`` settings, and its queues.

Queues: ``crawl`` (sources without tags), ``crawl.<tags>`` (a source's sorted tags
joined by dots: ``crawl.cn``, ``crawl.cn.gov``), ``match`` and ``deliver``. A worker
started with ``--tags cn,gov`` consumes every crawl queue whose tags it has (``crawl``,
``crawl.cn``, ``crawl.gov``, ``crawl.cn.gov``), so a source is crawled only by a worker
holding all of its tags.

Every task is acknowledged late (``acks_late``) and given back when its worker is lost
(``task_reject_on_worker_lost``); a worker takes one task per free slot (prefetch
multiplier 1). With Redis, a task taken by a worker that died outright (kill -9, a lost
machine) goes to another after ``cluster.visibility_timeout``.
"""

from __future__ import annotations

from itertools import combinations

from celery import Celery

from newswatch.config import ClusterSettings, redact_url

CRAWL, MATCH, DELIVER = "crawl", "match", "deliver"
ROLES = (CRAWL, MATCH, DELIVER)
MAX_TAGS = 4  # a worker's tags; its crawl queues are every subset (at most 15)


class BrokerUnreachable(Exception):
    """The broker of ``cluster.broker`` does not answer; the message names the setting."""


def crawl_queue(tags) -> str:
    """The queue a source with these tags is crawled from."""
    tags = sorted(set(tags))
    return ".".join([CRAWL, *tags])


def crawl_queues(tags) -> list[str]:
    """Every crawl queue a worker with these tags consumes (``crawl`` first)."""
    tags = sorted(set(tags))
    return [crawl_queue(c) for n in range(len(tags) + 1) for c in combinations(tags, n)]


def tags_of_queue(queue: str) -> tuple[str, ...]:
    """The tags a crawl queue stands for (``crawl.cn`` → ``("cn",)``)."""
    parts = queue.split(".")
    return tuple(parts[1:]) if parts[0] == CRAWL else ()


def make_app(cluster: ClusterSettings) -> Celery:
    """The app for ``cluster`` (a broker is configured); tasks registered."""
    app = Celery("newswatch", broker=cluster.broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        result_backend=None,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=CRAWL,
        task_create_missing_queues=True,
        broker_transport_options={"visibility_timeout": int(cluster.visibility_timeout)},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2,
                                   "interval_step": 0.5, "interval_max": 1},
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        worker_send_task_events=False,
        enable_utc=True,
        timezone="UTC",
    )
    from newswatch.cluster import tasks

    tasks.register(app)
    return app


def check_broker(app: Celery, cluster: ClusterSettings, *, timeout: float = 5.0) -> None:
    """Raise :class:`BrokerUnreachable` (naming the setting, never the password) unless
    the broker answers within ``timeout`` seconds."""
    conn = app.connection_for_write(connect_timeout=timeout)
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                               timeout=timeout)
    except Exception as exc:
        text = str(exc) or type(exc).__name__
        raise BrokerUnreachable(
            f"setting cluster.broker ({cluster.broker_shown}): the broker does not answer: "
            f"{_mask(text, cluster.broker)}") from None
    finally:
        conn.release()


def _mask(text: str, url: str) -> str:
    from urllib.parse import urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    text = text.replace(url, redact_url(url))
    return text.replace(password, "***") if password else text
