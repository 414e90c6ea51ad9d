"""Digests across a restart, quiet hours that defer and never drop, per-channel rate
limits shared between runs, and requeueing dead letters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alerts import outbox
from alerts.delivery import deliver_due, run_digests
from crawler import archive
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from newswatch.storage import open_archive  # noqa: E402

UTC = timezone.utc
# 2026-11-29 10:00 in Shanghai.
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def jsonl_config(tmp_path, **extra):
    return DeliveryConfig(db=str(tmp_path / "a.db"),
                          channels={"file": {"type": "jsonl", "path": str(tmp_path / "out.jsonl"),
                                             **extra.pop("channel", {})}}, **extra)


def lines(tmp_path):
    import json

    path = tmp_path / "out.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] \
        if path.exists() else []


def test_daily_digest_covers_everything_since_the_last_one_across_restart(tmp_path):
    cfg = jsonl_config(tmp_path)
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], mode="daily", now=T0, article_title="A")
    queue_alert(db, channels=["file"], mode="daily", now=T0 + timedelta(hours=5),
                article_title="B")
    assert deliver_due(db, cfg, now=T0 + timedelta(hours=6)) == []  # before 08:00 local
    db.conn.close()

    # "Restart" (a new connection, nothing in memory) after the digest time was missed.
    db = open_archive(tmp_path / "a.db")
    late = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)  # 11:30 local, 3.5 h after 08:00
    queue_alert(db, channels=["file"], mode="daily", now=late - timedelta(minutes=5),
                article_title="C")  # after the digest time: goes in the next digest
    (res,) = deliver_due(db, cfg, now=late)
    assert res.kind == "digest" and res.outcome == "sent"
    (first,) = lines(tmp_path)
    assert first["type"] == "newswatch.digest" and first["count"] == 2
    assert [a["article"]["title"] for a in first["alerts"]] == ["A", "B"]
    assert first["period"]["end"] == "2026-11-30T00:00:00+00:00"
    assert run_digests(db, cfg, now=late) == []  # built once per slot

    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], mode="daily", now=late + timedelta(hours=2),
                article_title="D")
    (res2,) = deliver_due(db, cfg, now=datetime(2026, 12, 1, 0, 0, 5, tzinfo=UTC))
    second = lines(tmp_path)[1]
    assert [a["article"]["title"] for a in second["alerts"]] == ["C", "D"]
    assert second["period"]["start"] == first["period"]["end"]  # since the last digest
    assert outbox.counts(db) == {"pending": 0, "waiting": 0, "sent": 6, "dead": 0}


def test_hourly_digest_at_the_top_of_the_hour(tmp_path):
    cfg = jsonl_config(tmp_path)
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], mode="hourly", now=T0 + timedelta(minutes=10))
    assert deliver_due(db, cfg, now=T0 + timedelta(minutes=50)) == []
    (res,) = deliver_due(db, cfg, now=T0 + timedelta(hours=1, seconds=1))
    assert res.kind == "digest" and lines(tmp_path)[0]["count"] == 1


def test_quiet_hours_defer_then_deliver(tmp_path):
    cfg = jsonl_config(tmp_path, quiet_hours="22:00-07:00")
    db = open_archive(tmp_path / "a.db")
    night = datetime(2026, 11, 29, 15, 30, tzinfo=UTC)  # 23:30 local
    (rid,) = queue_alert(db, channels=["file"], now=night)
    (res,) = deliver_due(db, cfg, now=night)
    assert res.outcome == "deferred" and res.due == "2026-11-29T23:00:00+00:00"  # 07:00 local
    assert lines(tmp_path) == [] and outbox.get(db, rid)["state"] == "pending"
    (res,) = deliver_due(db, cfg, now=datetime(2026, 11, 29, 23, 0, 1, tzinfo=UTC))
    assert res.outcome == "sent" and len(lines(tmp_path)) == 1


def test_channel_quiet_hours_win_over_global(tmp_path):
    cfg = jsonl_config(tmp_path, quiet_hours="22:00-07:00",
                       channel={"quiet_hours": "12:00-13:00"})
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], now=T0)
    (res,) = deliver_due(db, cfg, now=datetime(2026, 11, 29, 15, 30, tzinfo=UTC))
    assert res.outcome == "sent"


def test_rate_limit_defers_the_rest_and_holds_across_runs(tmp_path):
    cfg = jsonl_config(tmp_path, channel={"rate_limit": "3/min"})
    db = open_archive(tmp_path / "a.db")
    for _ in range(5):
        queue_alert(db, channels=["file"], now=T0)
    results = deliver_due(db, cfg, now=T0)
    assert sorted(r.outcome for r in results) == ["deferred"] * 2 + ["sent"] * 3
    # A new run 30 s later still sees the three sends of the last minute.
    assert deliver_due(db, cfg, now=T0 + timedelta(seconds=30)) == []
    later = deliver_due(db, cfg, now=T0 + timedelta(seconds=61))
    assert [r.outcome for r in later] == ["sent", "sent"]
    assert len(lines(tmp_path)) == 5


def test_unknown_channel_is_dead_and_retry_dead_requeues(tmp_path):
    cfg = jsonl_config(tmp_path)
    db = open_archive(tmp_path / "a.db")
    (rid,) = queue_alert(db, channels=["nowhere"], now=T0)
    (res,) = deliver_due(db, cfg, now=T0)
    assert res.outcome == "dead" and "[channels.nowhere]" in res.error
    cfg.channels["nowhere"] = {"type": "jsonl", "path": str(tmp_path / "out.jsonl")}
    assert outbox.requeue(db, dead=True, now=T0) == [rid]
    (res,) = deliver_due(db, cfg, now=T0 + timedelta(seconds=1))
    assert res.outcome == "sent" and lines(tmp_path)[0]["id"] == outbox.get(db, rid)["key"]


def test_dead_digest_takes_members_and_requeue_brings_them_back(tmp_path):
    cfg = DeliveryConfig(db=str(tmp_path / "a.db"), channels={"file": {
        "type": "jsonl", "path": str(tmp_path / "no" / "such" / "\0bad")}})
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], mode="hourly", now=T0)
    (res,) = deliver_due(db, cfg, now=T0 + timedelta(hours=1))
    assert res.outcome == "retry"
    (res,) = deliver_due(db, cfg, now=T0 + timedelta(days=4))
    assert res.outcome == "dead" and outbox.counts(db)["dead"] == 2
    assert len(outbox.requeue(db, [res.id])) == 1
    assert outbox.counts(db) == {"pending": 1, "waiting": 1, "sent": 0, "dead": 0}


def test_retry_dead_keeps_a_digests_members_and_sends_them(tmp_path):
    # `alerts retry --dead` selects the dead digest and its dead members together; the
    # members must stay in their digest, which is then sent with all of them.
    from click.testing import CliRunner

    from newswatch.cli import main

    out = tmp_path / "out.jsonl"
    broken = DeliveryConfig(db=str(tmp_path / "a.db"), channels={"file": {
        "type": "jsonl", "path": str(tmp_path / "no" / "such" / "\0bad")}})
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file"], mode="hourly", now=T0, article_title="A")
    queue_alert(db, channels=["file"], mode="hourly", now=T0, article_title="B")
    deliver_due(db, broken, now=T0 + timedelta(hours=1))
    (dead,) = deliver_due(db, broken, now=T0 + timedelta(days=4))
    assert dead.kind == "digest" and outbox.counts(db)["dead"] == 3
    result = CliRunner().invoke(main, ["alerts", "retry", "--dead", "--db",
                                       str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    fixed = DeliveryConfig(db=str(tmp_path / "a.db"),
                           channels={"file": {"type": "jsonl", "path": str(out)}})
    db = open_archive(tmp_path / "a.db")
    (res,) = deliver_due(db, fixed, now=datetime.now(UTC) + timedelta(minutes=1))
    assert res.id == dead.id and res.outcome == "sent"
    import json

    (digest,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert digest["count"] == 2
    assert sorted(a["article"]["title"] for a in digest["alerts"]) == ["A", "B"]
    assert outbox.counts(db) == {"pending": 0, "waiting": 0, "sent": 3, "dead": 0}


@pytest.mark.parametrize("text", ["25:00-07:00", "22:00", "soon"])
def test_bad_quiet_hours_is_a_clear_error(tmp_path, text):
    from alerts.channels import ChannelConfigError, build_channels

    with pytest.raises(ChannelConfigError, match="quiet_hours"):
        build_channels(jsonl_config(tmp_path, channel={"quiet_hours": text}))


def test_many_batches_and_limit(tmp_path, monkeypatch):
    from alerts import delivery

    monkeypatch.setattr(delivery, "BATCH", 2)
    cfg = jsonl_config(tmp_path)
    db = open_archive(tmp_path / "a.db")
    for _ in range(7):
        queue_alert(db, channels=["file"], now=T0)
    assert len(deliver_due(db, cfg, now=T0, limit=3)) == 3
    assert len(deliver_due(db, cfg, now=T0)) == 4  # every remaining batch, not just one
    assert len(lines(tmp_path)) == 7 and outbox.counts(db)["sent"] == 7


def test_one_broken_channel_never_holds_up_the_others(tmp_path, caplog):
    # Validation at load keeps a bad table out of the service; should one still reach
    # delivery (alerts used on its own), the other channels deliver and its rows wait.
    cfg = DeliveryConfig(db=str(tmp_path / "a.db"), channels={
        "file": {"type": "jsonl", "path": str(tmp_path / "out.jsonl")},
        "bad": {"type": "jsonl", "quiet_hours": "22-07"}})
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["file", "bad"], now=T0, article_title="A")
    results = {r.channel: r for r in deliver_due(db, cfg, now=T0)}
    assert results["file"].outcome == "sent" and len(lines(tmp_path)) == 1
    assert results["bad"].outcome == "retry" and "invalid configuration" in results["bad"].error
    assert "[channels.bad] field 'quiet_hours'" in caplog.text
