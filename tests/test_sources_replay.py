"""Every bundled seed, crawled offline against its replay fixtures, yields its articles with
the fields its fixture has (`newswatch sources check --replay`), and the seed document comes
out exactly."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from click.testing import CliRunner

from crawler.extraction import extract
from newswatch.cli import main
from newswatch.replay.server import ReplayHandler, ReplayServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "sources"
FIXTURES = ROOT / "tests" / "fixtures" / "sites"
SEED_URL = "http://www.outlooknewera.com.cn/pcen/info_view.php?VID=71312&tab=mynews"
SEED_TITLE = ('Ministry of Industry and Information Technology: Accelerate breakthroughs in key '
              'core technologies and deeply implement "artificial intelligence+manufacturing"')


@pytest.fixture(scope="module")
def replay_check(tmp_path_factory):
    """One `sources check --replay` over all the bundled seeds; its kept databases."""
    keep = tmp_path_factory.mktemp("replay-check")
    result = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "check",
                                       "--replay", str(FIXTURES), "--keep", str(keep)])
    return result, keep


def _rows(keep: Path, source: str) -> list[dict]:
    conn = sqlite3.connect(keep / f"{source}.db")
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM articles ORDER BY site_id")]
    finally:
        conn.close()


def test_every_source_passes_its_replay_check(replay_check):
    result, _ = replay_check
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in SEEDS.glob("*.toml"))
    lines = result.output.splitlines()
    for name in names:
        line = next((ln for ln in lines if f"│ {name} " in ln), None)
        assert line is not None, f"{name} missing from the table"
        assert "│ ok " in line and line.rstrip("│ ").endswith("ok"), line
    assert f"{len(names)} of {len(names)} sources pass" in result.output


def _seed_document_is_exact(row: dict) -> None:
    assert row["title"] == SEED_TITLE
    assert row["published"][:10] in ("2025-11-03", "2025-11-04")  # UTC of a Beijing date
    assert row["published_text"] == "2025-11-04"
    assert row["editor"] == "Yao jue / Xie Tunan"
    assert row["original_source"] == "Securities Daily"
    body = row["body"]
    assert body.startswith("The Ministry of Industry and Information Technology (MIIT) held")
    assert body.endswith("produce new and unique products.")
    assert body.count("\n\n") == 3
    for footer in ("Edit:", "Responsible editor", "Source:", "Copyright"):
        assert footer not in body


def test_the_seed_document_comes_out_exactly():
    raw = (FIXTURES / "www.outlooknewera.com.cn" / "pcen"
           / "info_view.php@VID=71312&tab=mynews").read_bytes()
    ex = extract(raw, SEED_URL)
    row = ex.to_json()
    row = json.loads(row) if isinstance(row, str) else row
    _seed_document_is_exact(row)
    assert ex.published.isoformat().startswith("2025-11-04T00:00:00+08:00")


def test_the_seed_document_through_the_probe_crawl(replay_check):
    _, keep = replay_check
    rows = {r["site_id"]: r for r in _rows(keep, "outlook-new-era")}
    assert set(rows) == {"71312", "71313", "71315"}  # 71314 missing; 71315 only on lwxsd
    _seed_document_is_exact(rows["71312"])
    assert rows["71312"]["site"] == "Outlook New Era"
    assert rows["71315"]["url"].startswith("http://www.lwxsd.com/")
    # The seed's timezone (Asia/Shanghai): Beijing midnight, though lwxsd.com is not .cn.
    assert rows["71315"]["published"] == "2025-11-05T16:00:00+00:00"


def test_gov_cn_policy_table_and_manuscript_id(replay_check):
    _, keep = replay_check
    rows = {r["site_id"]: r for r in _rows(keep, "govcn-policies")}
    doc = rows["7051234"]
    extra = json.loads(doc["extra"])
    assert extra["issuing_body"] == "国务院"
    assert extra["subject"].startswith("工业、交通")
    assert doc["doc_number"] == "国发〔2026〕21号"
    assert doc["published"] == "2026-11-25T09:05:12+00:00"  # 17:05:12 Beijing, hyphenated meta


def test_miit_policy_keeps_issuing_body_and_document_number(replay_check):
    _, keep = replay_check
    rows = _rows(keep, "miit-policy")
    by_number = {r["doc_number"]: json.loads(r["extra"]) for r in rows}
    assert by_number["工信部联规〔2026〕31号"]["issuing_body"] == "工业和信息化部 国家发展改革委"
    assert by_number["工业和信息化部公告2026年第27号"]["issuing_body"] == "工业和信息化部"


def test_miit_columns_read_the_unit_api_with_the_shells_page_ids(replay_check):
    _, keep = replay_check
    rows = _rows(keep, "miit-news")
    assert len(rows) == 5  # two columns, the first over two unit API pages
    assert {r["original_source"] for r in rows} >= {"新华社", "装备工业一司"}
    assert all(len(r["site_id"]) == 32 for r in rows)


def test_press_sites_dates_sources_and_encodings(replay_check):
    _, keep = replay_check
    zqrb = _rows(keep, "zqrb-macro")
    assert {r["original_source"] for r in zqrb} == {"证券日报"}
    assert all(r["encoding"] in ("gbk", "gb18030") for r in zqrb)
    undated = {r["site_id"]: r for r in _rows(keep, "zqrb-companies")}["A1764007772274"]
    # The page prints no date: the list's and the URL's (the same day) are all there is.
    assert undated["date_source"] in ("list", "url")
    assert undated["published"] == "2026-11-15T16:00:00+00:00"  # 2026-11-16 in Beijing
    people = {r["title"]: r for r in _rows(keep, "people-en")}
    assert "China\u2019s digital economy sees steady growth" in people  # GB2312 curly quote
    daily = {r["site_id"]: r for r in _rows(keep, "chinadaily")}
    # The page printed the Buddhist-era year 2569; the URL's 2026-11-26 wins.
    assert all(r["published"].startswith("2026-11-") for r in daily.values())
    xinhua = _rows(keep, "xinhua-zh")
    assert len(xinhua) == 4 and all(r["original_source"] for r in xinhua)


def test_a_source_that_loses_a_field_or_yields_nothing_fails(tmp_path):
    fixtures = tmp_path / "sites"
    shutil.copytree(FIXTURES / "www.outlooknewera.com.cn", fixtures / "www.outlooknewera.com.cn")
    shutil.copytree(FIXTURES / "www.lwxsd.com", fixtures / "www.lwxsd.com")
    # No fixture pages at all for cac-news; outlook-new-era's pages have no doc_number.
    (fixtures / "expect.toml").write_text(
        '[sources.outlook-new-era]\nfields = ["title", "doc_number"]\n'
        '[sources.cac-news]\nfields = ["title"]\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "--sources-dir", str(SEEDS), "check",
                                       "--replay", str(fixtures), "outlook-new-era",
                                       "cac-news"])
    assert result.exit_code == 1
    assert "3 of 3 articles lack 'doc_number'" in result.output
    line = next(ln for ln in result.output.splitlines() if "cac-news" in ln)
    assert "FAIL" in line and "failed" in line
    assert "no list item found" in result.output
    assert "0 of 2 sources pass" in result.output


class _HeaderLog(ReplayHandler):
    seen: list = []

    def do_GET(self):
        self.seen.append((self.path, dict(self.headers)))
        super().do_GET()


def test_a_new_vid_is_found_by_the_next_probe_and_miit_gets_its_headers(tmp_path):
    """Two crawls on one archive: the second re-reads the highest VID, then finds the next.
    The first also crawls miit-news, to see the headers MIIT's unit API is sent."""
    from crawler.seeds import find_source
    from newswatch.replay.check import check_replay

    root = tmp_path / "sites"
    for host in ("www.outlooknewera.com.cn", "www.lwxsd.com", "www.miit.gov.cn"):
        shutil.copytree(FIXTURES / host, root / host)
    source = find_source(SEEDS, "outlook-new-era")
    keep = tmp_path / "keep"
    server = ReplayServer(root, "127.0.0.1", 0)
    server.RequestHandlerClass = _HeaderLog
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        first, miit = check_replay([source, find_source(SEEDS, "miit-news")], root, SEEDS,
                                   keep=keep, server=server)
    finally:
        server.shutdown()
        server.server_close()
    assert first.outcome == "ok" and first.articles == 3
    assert miit.ok and miit.articles == 5
    units = [(p, h) for p, h in _HeaderLog.seen if "/page/build/unit?" in p]
    assert len(units) == 5  # szyw pages 1-3, sjdt pages 1-2
    referers = {}  # pageId (read from each shell) → the Referers its pages were sent
    for path, headers in units:
        page_id = dict(parse_qsl(urlsplit(path).query))["pageId"]
        referers.setdefault(page_id, set()).add(headers["Referer"])
        assert headers["User-Agent"].startswith("Mozilla/5.0")
    assert sorted(map(sorted, referers.values())) == [
        ["https://www.miit.gov.cn/xwfb/gxdt/sjdt/index.html"],
        ["https://www.miit.gov.cn/xwfb/szyw/index.html"]]
    page = root / "www.outlooknewera.com.cn" / "pcen" / "info_view.php@VID=71313&tab=mynews"
    (page.parent / "info_view.php@VID=71316&tab=mynews").write_text(
        page.read_text(encoding="utf-8").replace("new energy vehicle", "lithium battery"),
        encoding="utf-8")
    second, = check_replay([source], root, SEEDS, keep=keep)  # the same archive again
    assert second.outcome == "ok", second.errors
    assert second.articles == 4
    conn = sqlite3.connect(keep / "outlook-new-era.db")
    try:
        run = conn.execute("SELECT items_found, items_new, items_known, requests FROM runs "
                           "ORDER BY id DESC LIMIT 1").fetchone()
        newest = conn.execute("SELECT title FROM articles WHERE site_id = '71316'").fetchone()
    finally:
        conn.close()
    assert run[:3] == (2, 1, 1)  # the anchor VID 71315 (known) and 71316 (new)
    assert "lithium battery" in newest[0]
    # Bounded: robots.txt of both hosts, the anchor (502 and its retries, then lwxsd),
    # 71316, then max_misses missing VIDs.
    assert run[3] <= 2 + 4 + 1 + source.options["max_misses"]
