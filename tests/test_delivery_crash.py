"""Kill -9 the delivering process after it sent but before it recorded "sent": the next
run delivers the alert again under the same webhook-id. Nothing is lost. On SQLite and on
PostgreSQL, where the claim is FOR UPDATE SKIP LOCKED and the lease is the connection's."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from alerts import outbox
from alerts.delivery import deliver_due
from crawler import archive
from crawler.database import is_server_url
from tests.support.backends import archive_target, postgres_server  # noqa: F401
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from tests.support.webhook_receiver import Reply, WebhookReceiver
from newswatch.storage import open_archive  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"crash-test-secret-for-newswatch!").decode()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_kill_between_send_and_record_redelivers_same_id(tmp_path, monkeypatch,
                                                         archive_target):
    db_path = archive_target
    db = open_archive(db_path)
    with WebhookReceiver(SECRET) as rx:
        (rid,) = queue_alert(db, channels=["hook"])
        (tmp_path / "newswatch.toml").write_text(
            f'db = "{db_path}"\n[channels.hook]\ntype = "webhook"\nurl = "{rx.url}"\n'
            f'secret = "${{CRASH_HOOK_SECRET}}"\nallow_private = true\ntimeout = 30\n',
            encoding="utf-8")
        rx.script(Reply(200, delay=60))  # the receiver got it, the answer never comes
        env = {**os.environ, "CRASH_HOOK_SECRET": SECRET, "PYTHONPATH": ROOT}
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswatch", "--config", str(tmp_path / "newswatch.toml"),
             "deliver"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        try:
            (first,) = rx.wait_for(1, timeout=60)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        assert first.verified
        row = outbox.get(db, rid)
        assert row["state"] == "pending"
        # The lease names the holder: its pid on SQLite, its server connection on PostgreSQL.
        assert row["lease_pid"] == proc.pid if not is_server_url(db_path) else row["lease_pid"]

        # Restart: the dead process's lease is taken over at once; same id goes out again.
        monkeypatch.setenv("CRASH_HOOK_SECRET", SECRET)
        cfg = DeliveryConfig(db=str(db_path), channels={"hook": {
            "type": "webhook", "url": rx.url, "secret": "${CRASH_HOOK_SECRET}",
            "allow_private": True}})
        results = deliver_due(open_archive(db_path), cfg)
        assert [(r.id, r.outcome) for r in results] == [(rid, "sent")]
        assert len(rx.requests) == 2
        assert rx.requests[1].webhook_id == first.webhook_id == row["key"]
        assert rx.requests[1].verified
    assert outbox.get(db, rid)["state"] == "sent"


def test_two_delivering_processes_never_send_one_row_twice(tmp_path, archive_target):
    db_path = archive_target
    db = open_archive(db_path)
    with WebhookReceiver(SECRET, default=Reply(200, delay=0.2)) as rx:
        ids = [queue_alert(db, channels=["hook"])[0] for _ in range(12)]
        (tmp_path / "newswatch.toml").write_text(
            f'db = "{db_path}"\n[channels.hook]\ntype = "webhook"\nurl = "{rx.url}"\n'
            f'secret = "{SECRET}"\nallow_private = true\n', encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": ROOT}
        procs = [subprocess.Popen(
            [sys.executable, "-m", "newswatch", "--config", str(tmp_path / "newswatch.toml"),
             "deliver", "--json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    webhook_ids = rx.ids()
    assert len(webhook_ids) == len(set(webhook_ids)) == 12
    assert all(outbox.get(db, i)["state"] == "sent" for i in ids)
