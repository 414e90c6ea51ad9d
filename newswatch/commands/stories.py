"""`newswatch stories`: recent story clusters, their outlets, and their members."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from newswatch.cli import db_option, pass_app
from crawler.times import local_text


def _console() -> Console:
    """The terminal's width on a terminal; wide lines when piped, so rows stay whole."""
    console = Console()
    return console if console.is_terminal else Console(width=200)


def _pending_note(db) -> str | None:
    from alerts import stories
    from crawler import archive

    waiting = archive.max_article_id(db) - stories.cursor(db)
    if waiting > 0:
        return (f"{waiting} article(s) not clustered yet: run `newswatch stories cluster` "
                f"(the service and `newswatch match` do it too).")
    return None


@click.group("stories", invoke_without_command=True)
@click.option("--days", type=click.FloatRange(min=0), default=3, show_default=True,
              help="List stories last seen within this many days.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
@db_option
@pass_app
@click.pass_context
def command(ctx, app, days, as_json):
    """Stories: one story republished, retold or translated by many outlets, grouped.

    Without a subcommand, lists the recent stories with the outlets that carried them.
    """
    if ctx.invoked_subcommand is not None:
        return
    from alerts import stories

    db = app.open_db(must_exist=True)
    found = stories.recent(db, days)
    if as_json:
        for s in found:
            click.echo(json.dumps(s, ensure_ascii=False))
        return
    zone = app.config.timezone
    note = _pending_note(db)
    if not found:
        click.echo(f"No stories in the last {days:g} day(s).")
    else:
        table = Table(title=f"Stories in the last {days:g} day(s)", title_justify="left")
        for col in ("story", "first seen", "last seen", "size", "lang", "title", "outlets"):
            table.add_column(col, overflow="fold")
        for s in found:
            table.add_row(str(s["id"]), local_text(s["first_seen"], zone, "-"),
                          local_text(s["last_seen"], zone, "-"), str(s["size"]),
                          s["lang"] or "-",
                          s["title"] or "(no title)", ", ".join(s["outlets"]))
        _console().print(table)
    if note:
        click.echo(note, err=True)


_LINKS = {"shingles": "shingles", "source": "original-source line", "fingerprints": "fingerprints"}


def _joined_by(member: dict) -> str:
    """How a member joined: the link, its score and the member it linked to."""
    if member.get("link") is None:
        return "started the story"
    return (f"{_LINKS.get(member['link'], member['link'])} {member['similarity']:.2f} "
            f"~{member['matched_article_id']}")


@command.command("show")
@click.argument("story_id", type=int, metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the story as one JSON object.")
@db_option
@pass_app
def show(app, story_id, as_json):
    """Show story ID's members side by side, earliest published first: outlet, language,
    time, the link that joined each (shingles, original-source line, fingerprints) with
    its score and what the two shared, title, URL."""
    from alerts import stories

    db = app.open_db(must_exist=True)
    story = stories.get_story(db, story_id)
    if story is None:
        raise click.ClickException(f"no story with id {story_id} (see `newswatch stories`)")
    members = stories.members(db, story_id)
    if as_json:
        click.echo(json.dumps({**story, "members": members}, ensure_ascii=False))
        return
    zone = app.config.timezone
    click.echo(f"Story {story['id']}: {story['title'] or '(no title)'}")
    langs = ", ".join(dict.fromkeys(m["lang"] or "?" for m in members))
    first, last = (local_text(story[k], zone, "-") for k in ("first_seen", "last_seen"))
    click.echo(f"  {story['size']} article(s), {langs}, first published {first}, last {last}")
    table = Table()
    for col in ("article", "site", "lang", "original source", "published", "joined by",
                "shared", "title", "url"):
        table.add_column(col, overflow="fold")
    for m in members:
        table.add_row(str(m["id"]), m["site"] or m["source"] or "-", m["lang"] or "-",
                      m["original_source"] or "-",
                      local_text(m["published"] or m["fetched"], zone, "-"), _joined_by(m),
                      ", ".join(m.get("evidence") or []) or "-", m["title"] or "(no title)",
                      m["url"] or "-")
    _console().print(table)


@command.command("cluster")
@click.option("--window-days", "days", type=click.FloatRange(min=0, min_open=True),
              default=None, help="Compare with articles published within this many days "
                                 "(default: the story_window setting, 3d).")
@db_option
@pass_app
def cluster(app, days):
    """Assign the articles not yet clustered to stories (the service does this itself)."""
    from alerts import stories

    db = app.open_db(must_exist=True)
    window = app.config.story_window_days if days is None else days
    done = stories.cluster_new(db, window_days=window, aliases=app.config.aliases or None)
    click.echo(f"Clustered {done} article(s); stories cursor at article {stories.cursor(db)}.")
