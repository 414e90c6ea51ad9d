"""Settings parsed once into typed values and validated whole: every problem named at
once (file, key, what is expected), paths relative to the config file, `--config` after
the subcommand, read-only commands that create nothing, and the time vocabulary."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import times
from newswatch import config as config_mod
from newswatch.cli import main
from tests.support.service_process import REPO, write_config

ENV_VARS = [s.env for s in config_mod.SETTINGS if s.env] + ["NEWSWATCH_CONFIG"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def test_values_are_typed_once_at_load(tmp_path):
    path = write_config(tmp_path / "n.toml", {
        "db": str(tmp_path / "a.db"), "crawl_timeout": "90m", "story_window": "2d",
        "default_channels": ["console"], "digest_time": "07:30",
        "quiet_hours": "22:00-07:00", "timezone": "Europe/Paris"})
    cfg = config_mod.load(path)
    assert cfg.crawl_timeout == 5400.0 and cfg.story_window_days == 2.0
    assert cfg.default_channels == ("console",) and cfg.digest_time == time(7, 30)
    assert cfg.quiet_hours == (time(22, 0), time(7, 0))
    assert str(cfg.timezone) == "Europe/Paris" and cfg.text("crawl_timeout") == "90m"
    settings = cfg.alerts
    assert settings.timezone == cfg.timezone and settings.delivery_max_age_s == 3 * 86400
    assert settings.data_dir == tmp_path and settings.default_channels == ("console",)
    # The default channels are the same everywhere: config, matcher, outbox.
    from alerts import outbox
    from alerts.settings import DEFAULT_CHANNELS

    assert config_mod.load(None).default_channels == DEFAULT_CHANNELS
    assert outbox.DEFAULT_CHANNELS == DEFAULT_CHANNELS


def test_every_problem_is_named_at_once(tmp_path):
    path = write_config(tmp_path / "n.toml", {
        "timezone": "Mars/Olympus", "quiet_hours": "22-07", "delivery_interval": "soon",
        "default_channels": ["console", "team"], "ops_channel": "pager", "colour": "red"},
        channels={"tg": {"type": "telegram"}})
    with pytest.raises(config_mod.Problems) as exc:
        config_mod.load(path)
    problems = exc.value.problems
    assert len(problems) == 7, problems
    assert all(p.startswith(str(path)) for p in problems)
    text = "\n".join(problems)
    for words in ("unknown setting 'colour'", "'timezone': unknown time zone 'Mars/Olympus'",
                  "'quiet_hours': expected HH:MM-HH:MM", "'delivery_interval': expected a "
                  "number with unit", "[channels.tg] field 'type': must be one of",
                  "'default_channels': unknown channel 'team'",
                  "'ops_channel': unknown channel 'pager'"):
        assert words in text


def test_relative_paths_are_relative_to_the_config_file_and_tilde_expands(tmp_path,
                                                                           monkeypatch):
    etc = tmp_path / "etc" / "newswatch"
    etc.mkdir(parents=True)
    path = write_config(etc / "newswatch.toml", {
        "db": "../../var/nw.db", "topics": ["topics.toml", "~/more.toml"],
        "sources_dir": "sources", "aliases": "~/aliases.toml"})
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir("/")  # systemd starts the service from /
    cfg = config_mod.load(path)
    assert Path(cfg.db).resolve() == (tmp_path / "var" / "nw.db").resolve()
    assert cfg.topics == (etc / "topics.toml", tmp_path / "home" / "more.toml")
    assert cfg.sources_dir == etc / "sources"
    assert cfg.aliases == tmp_path / "home" / "aliases.toml"
    # From the environment or the command line, relative means the working directory.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSWATCH_DB", "~/x.db")
    assert config_mod.load(path).db == str(tmp_path / "home" / "x.db")
    assert config_mod.load(path, db="y.db").db == str(tmp_path / "y.db")


def test_config_option_works_after_the_subcommand(tmp_path):
    path = write_config(tmp_path / "elsewhere.toml", {"db": str(tmp_path / "mine.db")})
    for args in (["status", "--config", str(path), "--json"],
                 ["--config", str(path), "status", "--json"],
                 ["alerts", "show", "--config", str(path), "1"]):  # a group's subcommand
        result = CliRunner().invoke(main, args)
        assert f"no archive at {tmp_path / 'mine.db'}" in result.output, args
    from newswatch.storage import open_archive

    open_archive(tmp_path / "mine.db")
    result = CliRunner().invoke(main, ["status", "--config", str(path), "--json"])
    assert result.exit_code == 0 and "sources" in json.loads(result.output)


@pytest.mark.parametrize("args", [
    ["status"], ["search", "芯片"], ["alerts"], ["alerts", "show", "1"], ["stories"],
    ["stories", "show", "1"], ["topics", "test", "芯片", "--days", "7"]])
def test_read_only_commands_on_a_missing_database_create_nothing(tmp_path, args):
    db = tmp_path / "nothing-here.db"
    result = CliRunner().invoke(main, [*args, "--db", str(db)])
    assert result.exit_code == 1, result.output
    assert f"no archive at {db}" in result.output
    assert list(tmp_path.iterdir()) == []


def test_topics_lists_topics_before_the_first_crawl_without_creating_the_archive(tmp_path):
    db = tmp_path / "nothing-here.db"
    result = CliRunner().invoke(main, ["topics", "--db", str(db)])
    assert result.exit_code == 0 and "chips" in result.output.lower()
    assert not db.exists()


def run_service(tmp_path, settings, channels=None, *args):
    path = write_config(tmp_path / "newswatch.toml", settings, channels)
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run([sys.executable, "-m", "newswatch", "run", "--config", str(path),
                           "--db", str(tmp_path / "s.db"), *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)


def test_service_refuses_an_invalid_configuration_with_one_line_per_problem(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    r = run_service(tmp_path, {"sources_dir": str(sources), "quiet_hours": "22-07",
                               "timezone": "Asia/Shangai"}, {"tg": {"type": "telegram"}})
    assert r.returncode == 2, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 3 and all("newswatch.toml" in line for line in errors)
    assert "nothing started" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "s.db").exists()


def test_service_refuses_a_broken_topics_file_instead_of_matching_nothing(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "good"\nquery = "芯片"\n\n[[topic]]\nname = "bad"\n'
        'query = "芯片 AND"\n\n[[topic]]\nname = "routed"\nquery = "x"\n'
        'channels = ["nope"]\nsources = ["nosuch"]\n', encoding="utf-8")
    r = run_service(tmp_path, {"sources_dir": str(sources),
                               "topics": str(tmp_path / "topics.toml")})
    assert r.returncode == 2, r.stderr
    assert "topic 'bad': query:" in r.stderr
    assert "topic 'routed': 'channels': unknown channel 'nope'" in r.stderr
    assert "topic 'routed': 'sources': unknown source 'nosuch'" in r.stderr


def test_the_time_vocabulary():
    assert times.parse_duration("90s") == 90 and times.parse_duration("2w") == 14 * 86400
    assert times.parse_duration("30min") == 1800 and times.parse_duration(5) == 5
    for bad in ("soon", "0s", "-3m", True):
        with pytest.raises(ValueError):
            times.parse_duration(bad)
    shanghai = times.zone("Asia/Shanghai")
    local = datetime(2026, 12, 1, 9, 30, 15, 999, tzinfo=shanghai)
    assert times.utc_stamp(local) == "2026-12-01T01:30:15+00:00"  # converted, to the second
    assert times.utc_stamp(datetime(2026, 12, 1, 1, 30)) == "2026-12-01T01:30:00+00:00"
    assert times.local_text("2026-12-01T01:30:00+00:00", shanghai) == "2026-12-01 09:30"
    assert times.local_text(None, shanghai, "-") == "-"
    assert times.article_time({"published": None, "fetched": "2026-12-01T01:30:00"}) == \
        datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="unknown time zone"):
        times.zone("Asia/Shangai")


def test_matcher_stamps_are_utc_whatever_zone_now_is(tmp_path):
    from alerts import matcher
    from alerts.topics import Topic
    from alerts.query import parse
    from newswatch.storage import open_archive
    from tests.support.archive_articles import add_article

    db = open_archive(tmp_path / "a.db")
    add_article(db, title="芯片", body="芯片。")
    now = datetime.now(timezone(timedelta(hours=8)))
    topic = Topic(name="chips", title="chips", query=parse("芯片", {}), query_text="芯片")
    matcher.run_once(db, [topic], now=now)
    (since,) = db.execute("SELECT since FROM topic_state").fetchone()
    assert since.endswith("+00:00") and since == times.utc_stamp(now)


def test_service_log_lines_carry_their_zone():
    from newswatch.logs import HumanFormatter

    record = logging.LogRecord("newswatch", logging.INFO, __file__, 1, "hello", None, None)
    line = HumanFormatter().format(record)
    offset = datetime.fromtimestamp(record.created).astimezone().strftime("%z")
    assert line.split(" INFO")[0].endswith(offset) and len(offset) == 5
