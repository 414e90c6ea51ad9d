"""What `topics`, `search` and `match` share: reading topics and aliases from the
settings with clear errors, parsing a query given on the command line, showing dates."""

from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import click

from crawler import times
from newswatch import config as config_mod

QUERY_EXIT = 2  # an invalid query: `topics test` and `search` exit with this


def aliases_of(app) -> dict:
    from alerts.aliases import AliasError, load_aliases

    try:
        return load_aliases(app.config.aliases)
    except AliasError as exc:
        raise click.ClickException(f"setting 'aliases': {exc}") from None


def topics_of(app) -> list:
    """Every topic of the `topics` files; a bad file is an error naming it."""
    from alerts.topics import TopicError, load_topics

    paths = config_mod.topic_files(app.config)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"setting 'topics': file(s) not found: {', '.join(missing)}")
    try:
        return load_topics(paths, app.config.aliases)
    except TopicError as exc:
        raise click.ClickException(str(exc)) from None


def parse_or_exit(query_text: str, aliases: dict):
    """Parse a command-line query; an invalid one prints where and exits 2."""
    from alerts.query import QueryError, parse

    try:
        return parse(query_text, aliases)
    except QueryError as exc:
        click.echo(f"Error: invalid query: {exc.message} (at column {exc.position + 1})",
                   err=True)
        click.echo("  " + exc.pointer(query_text).replace("\n", "\n  "), err=True)
        sys.exit(QUERY_EXIT)


def adhoc_topic(query_text: str, node):
    from alerts.search import adhoc_topic

    return adhoc_topic(query_text, node)


def zone_of(app) -> ZoneInfo:
    return app.config.timezone  # parsed and checked when the config loaded


def local_date(article: dict, zone: ZoneInfo) -> str:
    return times.local_text(times.article_time(article), zone, "-")


def local_time(value: str | None, zone: ZoneInfo) -> str:
    return times.local_text(value, zone, "-")


def hit_lines(hits: list[dict]) -> list[str]:
    """`--explain` lines: each term, where it hit, and at which offsets."""
    from rich.cells import cell_len  # Chinese characters take two columns

    lines = []
    for h in hits:
        at = ", ".join(f"{s}-{e}" for s, e in h["at"])
        term = str(h["term"])
        pad = " " * max(1, 32 - cell_len(term))
        lines.append(f"  {term}{pad}{h['field']:<10} {at}")
    return lines
