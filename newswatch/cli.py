"""The ``newswatch`` command line.

Each top-level command lives in its own module under ``newswatch.commands`` and is found
there at start-up. Shared options (``--config``, ``--db``) and the application context are
defined here so that every command reads settings the same way.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from functools import update_wrapper

from newswatch import early_signals

early_signals.install_if_run()  # the console script: before click and the commands load

import click  # noqa: E402

from crawler.database import ArchiveUnreachable, archive_exists
from newswatch import __version__, commands
from newswatch import config as config_mod


class AppContext:
    """What a command needs: settings, resolved lazily so --help never touches the disk."""

    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config: config_mod.Config | None = None
        self.overrides: dict = {}
        self.channels = True  # a command that never delivers sets False before reading

    @property
    def config(self) -> config_mod.Config:
        if self._config is None:
            try:
                self._config = config_mod.load(self.config_path, channels=self.channels,
                                               **self.overrides)
            except config_mod.ConfigError as exc:
                lines = getattr(exc, "problems", None) or [str(exc)]
                raise click.ClickException("\n".join(lines) if len(lines) == 1 else
                                           "invalid configuration:\n  " +
                                           "\n  ".join(lines)) from None
        return self._config

    def db_exists(self) -> bool:
        db = self.config.db
        return archive_exists(db)

    def open_db(self, *, must_exist: bool = False):
        from newswatch.storage import ArchiveMissing, open_archive

        try:
            return open_archive(self.config.db, must_exist=must_exist)
        except (ArchiveMissing, ArchiveUnreachable) as exc:
            raise click.ClickException(str(exc)) from None


DB_HELP = ("The archive: an SQLite file or a postgresql:// URL. Default: $NEWSWATCH_DB, else "
           "`db` in the config file, else newswatch.db in the user's data directory.")


def log_options(f):
    """Add ``--log-format`` and ``--log-level`` (the long-running commands: run, worker)."""
    f = click.option("--log-level", type=click.Choice(["debug", "info", "warning"]),
                     default="info", show_default=True,
                     help="Least severe log level shown.")(f)
    return click.option("--log-format", type=click.Choice(["human", "json"]), default="human",
                        show_default=True,
                        help="Log lines for people, or JSON lines for a collector.")(f)


def db_option(f):
    """Add ``--db PATH`` to a command; the value overrides the ``db`` setting."""

    @click.option("--db", "db_path", type=click.Path(dir_okay=False), default=None,
                  help=DB_HELP, metavar="PATH|URL")
    @click.pass_context
    def wrapper(ctx, *args, db_path=None, **kwargs):
        app = ctx.find_object(AppContext)
        if db_path is not None:
            app.overrides["db"] = db_path
            app._config = None
        return ctx.invoke(f, *args, **kwargs)

    return update_wrapper(wrapper, f)


pass_app = click.make_pass_decorator(AppContext)


class CommandsGroup(click.Group):
    """Loads ``newswatch.commands.<name>`` modules on demand, in alphabetical order."""

    def _modules(self) -> list[str]:
        return sorted(m.name for m in pkgutil.iter_modules(commands.__path__)
                      if not m.name.startswith("_"))

    def list_commands(self, ctx):
        names = set(super().list_commands(ctx))
        for mod in self._modules():
            names.add(self._load(mod).name)
        return sorted(names)

    def get_command(self, ctx, name):
        cmd = super().get_command(ctx, name)
        if cmd is not None:
            return cmd
        for mod in self._modules():
            command = self._load(mod)
            if command.name == name:
                return command
        return None

    @staticmethod
    def _load(module_name: str) -> click.Command:
        module = importlib.import_module(f"newswatch.commands.{module_name}")
        return with_config_option(module.command)


CONFIG_HELP = ("Config file (newswatch.toml). Default: $NEWSWATCH_CONFIG, else "
               "./newswatch.toml, else newswatch.toml in the user's config directory.")


def _set_config(ctx, param, value):
    if value is not None:
        app = ctx.find_object(AppContext)
        app.config_path, app._config = value, None


def with_config_option(cmd: click.Command) -> click.Command:
    """Accept ``--config PATH`` after the (sub)command too: ``newswatch run --config x``."""
    if not any(p.name == "config_path" for p in cmd.params):
        cmd.params.append(click.Option(
            ["--config", "config_path"], type=click.Path(dir_okay=False), default=None,
            metavar="PATH", expose_value=False, is_eager=True, callback=_set_config,
            help=CONFIG_HELP))
    for sub in getattr(cmd, "commands", {}).values():
        with_config_option(sub)
    return cmd


@click.group(cls=CommandsGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                  "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              metavar="PATH", help=CONFIG_HELP)
@click.version_option(__version__, prog_name="newswatch")
@click.pass_context
def main(ctx, config_path):
    """Watch ministries and the press; alert when a watched topic is published.

    Every step of the service (`newswatch run`) has a manual command: crawl, match,
    deliver. See docs/ for the guide.
    """
    ctx.obj = AppContext(config_path)


def run() -> None:  # pragma: no cover - console entry point alias
    sys.exit(main())
