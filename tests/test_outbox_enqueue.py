"""The outbox: one row per (story, topic, channel), never two, inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
from alerts import outbox
from crawler import archive, times
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import archive_target, postgres_server  # noqa: F401

T0 = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)


@dataclass
class FakeTopic:
    name: str
    title: str = ""
    channels: list[str] = field(default_factory=list)
    mode: str = "immediate"


@pytest.fixture
def db(archive_target):
    return open_archive(archive_target)


def test_one_row_per_channel_and_rerun_creates_none(db):
    topic = FakeTopic("chips", "芯片", ["hook", "mail"])
    with archive.immediate(db):
        ids = outbox.enqueue(db, topic=topic, story_id=7, article_id=70, match_id=3,
                             channels=topic.channels, mode="immediate", now=T0)
    assert len(ids) == 2
    with archive.immediate(db):
        again = outbox.enqueue(db, topic=topic, story_id=7, article_id=71, match_id=4,
                               channels=["hook", "mail"], mode="immediate", now=T0)
    assert again == []
    rows = outbox.list_rows(db)
    assert sorted(r["channel"] for r in rows) == ["hook", "mail"]
    assert {r["state"] for r in rows} == {"pending"}
    assert {r["due"] for r in rows} == {times.utc_stamp(T0)}
    assert len({r["key"] for r in rows}) == 2
    assert rows[0]["topic_title"] == "芯片"


def test_key_is_stable_and_depends_on_story_topic_channel():
    k = outbox.idempotency_key(1, "chips", "hook")
    assert k == outbox.idempotency_key(1, "chips", "hook")
    assert len({k, outbox.idempotency_key(2, "chips", "hook"),
                outbox.idempotency_key(1, "ai", "hook"),
                outbox.idempotency_key(1, "chips", "mail")}) == 4


def test_digest_modes_wait_and_no_channels_means_defaults(db):
    with archive.immediate(db):
        outbox.enqueue(db, topic=FakeTopic("ai", mode="daily"), story_id=1, article_id=1,
                       match_id=1, channels=[], mode=None, now=T0)
    rows = outbox.list_rows(db)
    assert sorted(r["channel"] for r in rows) == sorted(outbox.DEFAULT_CHANNELS)
    assert {r["state"] for r in rows} == {"waiting"}
    assert {r["mode"] for r in rows} == {"daily"}


def test_enqueue_rolls_back_with_the_callers_transaction(db):
    with pytest.raises(RuntimeError):
        with archive.immediate(db):
            outbox.enqueue(db, topic="chips", story_id=1, article_id=1, match_id=1,
                           channels=["hook"], mode="immediate")
            raise RuntimeError("matcher failed later in the batch")
    assert outbox.list_rows(db) == []


def test_bad_mode_is_refused(db):
    with pytest.raises(ValueError, match="weekly"):
        outbox.enqueue(db, topic="chips", story_id=1, article_id=1, match_id=1,
                       channels=["hook"], mode="weekly")


def test_requeue_dead_and_notice_once(db):
    with archive.immediate(db):
        (rid,) = outbox.enqueue(db, topic="chips", story_id=1, article_id=1, match_id=1,
                                channels=["hook"], mode="immediate", now=T0)
        db.execute("UPDATE outbox SET state='dead', attempts=5 WHERE id=?", [rid])
    assert outbox.counts(db)["dead"] == 1
    assert outbox.requeue(db, dead=True, now=T0 + timedelta(days=4)) == [rid]
    row = outbox.get(db, rid)
    assert (row["state"], row["attempts"]) == ("pending", 0)
    first = outbox.enqueue_notice(db, channel="ops", key="down:x", title="Down", text="x")
    assert first and outbox.enqueue_notice(db, channel="ops", key="down:x",
                                           title="Down", text="x") is None
