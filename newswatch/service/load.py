"""What the service runs from: settings, sources and topics, loaded together, and what
changed between two loads (for SIGHUP)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from crawler.database import redacted
from newswatch import config as config_mod

log = logging.getLogger("newswatch.service")

@dataclass
class Loaded:
    config: config_mod.Config
    sources: dict[str, Any]
    topics: list
    problems: list[str] = field(default_factory=list)  # warnings: bad seed files

    def seconds(self, name: str) -> float:
        """A duration setting, in seconds (parsed once, at load)."""
        return float(getattr(self.config, name))


def load(config_path: str | None, overrides: dict, *, only: tuple[str, ...] = ()) -> Loaded:
    """Read and validate settings, channels, seeds and topics together.

    Raises :class:`newswatch.config.Problems` listing every problem of the settings, the
    channels, the topics and aliases, and the channel and source names topics use: the
    service never runs on half a configuration. A bad seed file only leaves its source
    out (``problems``): one source must not stop the others."""
    from alerts import topics as topics_mod
    from alerts.channels import BUILTIN
    from crawler import seeds

    config = config_mod.load(config_path, **overrides)
    good, problems = seeds.check_sources(config.sources_dir)
    sources = {s.name: s for s in good}
    errors: list[str] = []
    if only:
        unknown = [n for n in only if n not in sources]
        if unknown:
            errors.append(f"unknown source(s) {', '.join(unknown)} in {config.sources_dir}")
        sources = {n: sources[n] for n in only if n in sources}
    topics, topic_problems = topics_mod.check_topics(config.topics, config.aliases)
    errors += [str(p) for p in topic_problems]
    channels = set(BUILTIN) | set(config.channels)
    known_sources = {n.lower() for s in good for n in (s.name, s.site, s.title)}
    for t in topics:
        where = f"{t.file}: topic {t.name!r}"
        for name in t.channels:
            if name not in channels:
                errors.append(f"{where}: 'channels': unknown channel {name!r} "
                              f"(known: {', '.join(sorted(channels))})")
        for name in t.sources:
            if name.lower() not in known_sources:
                errors.append(f"{where}: 'sources': unknown source {name!r} (a source "
                              f"name in {config.sources_dir}, or its site)")
    if errors:
        raise config_mod.Problems(errors)
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
        if getattr(old.config, name) != getattr(new.config, name):
            lines.append(f"setting {name}: {old.config.text(name)!r} → "
                         f"{new.config.text(name)!r}")
    if old.config.channels != new.config.channels:
        names = sorted(set(old.config.channels) | set(new.config.channels))
        changed = [n for n in names if old.config.channels.get(n) != new.config.channels.get(n)]
        lines.append(f"channels changed: {', '.join(changed)}")
    if old.config.db != new.config.db:
        lines.append(f"setting db changed to {redacted(new.config.db)!r}: needs a restart, "
                     f"still using {redacted(old.config.db)!r}")
    return lines
