"""``newswatch web``: the web interface; ``web user add|list|remove``: its accounts."""

from __future__ import annotations

import sys

import click

from crawler.database import redacted
from newswatch.cli import db_option, pass_app


@click.group("web", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback needs an account "
                   "(`newswatch web user add`) or web_proxy_header.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port, printed at start).")
@db_option
@pass_app
@click.pass_context
def command(ctx, app, host, port):
    """Serve the web interface for analysts: matches, articles, search, topics (with a
    live preview), sources, deliveries, feeds and export (docs/web.md).

    Runs in the foreground until Ctrl-C. To serve it from the service's own process,
    use `newswatch run --web HOST:PORT` instead.
    """
    if ctx.invoked_subcommand is not None:
        return
    from newswatch.config import ConfigError
    from newswatch.web.access import BindRefused
    from newswatch.web.app import WebOptions
    from newswatch.web.server import serve

    def ready(web, url):
        mode = ("no accounts: open to this machine only" if web.gate.open_mode(web.db())
                else "log in required")
        click.echo(f"newswatch web interface on {url} ({mode}); database {redacted(web.db_path)}",
                   err=True)

    try:
        serve(WebOptions(config_path=app.config_path, overrides=dict(app.overrides)), host,
              port, on_ready=ready)
    except (BindRefused, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"--host {host} --port {port}: {exc}") from None


@command.group("user")
def user():
    """Accounts of the web interface (stored hashed with scrypt in the archive)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "reader"]), default="reader",
              show_default=True, help="admin may edit topics, crawl, retry and make feeds; "
                                      "reader only reads.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of standard input (scripts).")
@db_option
@pass_app
def user_add(app, name, role, password_stdin):
    """Add an account, or set an existing one's password and role."""
    from newswatch.web import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        created = accounts.set_user(app.open_db(), name, password, role)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'added' if created else 'updated'} {name} ({role})")


@user.command("list")
@db_option
@pass_app
def user_list(app):
    """List the accounts: name, role, created, last login."""
    from newswatch.web import accounts

    for u in accounts.list_users(app.open_db(must_exist=True)):
        click.echo(f"{u['name']}\t{u['role']}\t{u['created']}\t{u['last_login'] or '-'}")


@user.command("remove")
@click.argument("name")
@db_option
@pass_app
def user_remove(app, name):
    """Remove an account (its sessions end at once)."""
    from newswatch.web import accounts

    if not accounts.delete_user(app.open_db(must_exist=True), name):
        raise click.ClickException(f"no account named {name!r}")
    click.echo(f"removed {name}")
