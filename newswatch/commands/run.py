"""``newswatch run``: the service."""

from __future__ import annotations

import logging

import click

from newswatch.cli import db_option, log_options, pass_app

CONFIG_EXIT = 2  # an invalid configuration at start-up


@click.command("run")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("--interval", default=None, metavar="DURATION",
              help="Crawl every source at this interval (e.g. 30s, 5m) instead of the "
                   "seeds' schedules: for trials and demos.")
@click.option("--http", "http", default=None, metavar="HOST:PORT",
              help="Serve /healthz and Prometheus /metrics here, e.g. 127.0.0.1:9108.")
@click.option("--web", "web", default=None, metavar="HOST:PORT",
              help="Also serve the web interface (docs/web.md), with /healthz and /metrics, "
                   "from this process, e.g. 127.0.0.1:8080.")
@click.option("--max-crawls", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Crawls (child processes) running at once; the others wait their turn.")
@log_options
@db_option
@pass_app
def command(app, sources, interval, http, web, max_crawls, log_format, log_level):
    """Run the service: crawl each source on its schedule, match, deliver, watch health.

    Runs in the foreground until SIGTERM or Ctrl-C (graceful stop within the
    `shutdown_grace` setting, exit 0). SIGHUP reloads seeds, topics and config and logs
    what changed. One service per database. With SOURCE names, only those are crawled.
    """
    from newswatch import early_signals

    # Until the service's own handlers are in place, remember a stop request instead of
    # dying by it (start-up reads seeds and topics, which takes a moment). The entry points
    # installed this already, before their imports; here for any other caller.
    early = early_signals.received
    early_signals.install()

    from newswatch import logs
    from newswatch.config import ConfigError
    from crawler.database import ArchiveUnreachable
    from newswatch.service import (InstanceLocked, RunOptions, ScheduleError, Service,
                                   parse_duration, parse_listen)

    logs.setup(log_format, getattr(logging, log_level.upper()))
    try:
        every = parse_duration(interval, what="--interval") if interval else None
        listen = parse_listen(http) if http else None
        web_at = parse_listen(web, option="--web") if web else None
    except (ScheduleError, ValueError) as exc:
        raise click.UsageError(str(exc)) from None
    opts = RunOptions(config_path=app.config_path, overrides=dict(app.overrides),
                      only=tuple(sources), interval=every, http=listen, web=web_at,
                      max_crawls=max_crawls, early_signals=early)
    try:
        service = Service(opts)
        if service.loaded.config.cluster.enabled:
            # With a broker, the scheduler of the cluster's workers (docs/scaling.md).
            from newswatch.cluster import Scheduler

            service = Scheduler(opts, service.loaded)
        code = service.run()
    except InstanceLocked as exc:
        raise click.ClickException(str(exc)) from None
    except (ConfigError, ScheduleError) as exc:
        # One line per problem (file, key, what is expected); nothing was started.
        problems = getattr(exc, "problems", None) or str(exc).splitlines()
        for line in problems:
            click.echo(f"Error: {line}", err=True)
        click.echo(f"newswatch run: invalid configuration ({len(problems)} problem(s)); "
                   f"nothing started", err=True)
        raise SystemExit(CONFIG_EXIT) from None
    except ArchiveUnreachable as exc:
        raise click.ClickException(f"{exc}; nothing started") from None
    except OSError as exc:
        if (http or web) and "address" in str(exc).lower():
            raise click.ClickException(f"--http {http} / --web {web}: {exc}") from None
        raise
    except Exception as exc:
        if type(exc).__name__ == "BrokerUnreachable":  # names the setting, not the password
            raise click.ClickException(str(exc)) from None
        raise
    raise SystemExit(code)
