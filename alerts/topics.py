"""Watched topics: what a user wants to be alerted about, read from TOML files::

    [[topic]]
    name = "humanoid-robots"            # required; unique over all files; letters, digits, - _ .
    title = "Humanoid robots / 人形机器人"  # optional; shown in alerts (default: the name)
    query = '@humanoid-robots OR (机器人 AND 人形)'   # required; see docs/topics.md
    sources = ["miit-news"]             # optional: only articles of these sources (or sites)
    languages = ["zh"]                  # optional: only articles in these languages
    channels = ["team-webhook"]         # optional: default = the default_channels setting
    mode = "immediate"                  # immediate (default) | hourly | daily
    max_age = "3d"                      # optional: ignore articles published longer ago

Errors are :class:`TopicError`; the message names the file, the topic and, for a query,
the column of the error.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterable

from alerts.aliases import AliasError, load_aliases
from alerts.query import Node, QueryError, parse
from crawler import times

MODES = ("immediate", "hourly", "daily")
_NAME = re.compile(r"\w[\w.-]*")
_KEYS = {"name", "title", "query", "sources", "languages", "channels", "mode", "max_age"}


class TopicError(ValueError):
    """A topic file or topic is wrong. ``file``, ``topic`` and ``position`` (of a query
    error, 0-based) say where."""

    def __init__(self, message: str, *, file: str = "", topic: str = "",
                 position: int | None = None):
        where = file + (f": topic {topic!r}" if topic else "")
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.topic, self.position = file, topic, position


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    query: Node
    query_text: str
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    mode: str = "immediate"
    max_age: timedelta | None = None
    file: str = ""

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything that decides what this topic matches changes."""
        text = repr((self.name, self.query, self.sources, self.languages, self.max_age))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def parse_age(text: str) -> timedelta:
    """``"3d"`` → 3 days; units s, m, h, d, w."""
    return times.parse_timedelta(text, what="max_age must look like '12h', '3d' or '2w'")


def _str_list(value, key: str, file: str, topic: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TopicError(f"{key!r} must be a list of strings", file=file, topic=topic)
    return tuple(v.strip() for v in value)


def make_topic(table: dict, aliases: dict, *, file: str = "", index: int = 0) -> Topic:
    """Validate one topic table (as read from TOML) and parse its query."""
    name = table.get("name")
    label = name if isinstance(name, str) else f"#{index + 1}"
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TopicError("'name' is required: letters, digits, '-', '_' or '.'",
                         file=file, topic=label)
    unknown = set(table) - _KEYS
    if unknown:
        raise TopicError(f"unknown key(s) {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(_KEYS))})", file=file, topic=name)
    query_text = table.get("query")
    if not isinstance(query_text, str) or not query_text.strip():
        raise TopicError("'query' is required and must be a string", file=file, topic=name)
    try:
        query = parse(query_text, aliases)
    except QueryError as exc:
        raise TopicError(f"query: {exc}", file=file, topic=name,
                         position=exc.position) from None
    title = table.get("title", name)
    if not isinstance(title, str):
        raise TopicError("'title' must be a string", file=file, topic=name)
    mode = table.get("mode", "immediate")
    if mode not in MODES:
        raise TopicError(f"'mode' must be one of {', '.join(MODES)}, got {mode!r}",
                         file=file, topic=name)
    max_age = None
    if table.get("max_age") is not None:
        try:
            max_age = parse_age(str(table["max_age"]))
        except ValueError as exc:
            raise TopicError(str(exc), file=file, topic=name) from None
    languages = tuple(v.lower() for v in _str_list(table.get("languages", []), "languages",
                                                   file, name))
    return Topic(
        name=name, title=title, query=query, query_text=query_text,
        sources=_str_list(table.get("sources", []), "sources", file, name),
        languages=languages,
        channels=_str_list(table.get("channels", []), "channels", file, name),
        mode=mode, max_age=max_age, file=file,
    )


def load_topics(paths: Iterable[str | Path] | str | Path,
                aliases_path: str | Path | None = None) -> list[Topic]:
    """Read every topic of ``paths`` (in order); names must be unique across files. The
    first problem raises :class:`TopicError`."""
    topics, problems = check_topics(paths, aliases_path)
    if problems:
        raise problems[0]
    return topics


def check_topics(paths: Iterable[str | Path] | str | Path,
                 aliases_path: str | Path | None = None
                 ) -> tuple[list[Topic], list[TopicError]]:
    """Every good topic of ``paths``, and one :class:`TopicError` per problem (a bad
    topic does not hide the others, nor their problems)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    try:
        aliases = load_aliases(aliases_path)
    except AliasError as exc:
        return [], [TopicError(str(exc))]
    topics: list[Topic] = []
    problems: list[TopicError] = []
    seen: dict[str, str] = {}
    for path in paths:
        file = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            problems.append(TopicError("topic file not found", file=file))
            continue
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(TopicError(f"not valid TOML: {exc}", file=file))
            continue
        extra = set(data) - {"topic"}
        if extra:
            problems.append(TopicError(f"unknown top-level key(s) {', '.join(sorted(extra))}; "
                                       "topics are [[topic]] tables", file=file))
        tables = data.get("topic", [])
        if not isinstance(tables, list):
            problems.append(TopicError("topics must be [[topic]] tables", file=file))
            continue
        for i, table in enumerate(tables):
            try:
                topic = make_topic(table, aliases, file=file, index=i)
            except TopicError as exc:
                problems.append(exc)
                continue
            if topic.name in seen:
                problems.append(TopicError(f"name already used in {seen[topic.name]}",
                                           file=file, topic=topic.name))
                continue
            seen[topic.name] = file
            topics.append(topic)
    return topics, problems


def fingerprint(topics: Iterable[Topic]) -> str:
    """One hash for a whole topic set: the engine is rebuilt when it changes."""
    joined = "\n".join(sorted(t.fingerprint for t in topics))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]
