"""E-mail through a real SMTP server (aiosmtpd): STARTTLS and login, UTF-8 subject and
names, both parts; an alert and a digest each make one message."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alerts import outbox
from alerts.delivery import deliver_due
from crawler import archive
from tests.support.outbox_rows import DeliveryConfig, queue_alert
from tests.support.smtp_server import SmtpServer
from newswatch.storage import open_archive  # noqa: E402

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    return open_archive(tmp_path / "a.db")


def email_config(tmp_path, smtp, **extra):
    return DeliveryConfig(db=str(tmp_path / "a.db"), channels={"mail": {
        "type": "email", "host": smtp.host, "port": smtp.port, "from": "新闻监测 <bot@example.cn>",
        "to": ["张三 <zhang@example.cn>", "desk@example.com"], "timeout": 10, **extra}})


def test_starttls_login_multipart_utf8(db, tmp_path, monkeypatch):
    monkeypatch.setenv("NW_SMTP_PASSWORD", "s3cret-pw")
    with SmtpServer(starttls=True, login=("bot", "s3cret-pw")) as smtp:
        (rid,) = queue_alert(db, channels=["mail"], now=T0, article_title="关于芯片出口的公告",
                             also=["人民网"])
        cfg = email_config(tmp_path, smtp, security="starttls", username="bot",
                           password="${NW_SMTP_PASSWORD}", verify_tls=False)
        (res,) = deliver_due(db, cfg, now=T0)
        assert res.outcome == "sent", res.error
        (msg,) = smtp.wait_for(1)
        env = smtp.envelopes[0]
    assert env.mail_from == "bot@example.cn"
    assert sorted(env.rcpt_tos) == ["desk@example.com", "zhang@example.cn"]
    raw_headers = env.original_content.split(b"\r\n\r\n", 1)[0].lower()
    # RFC 2047 words on the wire, not raw UTF-8 bytes in headers.
    assert raw_headers.isascii() and b"=?utf-8?" in raw_headers.split(b"subject:", 1)[1]
    assert msg["Subject"] == "[newswatch] 芯片出口管制: 关于芯片出口的公告"
    assert msg["From"].addresses[0].display_name == "新闻监测"
    assert msg["Message-ID"] == f"<{outbox.get(db, rid)['key']}@newswatch>"
    assert msg.is_multipart()
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "关于芯片出口的公告" in text and "人民网" in text
    assert "<a href=\"https://" in html and "关于芯片出口的公告" in html


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_wrong_password_is_permanent_and_secret_not_recorded(db, tmp_path, monkeypatch):
    monkeypatch.setenv("NW_SMTP_PASSWORD", "wrong-password-here")
    with SmtpServer(login=("bot", "right")) as smtp:
        (rid,) = queue_alert(db, channels=["mail"], now=T0)
        cfg = email_config(tmp_path, smtp, security="none", username="bot",
                           password="${NW_SMTP_PASSWORD}")
        (res,) = deliver_due(db, cfg, now=T0)
    assert res.outcome == "dead" and res.status == 535
    assert "wrong-password-here" not in str(outbox.attempts_of(db, rid))


def test_daily_digest_is_one_message(db, tmp_path):
    with SmtpServer() as smtp:
        cfg = email_config(tmp_path, smtp, security="none")
        for i in range(3):
            queue_alert(db, channels=["mail"], mode="daily", now=T0 + timedelta(minutes=i),
                        article_title=f"文章 {i}")
        assert deliver_due(db, cfg, now=T0 + timedelta(hours=1)) == []  # 11:00 local: wait
        # 08:00 Shanghai the next day is 00:00 UTC.
        (res,) = deliver_due(db, cfg, now=datetime(2026, 11, 30, 0, 1, tzinfo=timezone.utc))
        assert res.kind == "digest" and res.outcome == "sent"
        (msg,) = smtp.wait_for(1)
    assert msg["Subject"] == "[newswatch] 芯片出口管制: 3 alerts"
    body = msg.get_body(("plain",)).get_content()
    assert all(f"文章 {i}" in body for i in range(3))
    assert outbox.counts(db)["sent"] == 4  # the digest and its three alerts
