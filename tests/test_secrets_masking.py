"""Secrets never show: a ``${ENV}`` bearer token in a webhook's headers, a token in a URL's
query, DingTalk's access_token and a Slack webhook's path are masked in outbox.last_error,
attempts, the log, `alerts`, `alerts --json`, `alerts show`, `deliver --json` and
`alerts test`, even when the receiver quotes them back in its error."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from alerts import secrets
from newswatch.cli import main
from newswatch.storage import open_archive
from tests.support.outbox_rows import queue_alert
from tests.support.service_process import write_config
from tests.support.webhook_receiver import Reply, WebhookReceiver

BEARER = "brr-9f8e7d6c5b4a3210"
QUERY_TOKEN = "qtok-1a2b3c4d5e"
PATH_TOKEN = "PATHxSECRETx0123456789"
DING_TOKEN = "ding0123456789abcdef"
SLACK_PATH = "/services/T0AAA/B0BBB/SLACKxSECRETx98765"


@pytest.fixture
def env(tmp_path, monkeypatch):
    for var in ("NEWSWATCH_CONFIG", "NEWSWATCH_DB", "NEWSWATCH_DEFAULT_CHANNELS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NW_TEST_BEARER", BEARER)
    monkeypatch.setenv("NW_TEST_HOOK_URL_TOKEN", QUERY_TOKEN)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def everything_said(tmp_path, config, caplog, ids) -> str:
    """All the places a secret could show, as one text."""
    runner = CliRunner()
    said = []
    with caplog.at_level(logging.INFO):
        r = runner.invoke(main, ["--config", str(config), "deliver", "--json"])
        said.append(r.output)
    said += [r.getMessage() for r in caplog.records if r.name.startswith(("alerts", "newswatch"))]
    for args in (["alerts"], ["alerts", "--json"], *(["alerts", "show", str(i)] for i in ids),
                 ["alerts", "test", "hook"], ["alerts", "test", "ding"],
                 ["alerts", "test", "slack"]):
        r = runner.invoke(main, ["--config", str(config), *args])
        said.append(r.output)
    db = open_archive(tmp_path / "a.db")
    said += [r[0] or "" for r in db.execute("SELECT last_error FROM outbox").fetchall()]
    said += [r[0] or "" for r in db.execute("SELECT error FROM attempts").fetchall()]
    return "\n".join(said)


def test_no_secret_is_stored_logged_or_printed(env, caplog):
    tmp_path = env
    with WebhookReceiver() as rx:
        hook_url = f"{rx.url}/{PATH_TOKEN}?token=${{NW_TEST_HOOK_URL_TOKEN}}"
        ding_url = f"{rx.url}?access_token={DING_TOKEN}"
        slack_url = f"http://127.0.0.1:{rx.port}{SLACK_PATH}"
        # The receivers quote every secret back in their errors.
        echo = (f"denied Authorization: Bearer {BEARER} for {rx.url}/{PATH_TOKEN}"
                f"?token={QUERY_TOKEN} access_token={DING_TOKEN} path {SLACK_PATH}")
        rx.default = Reply(400, body=echo)
        config = write_config(tmp_path / "newswatch.toml", {"db": str(tmp_path / "a.db")}, {
            "hook": {"type": "webhook", "url": hook_url, "allow_private": True},
            "ding": {"type": "dingtalk", "url": ding_url, "allow_private": True},
            "slack": {"type": "slack", "url": slack_url, "allow_private": True}})
        config.write_text(config.read_text().replace(
            "[channels.ding]", '[channels.hook.headers]\nAuthorization = "Bearer '
            '${NW_TEST_BEARER}"\n\n[channels.ding]'), encoding="utf-8")
        db = open_archive(tmp_path / "a.db")
        ids = queue_alert(db, channels=["hook", "ding", "slack"])
        said = everything_said(tmp_path, config, caplog, ids)
        assert len(rx.requests) >= 6  # each channel was really tried, twice
        (hook,) = {r.headers.get("authorization") for r in rx.requests
                   if r.path.endswith(PATH_TOKEN)}
        assert hook == f"Bearer {BEARER}"  # the real value went to the receiver
    assert "denied" in said and "***" in said  # the errors are there, masked
    for secret in (BEARER, QUERY_TOKEN, PATH_TOKEN, DING_TOKEN, "SLACKxSECRETx98765",
                   SLACK_PATH):
        assert secret not in said, secret


def test_mask_hides_url_paths_and_query_values_it_never_saw():
    text = ("POST https://hooks.slack.com/services/T1/B2/abc failed; retry "
            "https://oapi.dingtalk.com/robot/send?access_token=zz&x=1 later")
    assert secrets.mask(text) == ("POST https://hooks.slack.com/… failed; retry "
                                  "https://oapi.dingtalk.com/…?access_token=***&x=*** later")
    said = "nothing to hide in this sentence"
    assert secrets.mask(None) is None and secrets.mask(said) == said


def test_env_values_are_masked_once_expanded(monkeypatch):
    monkeypatch.setenv("NW_TEST_PLAIN", "hunter2-but-longer")
    assert secrets.expand("${NW_TEST_PLAIN}", where="w") == "hunter2-but-longer"
    assert secrets.mask("login failed for hunter2-but-longer") == "login failed for ***"
    assert json.dumps(secrets.mask("a hunter2-but-longer b")) == '"a *** b"'
