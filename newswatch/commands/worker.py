"""``newswatch worker``: take the cluster's crawl, match and delivery tasks."""

from __future__ import annotations

import logging

import click

from newswatch.cli import db_option, log_options, pass_app


@click.command("worker")
@click.option("--queues", "queues", default="crawl,match,deliver", show_default=True,
              metavar="LIST",
              help="Which tasks to take: crawl, match, deliver (comma-separated).")
@click.option("--tags", "tags", default="", metavar="LIST",
              help="This worker's tags (comma-separated, e.g. cn): it also crawls the "
                   "sources whose seeds have these tags; untagged sources always.")
@click.option("--http", "http", default=None, metavar="HOST:PORT",
              help="Serve this worker's /healthz and Prometheus /metrics here, e.g. "
                   "127.0.0.1:9109.")
@log_options
@db_option
@pass_app
def command(app, queues, tags, http, log_format, log_level):
    """Run a cluster worker: crawl, match and deliver what the scheduler dispatches.

    Needs the `[cluster]` broker setting (docs/scaling.md) and the same database, seeds
    and topics as the scheduler (`newswatch run`). Runs in the foreground; SIGTERM lets
    running tasks finish (a second one stops at once). Slots: `crawl_concurrency` crawls
    and `delivery_workers` deliveries at once, one match.
    """
    from newswatch import logs
    from newswatch.config import ConfigError
    from newswatch.service import parse_listen

    logs.setup(log_format, getattr(logging, log_level.upper()))
    try:
        from newswatch.cluster import (WorkerError, WorkerOptions, parse_roles, parse_tags,
                                       run_worker)

        roles, tag_list = parse_roles(queues), parse_tags(tags)
        listen = parse_listen(http) if http else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    opts = WorkerOptions(config_path=app.config_path, overrides=dict(app.overrides),
                         roles=roles, tags=tag_list, http=listen, log_level=log_level)
    try:
        code = run_worker(opts)
    except WorkerError as exc:
        raise click.ClickException(str(exc)) from None
    except ConfigError as exc:
        problems = getattr(exc, "problems", None) or str(exc).splitlines()
        for line in problems:
            click.echo(f"Error: {line}", err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        if http and "address" in str(exc).lower():
            raise click.ClickException(f"--http {http}: {exc}") from None
        raise
    raise SystemExit(code)
