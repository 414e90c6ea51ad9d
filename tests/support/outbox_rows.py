"""Queue outbox rows for delivery tests through the public interface (``enqueue``), with a
real article, story and match behind each, and a config object for ``deliver_due``."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from alerts import outbox
from alerts.local_time import parse_quiet_hours
from alerts.settings import AlertSettings
from crawler import archive, times
from tests.support.archive_articles import add_article

_seq = itertools.count(1)


def DeliveryConfig(db: str, channels: dict[str, dict[str, Any]] | None = None, *,  # noqa: N802
                   path: Path | None = None, timezone: str = "Asia/Shanghai",
                   delivery_max_age: str = "3d", digest_time: str = "08:00",
                   quiet_hours: str = "", delivery_backoff: str = "30s") -> AlertSettings:
    """Typed ``alerts`` settings from the texts a config file would hold."""
    return AlertSettings(
        channels=channels or {}, config_path=path, data_dir=Path(db).parent,
        timezone=times.zone(timezone),
        delivery_max_age_s=times.parse_duration(delivery_max_age),
        delivery_backoff_s=times.parse_duration(delivery_backoff),
        digest_time=times.parse_clock(digest_time),
        quiet_hours=parse_quiet_hours(quiet_hours))


def queue_alert(db, *, topic: str = "chips", title: str = "芯片出口管制",
                channels=("hook",), mode: str = "immediate", now: datetime | None = None,
                article_title: str | None = None, site: str = "新华网",
                also: list[str] = (), terms=("芯片",), snippet: str = "……芯片出口……"
                ) -> list[int]:
    """One article (and ``also``: same-story articles from other sites) matched by
    ``topic``; returns the new outbox ids."""
    n = next(_seq)
    article_id = add_article(db, title=article_title or f"关于芯片的通知 {n}", body="正文 " * 30,
                             site=site, source="xinhua")
    story_id = db["stories"].insert({"first_article_id": article_id, "lang": "zh",
                                     "title": "story", "size": 1 + len(also)}).last_pk
    db["story_members"].insert({"article_id": article_id, "story_id": story_id,
                                "similarity": 1.0, "site": site, "source": "xinhua"})
    for other in also:
        aid = add_article(db, title=f"转载：芯片 {n}", body="转载正文 " * 30, site=other,
                          source=other)
        db["story_members"].insert({"article_id": aid, "story_id": story_id,
                                    "similarity": 0.9, "site": other, "source": other})
    stamp = times.utc_stamp(now or datetime.now(timezone.utc))
    hits = json.dumps([{"term": t, "field": "body", "at": [[0, len(t)]]} for t in terms],
                      ensure_ascii=False)
    with archive.immediate(db):
        match_id = db.execute(
            "INSERT INTO matches (article_id, topic, story_id, first_for_story, terms, "
            "snippet, created) VALUES (?, ?, ?, 1, ?, ?, ?)",
            [article_id, topic, story_id, hits, snippet, stamp]).lastrowid
        return outbox.enqueue(db, topic=_Topic(topic, title), story_id=story_id,
                              article_id=article_id, match_id=match_id,
                              channels=list(channels), mode=mode, now=now)


@dataclass
class _Topic:
    name: str
    title: str
