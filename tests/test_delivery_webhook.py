"""Webhook delivery end to end against the real recording receiver: signatures verified by
the standardwebhooks package, and every failure case ending as specified."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from alerts import outbox
from alerts.delivery import deliver_due
from crawler import archive, times
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from tests.support.webhook_receiver import Reply, WebhookReceiver
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import archive_target, postgres_server  # noqa: F401

SECRET = "whsec_" + base64.b64encode(b"newswatch-test-secret-32-bytes!!").decode()
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai


@pytest.fixture
def rx():
    with WebhookReceiver(SECRET) as receiver:
        yield receiver


@pytest.fixture
def db(archive_target):
    return open_archive(archive_target)


def config_for(db, rx, tmp_path, **channel):
    return DeliveryConfig(db=str(tmp_path / "a.db"), channels={"hook": {
        "type": "webhook", "url": rx.url, "secret": "${NW_TEST_HOOK_SECRET}",
        "allow_private": True, "timeout": 1, "headers": {"X-Team": "desk"}, **channel}})


@pytest.fixture(autouse=True)
def secret_env(monkeypatch):
    monkeypatch.setenv("NW_TEST_HOOK_SECRET", SECRET)


def test_signed_payload_arrives_verified_and_is_recorded(db, rx, tmp_path):
    (rid,) = queue_alert(db, also=["人民网", "中国日报"], now=T0)
    results = deliver_due(db, config_for(db, rx, tmp_path), now=T0)
    assert [(r.id, r.outcome, r.status) for r in results] == [(rid, "sent", 200)]
    (req,) = rx.requests
    assert req.verified, req.error
    row = outbox.get(db, rid)
    assert req.webhook_id == row["key"] and req.headers["x-team"] == "desk"
    body = req.json
    assert body["type"] == "newswatch.alert" and body["id"] == row["key"]
    assert body["topic"] == {"name": "chips", "title": "芯片出口管制", "mode": "immediate"}
    assert body["article"]["site"] == "新华网" and body["article"]["url"].startswith("https://")
    assert [m["site"] for m in body["story"]["also_published_by"]] == ["人民网", "中国日报"]
    assert body["terms"] == ["芯片"] and body["snippet"]
    assert row["state"] == "sent" and row["sent"] == times.utc_stamp(T0)
    assert [a["outcome"] for a in outbox.attempts_of(db, rid)] == ["sent"]
    # Nothing is due any more: a second run sends nothing.
    assert deliver_due(db, config_for(db, rx, tmp_path), now=T0) == []
    assert SECRET not in str(outbox.attempts_of(db, rid)) + str(row)


def test_500_twice_then_200_same_webhook_id_each_time(db, rx, tmp_path):
    rx.script(500, 500, 200)
    (rid,) = queue_alert(db, now=T0)
    cfg = config_for(db, rx, tmp_path)
    first = deliver_due(db, cfg, now=T0)
    assert first[0].outcome == "retry" and first[0].status == 500
    due1 = datetime.fromisoformat(first[0].due)
    assert T0 < due1 <= T0 + timedelta(seconds=30)  # full jitter within the first step
    assert deliver_due(db, cfg, now=T0) == []  # not due yet
    second = deliver_due(db, cfg, now=due1)
    assert second[0].outcome == "retry"
    third = deliver_due(db, cfg, now=datetime.fromisoformat(second[0].due))
    assert third[0].outcome == "sent"
    ids = rx.ids()
    assert len(ids) == 3 and len(set(ids)) == 1 and all(r.verified for r in rx.requests)
    assert [a["status"] for a in outbox.attempts_of(db, rid)] == [500, 500, 200]


def test_429_retry_after_is_honoured(db, rx, tmp_path):
    rx.script(Reply(429, retry_after=120))
    queue_alert(db, now=T0)
    (res,) = deliver_due(db, config_for(db, rx, tmp_path), now=T0)
    assert res.outcome == "retry" and res.status == 429
    assert res.due == times.utc_stamp(T0 + timedelta(seconds=120))


def test_410_is_permanent_dead_at_once(db, rx, tmp_path):
    rx.script(410)
    (rid,) = queue_alert(db, now=T0)
    (res,) = deliver_due(db, config_for(db, rx, tmp_path), now=T0)
    assert res.outcome == "dead" and res.status == 410
    assert outbox.get(db, rid)["state"] == "dead"
    assert outbox.counts(db)["dead"] == 1


def test_hang_past_timeout_retries(db, rx, tmp_path):
    rx.script(Reply(200, delay=3))
    (rid,) = queue_alert(db, now=T0)
    (res,) = deliver_due(db, config_for(db, rx, tmp_path, timeout=0.5), now=T0)
    assert res.outcome == "retry" and "timed out" in res.error
    assert outbox.get(db, rid)["state"] == "pending"


def test_refused_connection_retries_then_dies_after_max_age(db, rx, tmp_path):
    (rid,) = queue_alert(db, now=T0)
    cfg = config_for(db, rx, tmp_path)
    rx.down()
    res = deliver_due(db, cfg, now=T0)[0]
    assert res.outcome == "retry" and "ConnectError" in res.error
    late = deliver_due(db, cfg, now=T0 + timedelta(days=3, seconds=1))[0]
    assert late.outcome == "dead" and "max age" in late.error
    assert outbox.get(db, rid)["state"] == "dead"
    assert [a["outcome"] for a in outbox.attempts_of(db, rid)] == ["retry", "dead"]


def test_private_address_refused_without_allow_private(db, rx, tmp_path):
    (rid,) = queue_alert(db, now=T0)
    (res,) = deliver_due(db, config_for(db, rx, tmp_path, allow_private=False), now=T0)
    assert res.outcome == "dead" and "allow_private" in res.error
    assert rx.requests == []


def test_missing_secret_env_is_retried_and_named(db, rx, tmp_path, monkeypatch):
    monkeypatch.delenv("NW_TEST_HOOK_SECRET")
    queue_alert(db, now=T0)
    (res,) = deliver_due(db, config_for(db, rx, tmp_path), now=T0)
    assert res.outcome == "retry" and "NW_TEST_HOOK_SECRET is not set" in res.error
    assert rx.requests == []


def test_every_attempt_is_logged_and_secrets_never_are(db, rx, tmp_path, caplog):
    import logging

    rx.script(Reply(500, body=f"upstream said {SECRET}"), Reply(401, body=f"bad key {SECRET}"))
    (rid,) = queue_alert(db, now=T0)
    cfg = config_for(db, rx, tmp_path)
    with caplog.at_level(logging.INFO, logger="alerts.delivery"):
        retry = deliver_due(db, cfg, now=T0)[0]
        dead = deliver_due(db, cfg, now=datetime.fromisoformat(retry.due))[0]
    assert (retry.outcome, dead.outcome) == ("retry", "dead")
    logged = [r.getMessage() for r in caplog.records]
    assert len(logged) == 2 and "HTTP 500" in logged[0] and "HTTP 401" in logged[1]
    assert caplog.records[1].fields["outbox_id"] == rid
    stored = str(outbox.attempts_of(db, rid)) + str(outbox.get(db, rid))
    assert SECRET not in "".join(logged) + stored and "***" in stored


def test_a_hanging_channel_never_holds_up_another(db, tmp_path, monkeypatch):
    from alerts import delivery

    monkeypatch.setattr(delivery, "CONCURRENCY", 2)
    with WebhookReceiver(default=Reply(200, delay=3)) as slow:
        seen_slow: list[int] = []

        def note(req):  # when the fast channel is reached, how far the slow one got
            seen_slow.append(len(slow.requests))
            return None

        with WebhookReceiver(checker=note) as fast:
            cfg = DeliveryConfig(db=str(tmp_path / "a.db"), channels={
                "slow": {"type": "webhook", "url": slow.url, "allow_private": True,
                         "timeout": 0.5},
                "fast": {"type": "webhook", "url": fast.url, "allow_private": True}})
            for _ in range(30):
                queue_alert(db, channels=["slow"], now=T0)
            for _ in range(3):
                queue_alert(db, channels=["fast"], now=T0)
            results = deliver_due(db, cfg, now=T0)
    outcomes = sorted((r.channel, r.outcome) for r in results)
    assert outcomes.count(("fast", "sent")) == 3 and outcomes.count(("slow", "retry")) == 30
    # The fast channel was served while the slow one still had most of its rows to try.
    assert len(seen_slow) == 3 and max(seen_slow) < 15, seen_slow
