"""Channel config validation (errors name file, channel and field), secrets that never
show, the SSRF guard, splitting, and the commands a new user runs first."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from alerts import secrets, splitting, ssrf
from alerts.channels import ChannelConfigError, build_channels
from newswatch import config as config_mod
from newswatch.cli import main
from tests.support.webhook_receiver import Reply, WebhookReceiver

ROOT = Path(__file__).resolve().parent.parent
from newswatch.storage import open_archive  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"config-test-secret-32-bytes-long").decode()


def load(tmp_path, text: str):
    path = tmp_path / "newswatch.toml"
    path.write_text(f'db = "{tmp_path / "a.db"}"\n' + text, encoding="utf-8")
    return config_mod.load(path)


@pytest.mark.parametrize("table,field,words", [
    ('type = "webhok"', "type", "must be one of"),
    ('type = "webhook"', "url", "required"),
    ('type = "webhook"\nurl = "ftp://x.example/"', "url", "http(s)"),
    ('type = "webhook"\nurl = "https://x.example/"\nsecret = "plain"', "secret", "whsec_"),
    ('type = "slack"\nurl = "https://x.example/"\ncolour = "red"', "colour", "unknown field"),
    ('type = "dingtalk"\nurl = "https://x.example/"\nrate_limit = "lots"', "rate_limit",
     "not a rate"),
    ('type = "email"\nhost = "smtp.x"\nfrom = "bot"\nto = "a@b.cn"', "from", "not an e-mail"),
    ('type = "email"\nhost = "smtp.x"\nfrom = "a@b.cn"\nto = "a@b.cn"\nsecurity = "ssl"',
     "security", "starttls, tls or none"),
    ('type = "wecom"\nurl = "https://x.example/"\ntimeout = "fast"', "timeout", "must be"),
    ('type = "console"\nlanguage = "fr"', "language", "zh, en"),
    ('type = "feishu"\nurl = "https://x.example/"\ntemplate = "missing.j2"', "template",
     "not found"),
])
def test_errors_name_file_channel_and_field(tmp_path, table, field, words):
    # The whole configuration is validated when it loads, channels included.
    with pytest.raises(config_mod.ConfigError) as exc:
        load(tmp_path, f"[channels.alarm]\n{table}\n")
    message = str(exc.value)
    assert str(tmp_path / "newswatch.toml") in message and "[channels.alarm]" in message
    assert f"'{field}'" in message and words in message


def test_template_syntax_error_is_named(tmp_path):
    (tmp_path / "bad.j2").write_text("{% for %}", encoding="utf-8")
    with pytest.raises(config_mod.ConfigError, match=r"field 'template'.*bad\.j2:1"):
        load(tmp_path, '[channels.c]\ntype = "console"\ntemplate = "bad.j2"\n')


def test_defaults_exist_with_no_config(tmp_path):
    channels = build_channels(config_mod.load(None, db=str(tmp_path / "x.db")).alerts)
    assert {"console", "jsonl"} <= set(channels)
    assert channels["jsonl"].path == tmp_path / "alerts.jsonl"


def test_secret_expansion_and_redaction(monkeypatch):
    monkeypatch.setenv("NW_T", "abcd1234")
    assert secrets.expand("https://x/?k=${NW_T}", where="w") == "https://x/?k=abcd1234"
    with pytest.raises(secrets.SecretError, match="NW_MISSING is not set"):
        secrets.expand("${NW_MISSING}", where="w")
    secrets.remember("abcd1234")
    assert secrets.mask("failed: abcd1234 refused") == "failed: *** refused"
    assert secrets.mask("failed at https://x/?k=abcd1234") == "failed at https://x?k=***"
    assert secrets.safe_url("https://oapi.dingtalk.com/robot/send?access_token=abc") == \
        "https://oapi.dingtalk.com/…"


@pytest.mark.parametrize("address,internal", [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("169.254.169.254", True),
    ("::1", True), ("fe80::1", True), ("::ffff:127.0.0.1", True), ("0.0.0.0", True),
    ("8.8.8.8", False), ("2400:3200::1", False)])
def test_ssrf_address_classes(address, internal):
    assert ssrf.is_internal(address) is internal


def test_split_keeps_everything_in_order_under_the_limit():
    text = "\n\n".join(f"条目{i} " + "字" * (i * 37 % 300) for i in range(80))
    parts = splitting.split_text(text, 1000, measure=splitting.utf8_len)
    assert len(parts) > 1 and all(splitting.utf8_len(p) <= 1000 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    long_line = "x" * 2500
    assert [len(p) for p in splitting.split_text(long_line, 1000)] == [1000, 1000, 500]


def test_alerts_test_command_reports_and_never_prints_the_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("NW_HOOK_SECRET", SECRET)
    with WebhookReceiver(SECRET) as rx:
        rx.script(200, Reply(401, body="bad token " + SECRET))
        path = tmp_path / "newswatch.toml"
        path.write_text(f'db = "{tmp_path / "a.db"}"\n[channels.hook]\ntype = "webhook"\n'
                        f'url = "{rx.url}"\nsecret = "${{NW_HOOK_SECRET}}"\n'
                        f'allow_private = true\n', encoding="utf-8")
        runner = CliRunner()
        ok = runner.invoke(main, ["--config", str(path), "alerts", "test", "hook"])
        bad = runner.invoke(main, ["--config", str(path), "alerts", "test", "hook"])
        missing = runner.invoke(main, ["--config", str(path), "alerts", "test", "nope"])
    assert ok.exit_code == 0 and "ok: channel 'hook'" in ok.output, ok.output
    assert rx.requests[0].verified and rx.requests[0].json["test"] is True
    assert bad.exit_code == 1 and "permanent" in bad.output and "401" in bad.output
    assert SECRET not in ok.output + bad.output and "***" in bad.output
    assert missing.exit_code == 1 and "no channel 'nope'" in missing.output


def test_deliver_and_alerts_commands(tmp_path):
    from alerts import outbox
    from crawler import archive
    from tests.support.outbox_rows import queue_alert

    db = open_archive(tmp_path / "a.db")
    (good,) = queue_alert(db, channels=["jsonl"])
    (bad,) = queue_alert(db, channels=["gone"])
    runner = CliRunner()
    args = ["alerts", "--db", str(tmp_path / "a.db")]
    out = runner.invoke(main, ["deliver", "--db", str(tmp_path / "a.db")])
    assert out.exit_code == 0, out.output
    assert "2 due: 1 sent, 0 retry, 0 deferred, 1 dead." in out.output
    assert json.loads((tmp_path / "alerts.jsonl").read_text().splitlines()[0])["id"] == \
        outbox.get(db, good)["key"]
    listed = runner.invoke(main, args + ["--status", "dead", "--json"])
    assert [json.loads(x)["id"] for x in listed.output.splitlines()] == [bad]
    shown = runner.invoke(main, ["alerts", "show", str(bad), "--db", str(tmp_path / "a.db")])
    assert "[channels.gone]" in shown.output and "dead" in shown.output
    again = runner.invoke(main, ["alerts", "retry", "--dead", "--db", str(tmp_path / "a.db")])
    assert f"requeued 1: {bad}" in again.output
    assert outbox.get(db, bad)["state"] == "pending"
    none = runner.invoke(main, ["alerts", "retry", "--db", str(tmp_path / "a.db")])
    assert none.exit_code == 2 and "--dead" in none.output


def test_example_config_and_its_commented_channels_validate(tmp_path):
    import re

    text = (ROOT / "newswatch.toml.example").read_text(encoding="utf-8")
    assert sorted(build_channels(config_mod.load(ROOT /
                                                 "newswatch.toml.example").alerts)) == ["console", "jsonl"]
    # Uncomment every example channel table and field: each must still be valid.
    lines = []
    for line in text.splitlines():
        m = re.match(r"^# ?((\[channels\.|[a-z_]+ = ).*)$", line)
        lines.append(m.group(1) if m else line)
    full = "\n".join(lines)
    full = re.sub(r'(?m)^(db|topics|subject_template) = .*$', "", full)
    path = tmp_path / "full.toml"
    path.write_text(f'db = "{tmp_path / "a.db"}"\n' + full, encoding="utf-8")
    channels = build_channels(config_mod.load(path).alerts)
    assert {"team-hook", "dingtalk", "wecom", "feishu", "slack", "email", "phone"} <= set(channels)


def test_plain_http_is_pinned_to_the_checked_address(monkeypatch):
    import asyncio

    import httpx

    from alerts.channels.webhook import WebhookChannel

    assert ssrf.pinned("http://u:p@hooks.example.com:8080/x?y=1", "93.184.216.34") == (
        "http://u:p@93.184.216.34:8080/x?y=1", {"host": "hooks.example.com:8080"}, {})
    # Treat loopback as public for once: "localhost" is resolved, checked, and the request
    # goes to the checked address with the name in the Host header.
    import socket

    if socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)[0][0] != socket.AF_INET:
        pytest.skip("localhost resolves to IPv6 first here; the receiver listens on IPv4")
    monkeypatch.setattr(ssrf, "is_internal", lambda address: False)
    with WebhookReceiver() as rx:
        url = rx.url.replace("127.0.0.1", "localhost")
        ch = WebhookChannel("hook", {"type": "webhook", "url": url})

        async def go():
            async with httpx.AsyncClient() as client:
                return await ch.post(client, url, content=b"{}")

        outcome, _ = asyncio.run(go())
    assert outcome.ok and rx.requests[0].headers["host"] == f"localhost:{rx.port}"


def test_literal_tokens_in_urls_are_redacted_too():
    from alerts.channels.dingtalk import DingTalkChannel

    ch = DingTalkChannel("d", {"type": "dingtalk",
                               "url": "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456"})
    assert ch.redact("error at ...?access_token=abcdef123456") == "error at ...?access_token=***"
    slack = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"
    assert secrets.mask(f"POST {slack} failed") == "POST https://hooks.slack.com/… failed"


def test_retry_after_as_http_date():
    import email.utils
    from datetime import datetime, timedelta, timezone

    from alerts.channels.base import retry_after_seconds

    when = email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90),
                                       usegmt=True)
    assert 85 <= retry_after_seconds(when) <= 90
    assert retry_after_seconds("120") == 120 and retry_after_seconds("soon") is None


def test_no_config_alerts_show_on_console_and_jsonl(tmp_path, capsys):
    from alerts.delivery import deliver_due
    from crawler import archive
    from tests.support.outbox_rows import queue_alert

    db = open_archive(tmp_path / "a.db")
    queue_alert(db, channels=[], article_title="无需配置的提醒")  # [] = the defaults
    cfg = config_mod.load(None, db=str(tmp_path / "a.db"))
    results = deliver_due(db, cfg.alerts)
    assert sorted((r.channel, r.outcome) for r in results) == [("console", "sent"),
                                                              ("jsonl", "sent")]
    assert "无需配置的提醒" in capsys.readouterr().out
    line = json.loads((tmp_path / "alerts.jsonl").read_text(encoding="utf-8"))
    assert line["article"]["title"] == "无需配置的提醒"


def test_a_channel_value_error_is_not_reported_as_a_template_error(monkeypatch):
    from alerts import channels as channels_mod
    from alerts.channels.webhook import WebhookChannel

    class Picky(WebhookChannel):
        type = "picky"

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            raise ValueError("port 99999 is out of range")

    monkeypatch.setitem(channels_mod.TYPES, "picky", Picky)
    with pytest.raises(ChannelConfigError) as exc:
        channels_mod.build_channel("p", {"type": "picky", "url": "https://x.example/"},
                                   config_path="n.toml")
    assert "port 99999 is out of range" in str(exc.value) and "[channels.p]" in str(exc.value)
    assert "template" not in str(exc.value)


def test_a_template_error_names_the_field_that_holds_it(tmp_path):
    from alerts.channels import build_channel

    (tmp_path / "subject.j2").write_text("{% if %}", encoding="utf-8")
    with pytest.raises(ChannelConfigError) as exc:
        build_channel("mail", {"type": "email", "host": "smtp.x", "from": "a@b.cn",
                               "to": "c@d.cn", "subject_template": "subject.j2"},
                      config_path=tmp_path / "n.toml")
    assert "field 'subject_template'" in str(exc.value) and "subject.j2:1" in str(exc.value)
