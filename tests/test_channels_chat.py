"""Chat bots against real local receivers: each in its own format, signed by its own
documented algorithm (checked by the receiver), split under its size limit, and its
error codes ending as retry or dead."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from alerts.delivery import deliver_due
from crawler import archive
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from tests.support.webhook_receiver import (Reply, WebhookReceiver, dingtalk_checker,
                                            feishu_checker)
from newswatch.storage import open_archive  # noqa: E402

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)
NEXT_DIGEST = datetime(2026, 11, 30, 0, 0, 30, tzinfo=timezone.utc)  # 08:00 Shanghai
DING_OK = Reply(200, body={"errcode": 0, "errmsg": "ok"})
FEISHU_OK = Reply(200, body={"code": 0, "msg": "success"})


@pytest.fixture
def db(tmp_path):
    return open_archive(tmp_path / "a.db")


def cfg(tmp_path, path=None, **channel):
    return DeliveryConfig(db=str(tmp_path / "a.db"), path=path,
                          channels={"bot": {"allow_private": True, "timeout": 5, **channel}})


def queue_many(db, n, *, mode="daily", snippet_len=300):
    for i in range(n):
        queue_alert(db, channels=["bot"], mode=mode, now=T0 + timedelta(seconds=i),
                    article_title=f"第{i}号公告：关于芯片产业的若干意见",
                    snippet="芯片" * (snippet_len // 2))


def test_dingtalk_signed_markdown(db, tmp_path, monkeypatch):
    monkeypatch.setenv("NW_DING_SECRET", "SECabc123dingtalk")
    with WebhookReceiver(checker=dingtalk_checker("SECabc123dingtalk"), default=DING_OK) as rx:
        queue_alert(db, channels=["bot"], now=T0, also=["人民网"])
        (res,) = deliver_due(db, cfg(tmp_path, type="dingtalk", url=rx.url + "?access_token=t0k",
                                     secret="${NW_DING_SECRET}"), now=T0)
    assert res.outcome == "sent", res.error
    (req,) = rx.requests
    assert req.verified, req.error
    assert req.query["access_token"] == "t0k"
    body = req.json
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "芯片出口管制"
    text = body["markdown"]["text"]
    assert "](https://news.example.cn/" in text and "同时刊发：人民网" in text  # zh default


def test_dingtalk_digest_split_under_20000_bytes(db, tmp_path):
    queue_many(db, 60, snippet_len=400)
    with WebhookReceiver(default=DING_OK) as rx:
        (res,) = deliver_due(db, cfg(tmp_path, type="dingtalk", url=rx.url), now=NEXT_DIGEST)
    assert res.outcome == "sent" and res.parts == len(rx.requests) > 1
    texts = [r.json["markdown"]["text"] for r in rx.requests]
    assert all(len(r.body) <= 20_000 for r in rx.requests)
    joined = "\n".join(texts)
    assert all(f"第{i}号公告" in joined for i in range(60))
    assert rx.requests[0].json["markdown"]["title"].endswith(f"(1/{res.parts})")


@pytest.mark.parametrize("errcode,outcome", [(310000, "dead"), (130101, "retry")])
def test_dingtalk_error_codes(db, tmp_path, errcode, outcome):
    with WebhookReceiver(default=Reply(200, body={"errcode": errcode, "errmsg": "x"})) as rx:
        queue_alert(db, channels=["bot"], now=T0)
        (res,) = deliver_due(db, cfg(tmp_path, type="dingtalk", url=rx.url), now=T0)
    assert res.outcome == outcome and f"bot error {errcode}" in res.error


def test_wecom_markdown_split_under_4096_bytes(db, tmp_path):
    queue_many(db, 12)
    with WebhookReceiver(default=Reply(200, body={"errcode": 0, "errmsg": "ok"})) as rx:
        (res,) = deliver_due(db, cfg(tmp_path, type="wecom", url=rx.url), now=NEXT_DIGEST)
    assert res.outcome == "sent" and res.parts > 1
    contents = [r.json["markdown"]["content"] for r in rx.requests]
    assert all(r.json["msgtype"] == "markdown" for r in rx.requests)
    assert all(len(c.encode()) <= 4096 for c in contents)
    assert all(f"第{i}号公告" in "".join(contents) for i in range(12))


def test_wecom_rate_limit_errcode_retries(db, tmp_path):
    with WebhookReceiver(default=Reply(200, body={"errcode": 45009, "errmsg": "freq"})) as rx:
        queue_alert(db, channels=["bot"], now=T0)
        (res,) = deliver_due(db, cfg(tmp_path, type="wecom", url=rx.url), now=T0)
    assert res.outcome == "retry" and len(rx.requests) == 1


@pytest.mark.parametrize("kind", ["feishu", "lark"])
def test_feishu_and_lark_signed_card(db, tmp_path, monkeypatch, kind):
    monkeypatch.setenv("NW_FEISHU_SECRET", "feishu-secret-xyz")
    with WebhookReceiver(checker=feishu_checker("feishu-secret-xyz"), default=FEISHU_OK) as rx:
        queue_alert(db, channels=["bot"], now=T0)
        (res,) = deliver_due(db, cfg(tmp_path, type=kind, url=rx.url,
                                     secret="${NW_FEISHU_SECRET}"), now=T0)
    assert res.outcome == "sent", res.error
    (req,) = rx.requests
    assert req.verified, req.error
    card = req.json["card"]
    assert req.json["msg_type"] == "interactive"
    assert card["header"]["title"]["content"] == "芯片出口管制"
    content = card["elements"][0]["content"]
    assert ("命中" in content) == (kind == "feishu") and ("matched" in content) == (kind == "lark")


def test_feishu_bad_sign_reply_is_dead(db, tmp_path):
    with WebhookReceiver(default=Reply(200, body={"code": 19021, "msg": "sign match fail"})) as rx:
        queue_alert(db, channels=["bot"], now=T0)
        (res,) = deliver_due(db, cfg(tmp_path, type="feishu", url=rx.url), now=T0)
    assert res.outcome == "dead" and "19021" in res.error


def test_slack_mrkdwn_escaped_and_english(db, tmp_path):
    with WebhookReceiver(default=Reply(200, body="ok")) as rx:
        queue_alert(db, channels=["bot"], now=T0, article_title="R&D <chips> & more")
        (res,) = deliver_due(db, cfg(tmp_path, type="slack", url=rx.url), now=T0)
    assert res.outcome == "sent"
    text = rx.requests[0].json["text"]
    assert "|R&amp;D &lt;chips&gt; &amp; more>*" in text and "matched: 芯片" in text


def test_slack_404_no_service_is_dead(db, tmp_path):
    with WebhookReceiver(default=Reply(404, body="no_service")) as rx:
        queue_alert(db, channels=["bot"], now=T0)
        (res,) = deliver_due(db, cfg(tmp_path, type="slack", url=rx.url), now=T0)
    assert res.outcome == "dead" and "404" in res.error


def test_custom_template_overrides_default(db, tmp_path):
    (tmp_path / "mine.j2").write_text("{% for a in items %}NEWS {{ a.article.title }}"
                                      "{% endfor %}", encoding="utf-8")
    with WebhookReceiver(default=Reply(200, body={"errcode": 0})) as rx:
        queue_alert(db, channels=["bot"], now=T0, article_title="标题")
        config = cfg(tmp_path, type="wecom", url=rx.url, template="mine.j2",
                     path=tmp_path / "newswatch.toml")
        (res,) = deliver_due(db, config, now=T0)
    assert res.outcome == "sent"
    assert json.loads(rx.requests[0].body)["markdown"]["content"] == "NEWS 标题"


def test_split_digest_resumes_after_the_accepted_parts(db, tmp_path):
    queue_many(db, 12)
    with WebhookReceiver(default=Reply(200, body={"errcode": 0, "errmsg": "ok"})) as rx:
        rx.script(Reply(200, body={"errcode": 0}), Reply(200, body={"errcode": 45009}))
        config = cfg(tmp_path, type="wecom", url=rx.url)
        (first,) = deliver_due(db, config, now=NEXT_DIGEST)
        assert first.outcome == "retry" and len(rx.requests) == 2
        (second,) = deliver_due(db, config, now=NEXT_DIGEST + timedelta(hours=2))
    assert second.outcome == "sent"
    contents = [r.json["markdown"]["content"] for r in rx.requests]
    accepted = [contents[0]] + contents[2:]  # the second request was refused, then resent
    assert len(accepted) == second.parts and contents[1] == contents[2]
    assert len(set(accepted)) == len(accepted)  # no part shown twice
    assert all(f"第{i}号公告" in "".join(accepted) for i in range(12))
