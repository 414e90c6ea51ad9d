"""The apprise channel: a real Apprise json:// notification to the local receiver when the
optional package is installed, and a clear dead letter when it is not."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import pytest
from alerts.delivery import deliver_due
from crawler import archive
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from tests.support.webhook_receiver import WebhookReceiver
from newswatch.storage import open_archive  # noqa: E402

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


def config(tmp_path, urls):
    return DeliveryConfig(db=str(tmp_path / "a.db"),
                          channels={"phone": {"type": "apprise", "urls": urls}})


def test_missing_package_is_a_clear_dead_letter(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise -> ImportError
    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=["phone"], now=T0)
    (res,) = deliver_due(db, config(tmp_path, "json://127.0.0.1:9/x"), now=T0)
    assert res.outcome == "dead" and "pip install 'newswatch[apprise]'" in res.error


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_json_url_reaches_the_receiver(tmp_path, monkeypatch):
    pytest.importorskip("apprise")
    from alerts import secrets

    # The ${ENV} value is remembered as a secret for the rest of the process: a test of
    # its own keeps it from masking other tests' text.
    monkeypatch.setattr(secrets, "_known", set())
    monkeypatch.setenv("NW_APPRISE_PATH", "hook-5f2c9a71e3")
    db = open_archive(tmp_path / "a.db")
    with WebhookReceiver() as rx:
        queue_alert(db, channels=["phone"], now=T0, article_title="人形机器人新政")
        url = f"json://127.0.0.1:{rx.port}/${{NW_APPRISE_PATH}}"
        (res,) = deliver_due(db, config(tmp_path, [url]), now=T0)
    assert res.outcome == "sent", res.error
    (req,) = rx.requests
    assert req.path == "/hook-5f2c9a71e3"
    body = req.json
    assert "人形机器人新政" in body["message"] and "芯片出口管制" in body["title"]
