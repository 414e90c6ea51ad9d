"""`newswatch stories`, `stories show ID` and `stories cluster`, run as a user would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from alerts import story_index
from crawler import archive
from newswatch.cli import main
from tests.support.archive_articles import add_article
from newswatch.storage import open_archive  # noqa: E402

BODY = ("国家发展改革委下达2026年城市更新领域中央预算内投资计划112亿元，支持全国29个省份和新疆生产建设兵团的"
        "1,380个项目建设。\n本批投资重点支持城市老旧小区改造、城市燃气等地下管网更新改造、城市排水防涝能力提升等"
        "项目，其中地下管网改造项目投资占比约45%。\n国家发展改革委要求，各地要加快项目实施，尽快形成实物工作量。")
OTHER = ("国家发展改革委召开今冬明春能源保供工作电视电话会议，分析研判供需形势，部署迎峰度冬能源保供工作。\n"
         "会议指出，当前全国统调电厂存煤保持在2亿吨以上，可用天数超过30天，能源供应总体有保障。")


@pytest.fixture
def archive_path(tmp_path, monkeypatch):
    story_index._indexes.clear()
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    monkeypatch.delenv("NEWSWATCH_STORY_WINDOW", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./newswatch.toml from elsewhere
    path = tmp_path / "archive.db"
    db = open_archive(path)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    add_article(db, title="发改委下达城市更新投资", body=BODY, site="www.ndrc.gov.cn",
                source="ndrc", published=(now - timedelta(hours=5)).isoformat(),
                url="https://www.ndrc.gov.cn/xwdt/1.html")
    add_article(db, title="112亿元中央预算内投资支持城市更新", body=BODY + "\n责任编辑：王磊",
                site="www.gov.cn", source="govcn", original_source="国家发展改革委网站",
                published=(now - timedelta(hours=2)).isoformat(),
                url="https://www.gov.cn/lianbo/2.htm")
    add_article(db, title="部署今冬明春能源保供", body=OTHER, site="www.ndrc.gov.cn", source="ndrc",
                published=(now - timedelta(hours=1)).isoformat())
    db.close()
    yield path
    story_index._indexes.clear()


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def test_cluster_then_list_with_outlets(archive_path):
    before = run("stories", "--db", str(archive_path))
    assert before.exit_code == 0
    assert "No stories" in before.output and "not clustered yet" in before.output
    done = run("stories", "cluster", "--db", str(archive_path))
    assert done.exit_code == 0, done.output
    assert "Clustered 3 article(s)" in done.output
    listing = run("stories", "--db", str(archive_path), "--days", "1")
    assert listing.exit_code == 0
    assert "www.ndrc.gov.cn, www.gov.cn" in listing.output
    assert "发改委下达城市更新投资" in listing.output
    assert "not clustered" not in listing.output


def test_json_listing_and_show(archive_path):
    run("stories", "cluster", "--db", str(archive_path))
    lines = run("stories", "--json", "--db", str(archive_path)).output.strip().splitlines()
    found = [json.loads(line) for line in lines]
    assert sorted(s["size"] for s in found) == [1, 2]
    big = next(s for s in found if s["size"] == 2)
    shown = run("stories", "show", str(big["id"]), "--json", "--db", str(archive_path))
    data = json.loads(shown.output)
    assert [m["site"] for m in data["members"]] == ["www.ndrc.gov.cn", "www.gov.cn"]
    assert data["members"][1]["original_source"] == "国家发展改革委网站"
    table = run("stories", "show", str(big["id"]), "--db", str(archive_path))
    assert table.exit_code == 0
    assert "started the story" in table.output and "www.gov.cn" in table.output
    assert "shingles" in table.output  # the link that joined the reprint, with its score
    assert f"~{data['members'][0]['id']}" in table.output
    assert "2 article(s)" in table.output
    assert data["members"][1]["link"] == "shingles" and data["members"][0]["link"] is None


def test_show_an_unknown_story_is_a_clear_error(archive_path):
    result = run("stories", "show", "999", "--db", str(archive_path))
    assert result.exit_code == 1
    assert "no story with id 999" in result.output


def test_a_bad_story_window_setting_names_the_setting(archive_path, monkeypatch):
    monkeypatch.setenv("NEWSWATCH_STORY_WINDOW", "three days")
    result = run("stories", "cluster", "--db", str(archive_path))
    assert result.exit_code == 1
    assert "story_window" in result.output and "NEWSWATCH_STORY_WINDOW" in result.output


def test_window_days_option_overrides_the_setting(archive_path, monkeypatch):
    # A window of one minute: the reprint three hours later is a story of its own.
    monkeypatch.setenv("NEWSWATCH_STORY_WINDOW", "3d")
    result = run("stories", "cluster", "--window-days", "0.0007", "--db", str(archive_path))
    assert result.exit_code == 0
    found = run("stories", "--json", "--db", str(archive_path)).output.strip().splitlines()
    assert len(found) == 3


def test_help_texts(archive_path):
    assert "--days" in run("stories", "--help").output
    assert "side by side" in run("stories", "show", "--help").output
    assert "--window-days" in run("stories", "cluster", "--help").output
