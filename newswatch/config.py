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
from typing import Any, Callable

import platformdirs

import seeds
from alerts.settings import DEFAULT_CHANNELS
from crawler import times
from crawler.database import is_server_url, local_base

BUNDLED_SEEDS = seeds.ROOT  # inside the installed package, editable or not


class ConfigError(Exception):
    """A config file or value is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    env: str | None = None
    kind: str = "text"  # a key of PARSERS: how the value is read and what it becomes


class Problems(ConfigError):
    """Several problems at once, one line each (file, key, what is expected)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _path(value: Any, base: Path) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a path, got {value!r}")
    path = Path(os.path.expanduser(value.strip()))
    return path if path.is_absolute() else base / path


def _db(value: Any, base: Path) -> str:
    if value == ":memory:" or is_server_url(str(value)):
        return str(value)
    return str(_path(value, base))


def _paths(value: Any, base: Path) -> tuple[Path, ...]:
    parts = value if isinstance(value, list) else str(value).split(os.pathsep)
    return tuple(_path(p, base) for p in parts if str(p).strip())


def _names(value: Any, base: Path) -> tuple[str, ...]:
    parts = value if isinstance(value, list) else str(value).split(",")
    if not all(isinstance(p, str) for p in parts):
        raise ValueError(f"expected channel names (a list of strings), got {value!r}")
    names = tuple(p.strip() for p in parts if p.strip())
    if not names:
        raise ValueError("expected at least one channel name, e.g. 'console'")
    return names


