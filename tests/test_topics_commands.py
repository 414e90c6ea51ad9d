"""`newswatch topics`, `topics test`, `search` and `match`, run as a user would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import archive
from newswatch.cli import main
from tests.support.archive_articles import add_article
from newswatch.storage import open_archive  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TOPICS = '''
[[topic]]
name = "chips"
title = "芯片 / chips"
query = "芯片 OR chip*"
channels = ["hook"]

[[topic]]
name = "robots"
query = "@humanoid-robots"
mode = "daily"
'''


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    for name in ("NEWSWATCH_DB", "NEWSWATCH_TOPICS", "NEWSWATCH_ALIASES"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "topics.toml").write_text(TOPICS, encoding="utf-8")
    config = tmp_path / "newswatch.toml"
    config.write_text(f'db = "{tmp_path / "a.db"}"\ntopics = "{tmp_path / "topics.toml"}"\n'
                      f'aliases = "{SEEDS / "aliases.toml"}"\n', encoding="utf-8")
    db = open_archive(tmp_path / "a.db")
    return tmp_path, db


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_topics_test_text_json(env):
    code, out = run("topics", "test", '"AI + manufacturing" -said', "--json",
                    "--text", "Beijing pushes AI+manufacturing pilots")
    assert code == 0
    data = json.loads(out)
    assert data["match"] is True and "**AI+manufacturing**" in data["snippet"]
    assert data["terms"] == [{"term": "AI + manufacturing", "field": "body", "at": [[15, 31]]}]
    code, out = run("topics", "test", "AI", "--json", "--text", "he said so")
    assert code == 0 and json.loads(out) == {"match": False, "terms": [], "snippet": ""}
    code, out = run("topics", "test", "人形机器人 芯片", "--json", "--text", "芯片")
    assert json.loads(out)["terms"] == [{"term": "芯片", "field": "body", "at": [[0, 2]]}]


def test_topics_test_explain_says_why_not(env):
    code, out = run("topics", "test", "芯片 -手机", "--explain", "--text", "芯片和手机")
    assert code == 0
    assert out.startswith("no match")
    assert 'yes "芯片"' in out and 'yes "手机"  (negated: must be absent)' in out


def test_topics_test_file_and_aliases(env):
    tmp_path, _ = env
    (tmp_path / "a.txt").write_text("工業和信息化部發布通知", encoding="utf-8")
    code, out = run("topics", "test", "@miit", "--file", str(tmp_path / "a.txt"), "--explain")
    assert code == 0 and out.startswith("match") and "工業和信息化部" in out


def test_topics_test_invalid_query_exits_2_with_the_column(env):
    code, out = run("topics", "test", "芯片 OR (a", "--text", "x")
    assert code == 2
    assert "missing ')'" in out and "column 7" in out and "\n          ^" in out


def test_topics_test_needs_exactly_one_input(env):
    code, out = run("topics", "test", "芯片")
    assert code == 2 and "exactly one of --text, --file or --days" in out


def test_topics_test_days_backtests_the_archive(env):
    _, db = env
    now = datetime.now(timezone.utc)
    add_article(db, title="高端芯片突破", body="芯片研发。", published=now.isoformat())
    add_article(db, title="旧芯片", body="芯片。", published=(now - timedelta(days=9)).isoformat())
    add_article(db, title="基线芯片", body="芯片。", baseline=1)
    code, out = run("topics", "test", "芯片", "--days", "3", "--json")
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert sorted((x["title"], x["baseline"]) for x in lines) == [("基线芯片", True),
                                                                   ("高端芯片突破", False)]
    code, out = run("topics", "test", "芯片", "--days", "3")
    assert code == 0 and "高端芯片突破" in out and "2 article(s)" in out
    assert "(baseline)" in out


def test_topics_test_days_ends_at_the_archives_newest_article_and_is_bounded(env):
    _, db = env
    long_ago = datetime(2026, 3, 1, tzinfo=timezone.utc)  # an archive that stopped growing
    for i in range(8):
        add_article(db, title=f"芯片{i}", body="芯片。",
                    published=(long_ago - timedelta(hours=6 * i)).isoformat())
    add_article(db, title="更早的芯片", body="芯片。",
                published=(long_ago - timedelta(days=30)).isoformat())
    code, out = run("topics", "test", "芯片", "--days", "7", "--json", "--limit", "3")
    assert code == 0
    assert [json.loads(x)["title"] for x in out.splitlines()] == ["芯片0", "芯片1", "芯片2"]
    code, out = run("topics", "test", "芯片", "--days", "7", "--limit", "3")
    assert "3 of 8 article(s) in the 7 day(s) up to 2026-03-01" in out


def test_topics_test_days_on_a_missing_database_creates_nothing(env, tmp_path):
    missing = tmp_path / "nope" / "missing.db"
    code, out = run("topics", "test", "芯片", "--days", "7", "--db", str(missing))
    assert code == 1 and "no archive at" in out
    assert not missing.exists() and not missing.parent.exists()


def test_topics_lists_counts_after_match(env):
    _, db = env
    add_article(db, title="人形机器人", body="人形机器人产业。")
    add_article(db, title="chips", body="New chips.", lang="en", source="en")
    code, out = run("match", "--json")
    assert code == 0
    found = [json.loads(x) for x in out.splitlines()]
    assert sorted(m["topic"] for m in found) == ["chips", "robots"]
    # chips names its channel; robots names none: the default_channels setting applies.
    assert {m["topic"]: m["queued"] for m in found} == {"chips": 1, "robots": 2}
    code, out = run("match")
    assert code == 0 and "0 new article(s) walked, 0 match(es)" in out
    code, out = run("topics", "--json")
    listed = {x["name"]: x for x in map(json.loads, out.splitlines())}
    assert listed["chips"]["matches"] == 1 and listed["chips"]["channels"] == ["hook"]
    assert listed["robots"]["mode"] == "daily"
    code, out = run("topics")
    assert code == 0 and "chips" in out and "芯片 / chips" in out


def test_match_prints_a_table_and_queues(env):
    _, db = env
    add_article(db, title="芯片", body="芯片产业。")
    code, out = run("match")
    assert code == 0 and "芯片" in out
    assert "1 new article(s) walked, 1 match(es), 1 alert(s) queued" in out


def test_search_finds_two_character_chinese_terms_and_uses_the_index(env):
    _, db = env
    add_article(db, title="芯片", body="高端芯片研发取得突破。")
    add_article(db, title="robots", body="Humanoid robots and AI + manufacturing.", lang="en")
    add_article(db, title="無關", body="人工智慧與製造業。")
    code, out = run("search", "芯片", "--json")
    assert code == 0 and [json.loads(x)["title"] for x in out.splitlines()] == ["芯片"]
    code, out = run("search", '"AI+manufacturing"')
    assert code == 0 and "full-text index" in out and "robots" in out
    code, out = run("search", "製造业", "--json")  # traditional query, traditional text
    assert [json.loads(x)["title"] for x in out.splitlines()] == ["無關"]
    code, out = run("search", "芯片 OR", "--json")
    assert code == 2 and "column" in out


def test_search_limit_and_scan(env):
    _, db = env
    for i in reversed(range(5)):  # archived oldest first, as crawls archive them
        add_article(db, title=f"芯片{i}", body="芯片。" + str(i),
                    published=(datetime.now(timezone.utc) - timedelta(hours=i)).isoformat())
    code, out = run("search", "芯片", "--limit", "2", "--json")
    assert [json.loads(x)["title"] for x in out.splitlines()] == ["芯片0", "芯片1"]
    code, out = run("search", "芯片产业 OR 芯片", "--scan")
    assert code == 0 and "matcher scan" in out


def test_a_bad_topic_file_is_a_clear_error(env):
    tmp_path, _ = env
    (tmp_path / "topics.toml").write_text('[[topic]]\nname = "x"\nquery = "a OR"\n',
                                          encoding="utf-8")
    code, out = run("topics")
    assert code == 1 and "topics.toml: topic 'x': query: expected a term" in out


def test_topics_flags_topics_evaluated_on_every_article(env):
    tmp_path, _ = env
    (tmp_path / "topics.toml").write_text(TOPICS + '\n[[topic]]\nname = "not-ads"\n'
                                          'query = "NOT 广告"\n', encoding="utf-8")
    code, out = run("topics", "--json")
    flags = {x["name"]: x["every_article"] for x in map(json.loads, out.splitlines())}
    assert flags == {"chips": False, "robots": False, "not-ads": True}
    code, out = run("topics")
    assert "not-ads *" in out and "evaluated on every article" in out


def test_search_reports_a_database_error_instead_of_a_silent_scan(env, monkeypatch):
    import sqlite3

    import sqlite_utils

    _, db = env
    add_article(db, title="芯片", body="高端芯片研发取得突破。")
    real = sqlite_utils.Database.execute

    def locked(self, sql, *args, **kwargs):
        if "articles_fts" in sql:
            raise sqlite3.OperationalError("database is locked")
        return real(self, sql, *args, **kwargs)

    monkeypatch.setattr(sqlite_utils.Database, "execute", locked)
    result = CliRunner().invoke(main, ["search", '"AI+manufacturing"'])
    assert result.exit_code == 1 and "database is locked" in result.output
    assert "matcher scan" not in result.output


def test_search_falls_back_only_when_the_index_cannot_serve_and_says_so(env):
    _, db = env
    add_article(db, title="robots", body="Humanoid robots and AI + manufacturing.", lang="en")
    db.execute("DROP TABLE articles_fts")  # no index at all: the FTS-specific failure
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                              "AND sql LIKE '%articles_fts%'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    db.conn.commit()
    result = CliRunner().invoke(main, ["search", '"AI+manufacturing"'])
    assert result.exit_code == 0 and "robots" in result.output
    assert "matcher scan" in result.output
    assert "full-text index cannot serve" in result.stderr
