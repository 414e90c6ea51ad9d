"""Archive article → story → matcher → outbox → signed webhook at a real receiver; the
second outlet of a story is "also published by", never a second alert; baseline
articles never alert."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from alerts import matcher, outbox
from alerts.delivery import deliver_due
from alerts.topics import load_topics
from crawler import archive
from tests.support.archive_articles import add_article
from tests.support.outbox_rows import DeliveryConfig
from tests.support.webhook_receiver import WebhookReceiver
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import archive_target, postgres_server  # noqa: F401

SECRET = "whsec_" + base64.b64encode(b"end-to-end-secret-for-newswatch!").decode()
BODY = ("工业和信息化部今天发布关于加强芯片产业链供应链安全的指导意见，提出到二〇二七年，"
        "集成电路关键材料和设备的自主保障能力明显增强，重点企业研发投入持续增加。") * 3


def test_article_to_receiver(tmp_path, monkeypatch, archive_target):
    monkeypatch.setenv("E2E_SECRET", SECRET)
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "chips"\ntitle = "芯片"\nquery = "芯片"\nchannels = ["hook"]\n',
        encoding="utf-8")
    (tmp_path / "aliases.toml").write_text("", encoding="utf-8")
    topics = load_topics([tmp_path / "topics.toml"], tmp_path / "aliases.toml")
    db = open_archive(archive_target)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    add_article(db, title="芯片旧闻", body=BODY + "旧", baseline=1, site="工信部")
    first = add_article(db, title="关于加强芯片产业链安全的指导意见", body=BODY, site="工信部",
                        source="miit", published=now.isoformat())
    matcher.run_once(db, topics, now=now)
    with WebhookReceiver(SECRET) as rx:
        cfg = DeliveryConfig(db=archive_target, channels={"hook": {
            "type": "webhook", "url": rx.url, "secret": "${E2E_SECRET}",
            "allow_private": True}})
        # The same story republished by another outlet before delivery.
        add_article(db, title="工信部：加强芯片产业链安全", body=BODY + "（转载）", site="新华网",
                    source="xinhua", published=now.isoformat())
        matcher.run_once(db, topics, now=now)
        results = deliver_due(db, cfg, now=now)
    assert [r.outcome for r in results] == ["sent"]  # one story, one alert
    (req,) = rx.requests
    assert req.verified
    body = req.json
    assert body["article"]["id"] == first and body["topic"]["name"] == "chips"
    assert "芯片" in body["terms"] and "芯片" in body["snippet"]
    assert [m["site"] for m in body["story"]["also_published_by"]] == ["新华网"]
    assert outbox.counts(db)["sent"] == 1
