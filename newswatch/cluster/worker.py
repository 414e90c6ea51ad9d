"""``newswatch worker``: a Celery worker, in this process, that takes the cluster's tasks.

Its pool is threads (each crawl is a child process of its own, each delivery waits on
the network): ``cluster.crawl_concurrency`` slots for crawls, ``cluster.delivery_workers``
for deliveries and one for matching, as the queues it consumes need. It takes one task
per free slot (prefetch multiplier 1) and acknowledges a task only once it is done.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass

from crawler.database import redacted
from newswatch.cluster import tasks
from newswatch.cluster.app import (CRAWL, DELIVER, MATCH, MAX_TAGS, ROLES, check_broker,
                                   crawl_queues, make_app)

log = logging.getLogger("newswatch.cluster")


class WorkerError(Exception):
    """The worker cannot start: the message names the setting or option to change."""


@dataclass
class WorkerOptions:
    config_path: str | None = None
    overrides: dict | None = None
    roles: tuple[str, ...] = ROLES  # crawl, match, deliver
    tags: tuple[str, ...] = ()
    http: tuple[str, int] | None = None
    log_level: str = "info"


def parse_roles(text: str) -> tuple[str, ...]:
    roles = tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise ValueError(f"--queues: expected some of {', '.join(ROLES)} (comma-separated), "
                         f"got {text!r}")
    return roles


def parse_tags(text: str) -> tuple[str, ...]:
    import re

    tags = tuple(sorted({p.strip() for p in text.split(",") if p.strip()}))
    bad = [t for t in tags if not re.match(r"^[a-z0-9][a-z0-9_-]*$", t)]
    if bad:
        raise ValueError(f"--tags: use lower-case letters, digits, '-' and '_', got {bad[0]!r}")
    if len(tags) > MAX_TAGS:
        raise ValueError(f"--tags: at most {MAX_TAGS} tags, got {len(tags)}")
    return tags


def queues_for(roles, tags) -> list[str]:
    out: list[str] = []
    for role in roles:
        out += crawl_queues(tags) if role == CRAWL else [role]
    return out


def run_worker(opts: WorkerOptions) -> int:
    from newswatch.crawl.runner import close_leftover_runs
    from newswatch.service import load as service_load
    from newswatch.service.metrics import Metrics, MetricsServer
    from newswatch.storage import open_archive

    loaded = service_load.load(opts.config_path, opts.overrides or {})
    cluster = loaded.config.cluster
    if not cluster.enabled:
        raise WorkerError("no broker configured: set `broker` in the [cluster] table of "
                          "newswatch.toml (setting cluster.broker) or NEWSWATCH_BROKER, e.g. "
                          "redis://127.0.0.1:6379/0 (see docs/scaling.md)")
    app = make_app(cluster)
    try:
        check_broker(app, cluster)
    except Exception as exc:
        raise WorkerError(str(exc)) from None
    for line in loaded.problems:
        log.warning("%s", line)
    db_path = str(loaded.config.db)
    db = open_archive(db_path)  # migrations applied before any task
    db.conn.close()
    leftovers = close_leftover_runs(db_path)
    if leftovers:
        log.info("closed %d run(s) left running by a crawl that was killed: %s",
                 len(leftovers), ", ".join(map(str, leftovers)))
    name = f"newswatch-{os.getpid()}@{socket.gethostname()}"
    metrics = Metrics()
    ctx = tasks.WorkerContext(loaded=loaded, tags=opts.tags, metrics=metrics, name=name)
    tasks.set_context(ctx)
    queues = queues_for(opts.roles, opts.tags)
    slots = ((cluster.crawl_concurrency if CRAWL in opts.roles else 0)
             + (cluster.delivery_workers if DELIVER in opts.roles else 0)
             + (1 if MATCH in opts.roles else 0))
    started = time.time()
    http = None
    if opts.http:
        host, port = opts.http

        def healthz() -> dict:
            return {"status": "ok", "role": "worker", "worker": name, "pid": os.getpid(),
                    "queues": queues, "tags": list(opts.tags),
                    "uptime_s": round(time.time() - started, 1),
                    "crawling": sorted(ctx.running), "delivering": ctx.delivering}

        http = MetricsServer(metrics, host, port, healthz)
        http.start()
        log.info("serving /healthz and /metrics on http://%s:%d", host, http.port)
    log.info("worker %s: queues %s, %d slot(s), broker %s, database %s", name,
             ",".join(queues), slots, cluster.broker_shown, redacted(db_path),
             extra={"worker": name, "queues": queues, "tags": list(opts.tags)})
    import warnings

    from celery.exceptions import SecurityWarning

    # Root in a container is common and the task payloads are JSON, never pickle.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    if opts.log_level != "debug":  # each task's receipt and result: only when debugging
        logging.getLogger("celery").setLevel(logging.WARNING)
    worker = app.Worker(hostname=name, queues=queues, pool="threads", concurrency=slots,
                        prefetch_multiplier=1, loglevel=opts.log_level.upper(),
                        without_gossip=True, without_mingle=True, quiet=True,
                        optimization="fair")
    try:
        worker.start()
    finally:
        tasks.set_context(None)
        if http is not None:
            http.stop()
    return worker.exitcode or 0
