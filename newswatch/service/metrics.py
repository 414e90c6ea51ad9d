"""Prometheus metrics and the optional ``/healthz`` + ``/metrics`` HTTP endpoint.

The service updates the counters as it works; gauges that mirror the database (outbox by
status, source health) are refreshed by the service after each cycle. The endpoint runs
in a daemon thread so a slow scraper never delays the scheduler.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from newswatch.health import STATES


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.crawls = Counter("newswatch_crawls", "Crawls finished, by source and outcome.",
                              ["source", "outcome"], registry=r)
        self.crawl_seconds = Histogram("newswatch_crawl_duration_seconds",
                                       "Wall time of one crawl child process.", ["source"],
                                       buckets=(1, 2, 5, 10, 30, 60, 120, 300, 900),
                                       registry=r)
        self.articles = Counter("newswatch_articles_new", "New articles archived, by source.",
                                ["source"], registry=r)
        self.matches = Counter("newswatch_matches", "Topic matches written by the matcher.",
                               registry=r)
        self.deliveries = Counter("newswatch_deliveries",
                                  "Delivery attempts made by the service, by result.",
                                  ["status"], registry=r)
        self.outbox = Gauge("newswatch_outbox", "Outbox rows by status.", ["status"],
                            registry=r)
        self.health = Gauge("newswatch_source_health",
                            "1 for the state each source is in, 0 for the others.",
                            ["source", "state"], registry=r)
        self.up_since = Gauge("newswatch_start_time_seconds",
                              "Unix time the service started.", registry=r)
        self.last_cycle = Gauge("newswatch_last_cycle_time_seconds",
                                "Unix time the scheduler last finished a job.", registry=r)
        self.up_since.set(time.time())

    def set_health(self, source: str, state: str) -> None:
        for s in STATES:
            self.health.labels(source, s).set(1 if s == state else 0)

    def set_outbox(self, counts: dict[str, int]) -> None:
        for status, n in counts.items():
            self.outbox.labels(status).set(n)

    def render(self) -> bytes:
        return generate_latest(self.registry)


def parse_listen(value: str, *, option: str = "--http") -> tuple[str, int]:
    """``127.0.0.1:9108`` or ``:9108`` → (host, port); a clear error otherwise."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ValueError(f"{option}: expected HOST:PORT such as 127.0.0.1:9108, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class MetricsServer:
    """``/healthz`` (JSON from ``health_fn``) and ``/metrics`` on a loopback port."""

    def __init__(self, metrics: Metrics, host: str, port: int, health_fn) -> None:
        self.metrics, self.health_fn = metrics, health_fn
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                if self.path.split("?")[0] == "/metrics":
                    body, ctype, code = outer.metrics.render(), CONTENT_TYPE_LATEST, 200
                elif self.path.split("?")[0] == "/healthz":
                    info = outer.health_fn()
                    code = 200 if info.get("status") == "ok" else 503
                    body, ctype = json.dumps(info).encode(), "application/json"
                else:
                    body, ctype, code = b"not found: try /healthz or /metrics\n", "text/plain", 404
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep scrapes out of the service log
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="newswatch-metrics")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
