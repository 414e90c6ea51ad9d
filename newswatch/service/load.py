"""What the service runs from: settings, sources and topics, loaded together, and what
changed between two loads (for SIGHUP)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from newswatch import config as config_mod
from newswatch.service.schedule import ScheduleError, parse_duration

log = logging.getLogger("newswatch.service")

@dataclass
class Loaded:
    config: config_mod.Config
    sources: dict[str, Any]
    topics: list
    problems: list[str] = field(default_factory=list)

    def seconds(self, name: str) -> float:
        return parse_duration(getattr(self.config, name), what=f"setting {name}")


def load(config_path: str | None, overrides: dict, *, only: tuple[str, ...] = ()) -> Loaded:
    """Read config, seeds and topics. Bad seeds and topics are reported, not fatal."""
    from crawler import seeds

    config = config_mod.load(config_path, **overrides)
    for name in ("crawl_timeout", "delivery_interval", "shutdown_grace"):
        try:
            parse_duration(getattr(config, name), what=f"setting {name}")
        except ScheduleError as exc:
            raise config_mod.ConfigError(f"{config.path or 'settings'}: {exc}") from None
    good, problems = seeds.check_sources(config.sources_dir)
    sources = {s.name: s for s in good}
    if only:
        unknown = [n for n in only if n not in sources]
        if unknown:
            raise config_mod.ConfigError(
                f"unknown source(s) {', '.join(unknown)} in {config.sources_dir}")
        sources = {n: sources[n] for n in only}
    topics: list = []
    paths = [p for p in config_mod.topic_files(config) if p.exists()]
    missing = [str(p) for p in config_mod.topic_files(config) if not p.exists()]
    if missing:
        problems.append(f"topic file(s) not found: {', '.join(missing)}")
    if paths:
        from alerts import topics as topics_mod

        try:
            topics = list(topics_mod.load_topics(paths, config.aliases))
        except Exception as exc:  # a bad topic file must not stop crawling
            problems.append(f"topics not loaded: {exc}")
    return Loaded(config, sources, topics, problems)


def _schedule_key(source: Any) -> str:
    return repr(sorted(source.schedule.items()))


def _topic_key(topic: Any) -> str:
    return repr((getattr(topic, "query", None), getattr(topic, "sources", None),
                 getattr(topic, "channels", None), getattr(topic, "mode", None),
                 getattr(topic, "languages", None), getattr(topic, "max_age", None)))


def describe_changes(old: Loaded, new: Loaded) -> list[str]:
    """Human lines saying what a reload changed (empty list: nothing)."""
    lines = []
    added = sorted(set(new.sources) - set(old.sources))
    removed = sorted(set(old.sources) - set(new.sources))
    resched = sorted(n for n in set(new.sources) & set(old.sources)
                     if _schedule_key(new.sources[n]) != _schedule_key(old.sources[n]))
    edited = sorted(n for n in set(new.sources) & set(old.sources)
                    if n not in resched and new.sources[n] != old.sources[n])
    for label, names in (("sources added", added), ("sources removed", removed),
                         ("schedules changed", resched), ("sources edited", edited)):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    old_t = {t.name: _topic_key(t) for t in old.topics}
    new_t = {t.name: _topic_key(t) for t in new.topics}
    for label, names in (("topics added", sorted(set(new_t) - set(old_t))),
                         ("topics removed", sorted(set(old_t) - set(new_t))),
                         ("topics changed", sorted(n for n in set(new_t) & set(old_t)
                                                   if new_t[n] != old_t[n]))):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    for name in (s.name for s in config_mod.SETTINGS if s.name != "db"):
        a, b = getattr(old.config, name), getattr(new.config, name)
        if a != b:
            lines.append(f"setting {name}: {a!r} → {b!r}")
    if old.config.channels != new.config.channels:
        names = sorted(set(old.config.channels) | set(new.config.channels))
        changed = [n for n in names if old.config.channels.get(n) != new.config.channels.get(n)]
        lines.append(f"channels changed: {', '.join(changed)}")
    if old.config.db != new.config.db:
        lines.append(f"setting db changed to {new.config.db!r}: needs a restart, "
                     f"still using {old.config.db!r}")
    return lines
