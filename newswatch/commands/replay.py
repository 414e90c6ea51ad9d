"""``newswatch replay serve``: serve a replay folder so crawls run offline."""

from __future__ import annotations

from pathlib import Path

import click

from newswatch.replay.server import DEFAULT_PORT, ReplayServer


@click.group(name="replay")
def command():
    """Offline replay: serve stored pages as if they were the real sites.

    Pages are stored as DIR/<host>/<path>; see docs/replay.md for how query strings and
    sidecar files (status, content type, charset, headers) map to files.
    """


@command.command("serve")
@click.argument("folder", metavar="DIR", type=click.Path(exists=True, file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT,
              show_default=True, help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on.")
@click.option("--quiet", "-q", is_flag=True, help="Do not log each request.")
def serve(folder, port, host, quiet):
    """Serve DIR/<host>/<path> over HTTP until interrupted (Ctrl-C).

    Crawl against it with `newswatch crawl --replay http://HOST:PORT`; files are read on
    every request, so pages can be added or changed while it runs.
    """
    try:
        server = ReplayServer(Path(folder), host, port, verbose=not quiet)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    hosts = sorted(p.name for p in Path(folder).iterdir() if p.is_dir())
    click.echo(f"Serving {folder} ({len(hosts)} hosts: {', '.join(hosts[:6])}"
               f"{', ...' if len(hosts) > 6 else ''}) on {server.url}")
    click.echo(f"Crawl with: {crawl_hint(Path(folder), server.url)}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.server_close()


def crawl_hint(folder: Path, url: str) -> str:
    """The crawl command for this replay web: its seeds (a sibling ``<folder>-sources``
    when there is one) and a database of its own, never the default archive."""
    sources = folder.resolve().parent / f"{folder.resolve().name}-sources"
    shown = (str(folder.parent / sources.name) if sources.is_dir() else "SOURCES_DIR")
    return f"newswatch crawl --sources-dir {shown} --replay {url} --db replay.db"
