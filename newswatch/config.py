"""Application settings: declared once here as (name, default, help), read from
``newswatch.toml`` and the environment.

Precedence, highest first: a command-line option (``--db``), the setting's environment
variable, the config file, the default. ``tests/test_docs.py`` checks that every setting
here is documented in ``docs/configuration.md``.

Channels are the ``[channels.<name>]`` tables of the file; ``alerts.channels`` validates
them. A value written ``${ENV_NAME}`` is read from the environment when used, so secrets
never sit in the file, the database or the logs.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_SEEDS = REPO_ROOT / "seeds"


class ConfigError(Exception):
    """A config file or value is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    env: str | None = None
    kind: type = str


def _default_db() -> str:
    return str(Path(platformdirs.user_data_dir("newswatch")) / "newswatch.db")


# Keep in alphabetical order; document each one in docs/configuration.md.
SETTINGS: list[Setting] = [
    Setting("aliases", str(BUNDLED_SEEDS / "aliases.toml"),
            "TOML file of alias groups usable in queries as @name.", "NEWSWATCH_ALIASES"),
    Setting("crawl_timeout", "30m",
            "The service stops a crawl that runs longer than this (s, m, h units); "
            "it is recorded as interrupted.", "NEWSWATCH_CRAWL_TIMEOUT"),
    Setting("db", _default_db(),
            "The SQLite archive (articles, runs, matches, outbox). Default: newswatch.db "
            "in the user's data directory.", "NEWSWATCH_DB"),
    Setting("default_channels", "console,jsonl",
            "Channels for topics that name none (comma-separated, or a TOML list). "
            "console and jsonl work with no [channels] table.", "NEWSWATCH_DEFAULT_CHANNELS"),
    Setting("delivery_backoff", "30s",
            "First retry delay of a failed delivery; each further retry doubles it (full "
            "jitter, at most 1 h).", "NEWSWATCH_DELIVERY_BACKOFF"),
    Setting("delivery_interval", "5s",
            "How often the service retries due deliveries.", "NEWSWATCH_DELIVERY_INTERVAL"),
    Setting("delivery_max_age", "3d",
            "A delivery still failing this long after it was queued is given up (dead "
            "letter); s, m, h, d units.", "NEWSWATCH_DELIVERY_MAX_AGE"),
    Setting("digest_time", "08:00",
            "Local time (HH:MM, in `timezone`) of daily digests; hourly digests go at :00.",
            "NEWSWATCH_DIGEST_TIME"),
    Setting("max_articles_per_run", 200,
            "Article pages one crawl of a source fetches at most (newest first); the "
            "rest waits for the next run. 0: no cap.", kind=int),
    Setting("ops_channel", "console",
            "Channel that gets source-health alerts (a [channels.<name>] or console).",
            "NEWSWATCH_OPS_CHANNEL"),
    Setting("quiet_hours", "",
            "Local HH:MM-HH:MM window (e.g. 22:00-07:00) during which alerts are deferred, "
            "never dropped; a channel's own quiet_hours wins.", "NEWSWATCH_QUIET_HOURS"),
    Setting("replay", "",
            "Base URL of a replay server (`newswatch replay serve`); when set, every crawl "
            "request goes there while the archive keeps the real URLs.", "NEWSWATCH_REPLAY"),
    Setting("shutdown_grace", "30s",
            "On SIGTERM/SIGINT, how long running crawls may finish before they are "
            "stopped.", "NEWSWATCH_SHUTDOWN_GRACE"),
    Setting("sources_dir", str(BUNDLED_SEEDS / "sources"),
            "Folder of source seed files, one <name>.toml per source.", "NEWSWATCH_SOURCES"),
    Setting("story_window", "3d",
            "Republications are looked for among articles published within this long of "
            "each other (s, m, h, d units).", "NEWSWATCH_STORY_WINDOW"),
    Setting("timezone", "Asia/Shanghai",
            "Time zone for digests, quiet hours and displayed times.", "NEWSWATCH_TIMEZONE"),
    Setting("topics", str(BUNDLED_SEEDS / "topics.toml"),
            "Topic files, separated by the OS path separator (':' on Linux).",
            "NEWSWATCH_TOPICS"),
]

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Config:
    path: Path | None
    values: dict[str, Any]
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def where(self, name: str) -> str:
        """Say where a setting's value came from, for --help and `newswatch status`."""
        return self.values.get(f"_from_{name}", "default")


def default_config_path() -> Path | None:
    env = os.environ.get("NEWSWATCH_CONFIG")
    if env:
        return Path(env)
    for candidate in (Path("newswatch.toml"),
                      Path(platformdirs.user_config_dir("newswatch")) / "newswatch.toml"):
        if candidate.is_file():
            return candidate
    return None


def load(path: str | Path | None = None, **overrides: Any) -> Config:
    """Read settings; ``overrides`` (from command-line options) win when not None."""
    explicit = path is not None
    path = Path(path) if path is not None else default_config_path()
    data: dict[str, Any] = {}
    if path is not None:
        if not path.is_file():
            if explicit or os.environ.get("NEWSWATCH_CONFIG"):
                raise ConfigError(f"{path}: config file not found")
        else:
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    channels = data.pop("channels", {})
    if not isinstance(channels, dict) or not all(isinstance(v, dict) for v in channels.values()):
        raise ConfigError(f"{path}: [channels.<name>] must be tables")
    for key in data:
        if key not in SETTINGS_BY_NAME:
            known = ", ".join(SETTINGS_BY_NAME)
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {known}, channels)")
    values: dict[str, Any] = {}
    for s in SETTINGS:
        value, origin = s.default, "default"
        if s.name in data:
            value, origin = data[s.name], str(path)
        if s.env and os.environ.get(s.env):
            value, origin = os.environ[s.env], s.env
        if overrides.get(s.name) is not None:
            value, origin = overrides[s.name], "command line"
        if not isinstance(value, s.kind) and not (s.kind is str and isinstance(value, list)):
            raise ConfigError(f"{path}: setting {s.name!r} must be a {s.kind.__name__}, "
                              f"got {value!r}")
        values[s.name] = value
        values[f"_from_{s.name}"] = origin
    return Config(path=path, values=values, channels=channels)


def topic_files(config: Config) -> list[Path]:
    value = config.topics
    parts = value if isinstance(value, list) else str(value).split(os.pathsep)
    return [Path(p) for p in parts if p]