def _name(value: Any, base: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a channel name, got {value!r}")
    return value.strip()


def _text(value: Any, base: Path) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def _duration(value: Any, base: Path) -> float:
    return times.parse_duration(value, what="")


def _count(value: Any, base: Path) -> int:
    """A whole number, 0 or more (0: no cap)."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a whole number (0: no cap), got {value!r}") from None
    if number < 0:
        raise ValueError(f"must be 0 or more, got {number}")
    return number


def _positive(value: Any, base: Path) -> int:
    """A whole number, 1 or more."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"expected a whole number of at least 1, got {value!r}") from None
    if number < 1:
        raise ValueError(f"must be 1 or more, got {number}")
    return number


BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp", "sentinel")


def redact_url(text: str) -> str:
    """A URL fit for logs and output: its password (if any) replaced by ``***``."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return text
    if not password:
        return text
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def _broker(value: Any, base: Path) -> str:
    """A Celery broker URL (Redis or RabbitMQ), or empty: no cluster."""
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        raise ValueError(f"expected a broker URL such as redis://host:6379/0, got {value!r}")
    value = value.strip()
    if not value:
        return ""
    scheme = urlsplit(value).scheme
    if scheme not in BROKER_SCHEMES:
        raise ValueError(f"expected a broker URL starting with one of "
                         f"{', '.join(s + '://' for s in BROKER_SCHEMES)}, got "
                         f"{redact_url(value)!r}")
    return value


def _quiet(value: Any, base: Path):
    from alerts.local_time import parse_quiet_hours

    if not isinstance(value, str):
        raise ValueError(f"expected HH:MM-HH:MM, got {value!r}")
    return parse_quiet_hours(value)


def _clock(value: Any, base: Path):
    return times.parse_clock(value)


def _zone(value: Any, base: Path):
    return times.zone(value if isinstance(value, str) else repr(value))


# What each kind of setting becomes: a path, seconds, a tuple of names, a zone, ...
PARSERS: dict[str, Callable[[Any, Path], Any]] = {
    "broker": _broker, "channel": _name, "channels": _names, "clock": _clock,
    "count": _count, "db": _db, "duration": _duration, "positive": _positive,
    "path": _path, "paths": _paths, "quiet_hours": _quiet, "text": _text, "zone": _zone,
}


def _default_db() -> str:
    return str(Path(platformdirs.user_data_dir("newswatch")) / "newswatch.db")


# Keep in alphabetical order; document each one in docs/configuration.md.
SETTINGS: list[Setting] = [
    Setting("aliases", str(BUNDLED_SEEDS / "aliases.toml"),
            "TOML file of alias groups usable in queries as @name.", "NEWSWATCH_ALIASES", "path"),
    # [cluster] (docs/scaling.md): a setting "section.key" is `key` in the file's [section].
    Setting("cluster.broker", "",
            "Celery broker URL (redis://, rediss://, amqp://) of the cluster; set, `newswatch "
            "run` is the scheduler and `newswatch worker` crawls and delivers. Empty: one "
            "machine, no broker.", "NEWSWATCH_BROKER", "broker"),
    Setting("cluster.crawl_concurrency", 4,
            "Crawls one `newswatch worker` runs at once.", "NEWSWATCH_CRAWL_CONCURRENCY",
            "positive"),
    Setting("cluster.delivery_workers", 2,
            "Delivery tasks one `newswatch worker` runs at once (each sends up to 16 alerts "
            "concurrently).", "NEWSWATCH_DELIVERY_WORKERS", "positive"),
    Setting("cluster.visibility_timeout", "35m",
            "Redis broker: a task taken by a worker that died is given to another after "
            "this long; keep it above crawl_timeout.", "NEWSWATCH_VISIBILITY_TIMEOUT",
            "duration"),
    Setting("crawl_timeout", "30m",
            "The service stops a crawl that runs longer than this (s, m, h units); "
            "it is recorded as interrupted.", "NEWSWATCH_CRAWL_TIMEOUT", "duration"),
    Setting("db", _default_db(),
            "The archive (articles, runs, matches, outbox): an SQLite file, or a "
            "postgresql:// URL for a PostgreSQL server. Default: newswatch.db in the "
            "user's data directory.", "NEWSWATCH_DB", "db"),
    Setting("default_channels", ",".join(DEFAULT_CHANNELS),
            "Channels for topics that name none (comma-separated, or a TOML list). "
            "console and jsonl work with no [channels] table.",
            "NEWSWATCH_DEFAULT_CHANNELS", "channels"),
    Setting("delivery_backoff", "30s",
            "First retry delay of a failed delivery; each further retry doubles it (full "
            "jitter, at most 1 h).", "NEWSWATCH_DELIVERY_BACKOFF", "duration"),
    Setting("delivery_interval", "5s",
            "How often the service retries due deliveries.",
            "NEWSWATCH_DELIVERY_INTERVAL", "duration"),
    Setting("delivery_max_age", "3d",
            "A delivery still failing this long after it was queued is given up (dead "
            "letter); s, m, h, d units.", "NEWSWATCH_DELIVERY_MAX_AGE", "duration"),
    Setting("digest_time", "08:00",
            "Local time (HH:MM, in `timezone`) of daily digests; hourly digests go at :00.",
            "NEWSWATCH_DIGEST_TIME", "clock"),
    Setting("max_articles_per_run", 200,
            "Article pages one crawl of a source fetches at most (newest first); the "
            "rest waits for the next run. 0: no cap.", kind="count"),
    Setting("ops_channel", "console",
            "Channel that gets source-health alerts (a [channels.<name>] or console).",
            "NEWSWATCH_OPS_CHANNEL", "channel"),
    Setting("quiet_hours", "",
            "Local HH:MM-HH:MM window (e.g. 22:00-07:00) during which alerts are deferred, "
            "never dropped; a channel's own quiet_hours wins.",
            "NEWSWATCH_QUIET_HOURS", "quiet_hours"),
    Setting("replay", "",
            "Base URL of a replay server (`newswatch replay serve`); when set, every crawl "
            "request goes there while the archive keeps the real URLs.",
            "NEWSWATCH_REPLAY", "text"),
    Setting("shutdown_grace", "30s",
            "On SIGTERM/SIGINT, how long running crawls may finish before they are "
            "stopped.", "NEWSWATCH_SHUTDOWN_GRACE", "duration"),
    Setting("sources_dir", str(BUNDLED_SEEDS / "sources"),
            "Folder of source seed files, one <name>.toml per source.",
            "NEWSWATCH_SOURCES", "path"),
    Setting("story_window", "3d",
            "Republications are looked for among articles published within this long of "
            "each other (s, m, h, d units).", "NEWSWATCH_STORY_WINDOW", "duration"),
    Setting("timezone", "Asia/Shanghai",
            "Time zone for digests, quiet hours and displayed times.",
            "NEWSWATCH_TIMEZONE", "zone"),
    Setting("topics", str(BUNDLED_SEEDS / "topics.toml"),
            "Topic files, separated by the OS path separator (':' on Linux).",
            "NEWSWATCH_TOPICS", "paths"),
    Setting("web_proxy_header", "",
            "Request header in which an authenticating reverse proxy names the user (e.g. "
            "X-Forwarded-User); empty: no proxy login. Trusted only from web_trusted_proxies.",
            "NEWSWATCH_WEB_PROXY_HEADER"),
    Setting("web_trusted_proxies", "",
            "Addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8) whose "
            "web_proxy_header and X-Forwarded-Proto are believed.",
            "NEWSWATCH_WEB_TRUSTED_PROXIES"),
]

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class ClusterSettings:
    """``[cluster]``: the broker and each worker's concurrency (docs/scaling.md)."""

    broker: str = field(default="", repr=False)  # empty: no cluster; has a password
    crawl_concurrency: int = 4
    delivery_workers: int = 2
    visibility_timeout: float = 35 * 60.0

    @property
    def enabled(self) -> bool:
        return bool(self.broker)

    @property
    def broker_shown(self) -> str:
        """The broker URL fit for logs and output (its password masked)."""
        return redact_url(self.broker)


@dataclass
class Config:
    """Typed settings: ``config.crawl_timeout`` is seconds, ``config.timezone`` a zone,
    ``config.topics`` a tuple of paths; ``text(name)`` is the value as written."""

    path: Path | None
    values: dict[str, Any]
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def where(self, name: str) -> str:
        """Say where a setting's value came from, for --help and `newswatch status`."""
        return self.origins.get(name, "default")

    def text(self, name: str) -> str:
        """A setting as written (for messages and `describe_changes`); a URL's password
        is masked."""
        value = self.raw.get(name, "")
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        return redact_url(text) if "://" in text else text

    @property
    def cluster(self) -> "ClusterSettings":
        """The ``[cluster]`` settings, typed."""
        v = self.values
        return ClusterSettings(broker=v["cluster.broker"] or "",
                               crawl_concurrency=v["cluster.crawl_concurrency"],
                               delivery_workers=v["cluster.delivery_workers"],
                               visibility_timeout=v["cluster.visibility_timeout"])

    @property
    def story_window_days(self) -> float:
        """`story_window` in days, as ``alerts.stories`` counts."""
        return self.values["story_window"] / 86400

    @property
    def alerts(self):
        """What ``alerts`` (delivery, digests, channels) runs with."""
        from alerts.settings import AlertSettings

        db = self.values["db"]
        return AlertSettings(
            channels=self.channels, config_path=self.path,
            data_dir=Path(local_base(db)).parent if db != ":memory:" else Path.cwd(),
            timezone=self.timezone, delivery_max_age_s=self.delivery_max_age,
            delivery_backoff_s=self.delivery_backoff, digest_time=self.digest_time,
            quiet_hours=self.quiet_hours, default_channels=self.default_channels)


def default_config_path() -> Path | None:
    env = os.environ.get("NEWSWATCH_CONFIG")
    if env:
        return Path(env)
    for candidate in (Path("newswatch.toml"),
                      Path(platformdirs.user_config_dir("newswatch")) / "newswatch.toml"):
        if candidate.is_file():
            return candidate
    return None


def load(path: str | Path | None = None, *, channels: bool = True,
         **overrides: Any) -> Config:
    """Read, parse and validate every setting and (``channels``) every channel;
    ``overrides`` (command-line options) win when not None. Raises :class:`Problems`
    listing every problem. Commands that never deliver (a crawl child) pass
    ``channels=False`` and skip building the channels (and importing httpx)."""
    explicit = path is not None
    path = Path(os.path.expanduser(str(path))) if path is not None else default_config_path()
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
    where = str(path) if path is not None else "settings"
    problems: list[str] = []
    channels = data.pop("channels", {})
    if not isinstance(channels, dict):
        problems.append(f"{where}: [channels.<name>] must be tables")
        channels = {}
    for name in [n for n, v in channels.items() if not isinstance(v, dict)]:
        problems.append(f"{where}: [channels.{name}] must be a table, got {channels[name]!r}")
        del channels[name]
    sections = {s.name.split(".")[0] for s in SETTINGS if "." in s.name}
    for key in data:
        if key in sections:
            if not isinstance(data[key], dict):
                problems.append(f"{where}: [{key}] must be a table, got {data[key]!r}")
                continue
            for sub in data[key]:
                if f"{key}.{sub}" not in SETTINGS_BY_NAME:
                    known = ", ".join(n.split(".", 1)[1] for n in SETTINGS_BY_NAME
                                      if n.startswith(key + "."))
                    problems.append(f"{where}: unknown setting {sub!r} in [{key}] "
                                    f"(known: {known})")
        elif key not in SETTINGS_BY_NAME:
            known = ", ".join(n for n in SETTINGS_BY_NAME if "." not in n)
            problems.append(f"{where}: unknown setting {key!r} (known: {known}, "
                            f"{', '.join(f'[{n}]' for n in sorted(sections))}, channels)")
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    origins: dict[str, str] = {}
    file_dir = path.resolve().parent if path is not None else Path.cwd()
    for s in SETTINGS:
        value, origin, base = s.default, "default", Path.cwd()
        section, _, key = s.name.rpartition(".")
        table = data.get(section) if section else data
        if isinstance(table, dict) and key in table:
            # Relative paths in a file are relative to that file (systemd runs from /).
            value, origin, base = table[key], str(path), file_dir
        if s.env and os.environ.get(s.env):
            value, origin, base = os.environ[s.env], s.env, Path.cwd()
        if overrides.get(s.name) is not None:
            value, origin, base = overrides[s.name], "command line", Path.cwd()
        raw[s.name], origins[s.name] = value, origin
        try:
            values[s.name] = PARSERS[s.kind](value, base)
        except ValueError as exc:
            shown = (f"[{section}] {key!r}" if section and origin == str(path)
                     else repr(s.name))
            problems.append(f"{origin}: setting {shown}: {exc}")
            values[s.name] = None
    config = Config(path=path, values=values, channels=channels, raw=raw, origins=origins)
    # Channels are checked even when a setting is bad (with its default in its place),
    # so that one run of `newswatch run` lists every problem.
    checked = Config(path=path, values={k: PARSERS[SETTINGS_BY_NAME[k].kind](
        SETTINGS_BY_NAME[k].default, Path.cwd()) if v is None else v
        for k, v in values.items()}, channels=channels)
    if channels:
        problems += channel_problems(checked)
    if problems:
        raise Problems(problems)
    return config


def channel_problems(config: Config) -> list[str]:
    """Every [channels.<name>] table built once, and the channel names settings refer to."""
    from alerts.channels import BUILTIN, check_channels

    _, problems = check_channels(config.alerts)
    known = set(BUILTIN) | set(config.channels)
    where = str(config.path) if config.path else "settings"
    for name in config.default_channels or ():
        if name not in known:
            problems.append(f"{where}: setting 'default_channels': unknown channel {name!r} "
                            f"(known: {', '.join(sorted(known))})")
    if config.ops_channel and config.ops_channel not in known:
        problems.append(f"{where}: setting 'ops_channel': unknown channel "
                        f"{config.ops_channel!r} (known: {', '.join(sorted(known))})")
    return problems


def topic_files(config: Config) -> list[Path]:
    return list(config.topics)
