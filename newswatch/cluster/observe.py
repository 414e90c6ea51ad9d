"""What ``newswatch status`` says of a cluster: its workers, their queues and tags, and
the tasks running, from Celery's remote inspection (a broadcast answered within a short
timeout); when the broker does not answer, that instead."""

from __future__ import annotations

from newswatch.cluster.app import CRAWL, check_broker, make_app, tags_of_queue

INSPECT_TIMEOUT_S = 1.0


def cluster_status(cluster, *, timeout: float = INSPECT_TIMEOUT_S) -> dict:
    """``{"broker", "reachable", "error", "workers": [{"name", "queues", "tags",
    "running": [{"task", "source", "started"}]}]}``."""
    out: dict = {"broker": cluster.broker_shown, "reachable": False, "error": None,
                 "workers": []}
    app = make_app(cluster)
    try:
        check_broker(app, cluster, timeout=timeout)
    except Exception as exc:
        out["error"] = str(exc)
        return out
    out["reachable"] = True
    try:
        # One broadcast waits the whole timeout (who answers is unknown); the second asks
        # the workers that did, and returns as soon as they all have.
        queues = app.control.inspect(timeout=timeout).active_queues() or {}
        active = (app.control.inspect(timeout=timeout, destination=list(queues),
                                      limit=len(queues)).active() or {}) if queues else {}
    except Exception as exc:
        out["error"] = f"inspecting the workers failed: {exc}"
        return out
    for name in sorted(set(queues) | set(active)):
        names = [q.get("name") for q in queues.get(name, []) if q.get("name")]
        tags = sorted({t for q in names if q.startswith(CRAWL) for t in tags_of_queue(q)})
        running = []
        for task in active.get(name, []):
            args = task.get("args") or []
            running.append({"task": (task.get("name") or "").removeprefix("newswatch."),
                            "source": args[0] if args and isinstance(args[0], str) else None,
                            "started": task.get("time_start")})
        out["workers"].append({"name": name, "queues": names, "tags": tags,
                               "running": running})
    return out
