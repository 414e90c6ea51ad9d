"""When a site blocks us or changes: each crawl's outcome per source (ok, empty, blocked,
failed) from the variant fixtures, stored in the run table and shown by `newswatch sources`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.blocking import block_reason
from crawler.seeds import find_source
from newswatch.cli import main
from newswatch.replay.check import check_replay

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "sites"
VARIANTS = ROOT / "tests" / "fixtures" / "site_variants"
CHALLENGE = VARIANTS / "challenge" / "www.miit.gov.cn" / "xwfb" / "szyw" / "index.html"

EXPECTED = {
    "miit-news": "blocked",  # 521 JavaScript cookie challenge on the column shells
    "miit-gxdt-rss": "blocked",  # the same challenge page served with 200
    "miit-policy": "blocked",  # 403 on the search API
    "ndrc-news": "empty",  # redesigned list page: no ul.u-list
    "govcn-policies": "empty",  # the JSON list file emptied
    "xinhua-zh": "failed",  # 500 on both datasource files
    "cac-news": "ok",  # untouched: the control
}


def _overlay(tmp_path: Path) -> Path:
    """The fixture web with every variant laid over it."""
    root = tmp_path / "sites"
    for host in ("www.miit.gov.cn", "wap.miit.gov.cn", "www.ndrc.gov.cn", "www.gov.cn",
                 "www.news.cn", "www.cac.gov.cn"):
        shutil.copytree(FIXTURES / host, root / host)
    for variant in ("challenge", "forbidden", "emptied"):
        shutil.copytree(VARIANTS / variant, root, dirs_exist_ok=True)
    for ds in (root / "www.news.cn").rglob("ds_*.json"):
        ds.with_name(ds.name + ".meta.toml").write_text("status = 500\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("outcomes")
    sources = [find_source(SEEDS, name) for name in EXPECTED]
    keep = tmp / "keep"
    reports = check_replay(sources, _overlay(tmp), SEEDS, keep=keep)
    return {r.source: r for r in reports}, keep


def test_the_challenge_fixture_is_recognised_by_its_content():
    body = CHALLENGE.read_bytes()
    assert block_reason(200, body) is not None
    assert block_reason(521, body).startswith("HTTP 521, challenge page")


@pytest.mark.parametrize("source,outcome", EXPECTED.items())
def test_each_crawl_is_classified(outcomes, source, outcome):
    reports, _ = outcomes
    report = reports[source]
    assert report.outcome == outcome, report.errors
    if outcome != "ok":
        assert not report.ok and report.articles == 0
    else:
        assert report.ok and report.articles == 4


def test_blocked_and_empty_runs_say_why(outcomes):
    reports, _ = outcomes
    assert any("HTTP 521" in e for e in reports["miit-news"].errors)
    assert any("challenge page" in e for e in reports["miit-gxdt-rss"].errors)
    assert any("HTTP 403" in e for e in reports["miit-policy"].errors)
    assert any("0 items" in e for e in reports["ndrc-news"].errors)
    assert any("500" in e for e in reports["xinhua-zh"].errors)


def test_the_outcome_is_stored_and_shown_by_newswatch_sources(outcomes):
    _, keep = outcomes
    for source in ("miit-news", "ndrc-news"):
        db = keep / f"{source}.db"
        conn = sqlite3.connect(db)
        try:
            stored = conn.execute("SELECT outcome FROM runs ORDER BY id DESC").fetchone()[0]
            last = conn.execute("SELECT last_outcome FROM sources WHERE name = ?",
                                [source]).fetchone()[0]
        finally:
            conn.close()
        assert stored == last == EXPECTED[source]
        result = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "--db",
                                           str(db), "--json"])
        rows = {r["source"]: r for r in map(json.loads, result.output.splitlines())}
        assert rows[source]["last_outcome"] == EXPECTED[source]
