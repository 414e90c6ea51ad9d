"""End to end: a ministry notice whose policy is its attachment. `newswatch crawl` over a
loopback site reads the attachments (good and bad), the matcher finds the topic inside
the PDF, and the alert says which file and page; search finds it too."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from alerts import matcher, outbox, payload, stories
from alerts.channels.base import Message
from alerts.query import parse
from alerts.rendering import Renderer
from alerts.topics import Topic
from crawler import archive
from tests.support import attachment_files as af
from tests.support import attachment_site as site_files
from tests.support.replay_site import replay_site
from newswatch.storage import open_archive

pytestmark = pytest.mark.skipif(af.cjk_font() is None,
                                reason=f"no CJK font: apt-get install {af.FONT_PACKAGE}")
FOLDER = site_files.POLICY.rsplit("/", 1)[0]


def crawl(db, seeds, replay_url, *args):
    env = {**os.environ, "NEWSWATCH_CONFIG": "", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "newswatch", "crawl", "--db", str(db), "--sources-dir",
         str(seeds), "--replay", replay_url, "-s", "NEWSWATCH_ATTACHMENT_MAX_FILES=20",
         *args], capture_output=True, text=True, env=env, timeout=240)


def topic(name, query):
    return Topic(name=name, title=name, query=parse(query), query_text=query)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    root = tmp_path_factory.mktemp("attachments")
    site_files.build_site(root / "site")
    seeds = site_files.write_seed(root / "seeds")
    db = root / "archive.db"
    with replay_site(root / "site") as site:
        first = crawl(db, seeds, site.url)  # the baseline: archived, never alerted
        assert first.returncode == 0, first.stdout + first.stderr
        site_files.publish_policy(root / "site")
        site.clear_log()
        second = crawl(db, seeds, site.url)
        paths = site.paths()
    assert second.returncode == 0, second.stdout + second.stderr
    conn = open_archive(db)
    yield conn, paths, root, seeds
    conn.conn.close()


def article_id(conn, url):
    return conn.execute("SELECT id FROM articles WHERE canonical_url = ?", [url]).fetchone()[0]


def test_every_attachment_of_the_notice_ends_in_its_outcome(crawled):
    conn, _, _, _ = crawled
    files = archive.attachments_of(conn, [article_id(conn, site_files.POLICY)])
    rows = files[article_id(conn, site_files.POLICY)]
    assert [r["outcome"] for r in rows] == site_files.POLICY_OUTCOMES
    by_name = {r["name"]: r for r in rows}
    plan = by_name[site_files.PLAN_NAME]
    assert plan["type"] == "pdf" and plan["page_count"] == 5
    assert [label for _, label in plan["pages"]] == ["1", "2", "3", "4", "5"]
    page3 = plan["pages"][2][0]
    assert site_files.TOPIC in plan["text"][page3:plan["pages"][3][0]]
    assert site_files.TOPIC not in plan["text"][:page3]
    tasks = by_name["重点任务分工表.docx"]
    assert "2 | 灵巧手与关节模组 | 装备司" in tasks["text"]
    budget = by_name["资金安排表.xlsx"]
    assert budget["unit"] == "sheet" and [p[1] for p in budget["pages"]] == ["资金安排", "说明"]
    assert "伺服电机产线改造\t1200" in budget["text"]
    assert by_name["盖章扫描件.pdf"]["detail"].startswith("scanned: no text")
    assert by_name["加密文件.pdf"]["detail"] == "encrypted: needs a password"
    assert by_name["异常文档.docx"]["outcome"] == "too_large"
    assert "zip bomb" in by_name["异常文档.docx"]["detail"]
    liar = by_name["名不副实.pdf"]
    assert liar["type"] == "docx" and "named .pdf but is a Word .docx" in liar["detail"]
    assert "算力券" in liar["text"]
    assert by_name["已删除.pdf"]["detail"] == "not downloaded: HTTP 404"
    assert by_name["内部文件.pdf"]["detail"] == "not downloaded: forbidden by robots.txt"
    for r in rows:
        assert r["detail"] or r["outcome"] == "ok"
        if r["outcome"] != "failed":
            assert r["sha256"] and r["bytes"] > 0


def test_each_file_is_downloaded_once_and_only_the_kinds_opted_into(crawled):
    conn, paths, _, _ = crawled
    host_folder = "/" + FOLDER.split("://", 1)[1]
    plan_path = f"{host_folder}/P020261201_plan.pdf"
    assert paths.count(plan_path) == 1  # two notices link it
    assert not any(p.endswith(".zip") for p in paths)  # not a kind the seed names
    assert not any("private" in p for p in paths)  # robots.txt forbids it
    assert not any(p.endswith("guide.pdf") for p in paths)  # the footer's, not the notice's
    again = archive.attachments_of(conn, [article_id(conn, site_files.AGAIN)])
    rows = again[article_id(conn, site_files.AGAIN)]
    assert [r["outcome"] for r in rows] == ["ok", "ok"]
    assert rows[0]["sha256"] == rows[1]["sha256"]  # the copy under another URL
    assert rows[0]["text"] == rows[1]["text"]


def test_a_second_crawl_requests_no_attachment_again(crawled):
    conn, _, root, seeds = crawled
    with replay_site(root / "site") as site:
        result = crawl(root / "archive.db", seeds, site.url)
        paths = site.paths()
    assert result.returncode == 0, result.stdout + result.stderr
    assert not any(p.endswith((".pdf", ".docx", ".xlsx", ".doc")) for p in paths), paths


def test_the_topic_matches_inside_the_attachment_and_the_alert_names_it(crawled):
    conn, _, _, _ = crawled
    topics = [topic("robots", site_files.TOPIC), topic("robots-files", "人形机器人 in:attachment"),
              topic("robots-page", "in:body 人形机器人"), topic("vouchers", "attachment:算力券"),
              topic("scans", "盖章 in:attachment")]
    result = matcher.run_once(conn, topics, default_channels=["jsonl"])
    found = {(m["topic"], m["article_id"]): m for m in result.matches}
    policy = article_id(conn, site_files.POLICY)
    baseline = article_id(conn, site_files.BASELINE)
    assert ("robots", baseline) not in found
    hit = found[("robots", policy)]
    # The body says only 《创新发展实施方案》; the title has the term, but the snippet
    # comes from the plan, page 3.
    assert hit["location"]["attachment"] == site_files.PLAN_NAME
    assert hit["location"]["page"] == "3"
    assert hit["location"]["text"] == ("in attachment 《人形机器人创新发展实施方案》.pdf, "
                                       "page 3")
    assert "**人形机器人**" in hit["snippet"] and "整机和关键零部件" in hit["snippet"]
    assert ("robots-files", policy) in found
    assert found[("robots-files", policy)]["location"]["page"] == "3"
    assert ("robots-page", policy) in found  # the title says it
    assert found[("robots-page", policy)]["location"] is None
    assert found[("vouchers", policy)]["location"]["attachment"] == "名不副实.pdf"
    assert ("scans", policy) not in found  # a scan adds no text
    files_hit = [t for t in hit["terms"] if t["field"] == "attachment"]
    assert files_hit and files_hit[0]["attachment"] == site_files.PLAN_NAME
    assert "3" in files_hit[0]["pages"]

    # The notice that forwards the same plan is the same story (stories read the policy
    # files a notice attaches): one alert for the two, whichever was archived first.
    again = article_id(conn, site_files.AGAIN)
    assert stories.story_of(conn, again) == stories.story_of(conn, policy)
    rows = [r for r in outbox.list_rows(conn, limit=100)
            if r["topic"] == "robots" and r["article_id"] in (policy, again)]
    assert len(rows) == 1
    row = rows[0]
    body = payload.alert(conn, row)
    assert body["location"]["text"].startswith("in attachment 《人形机器人")
    assert any(h.get("attachment") == site_files.PLAN_NAME for h in body["hits"])
    message = Message(row["key"], "alert", body)
    zh = Renderer("console", "zh", {}).render(message)
    assert "附件《人形机器人创新发展实施方案》.pdf 第 3 页" in zh
    en = Renderer("slack", "en", {}).render(message)
    assert "In attachment 《人形机器人创新发展实施方案》.pdf, page 3" in en


def test_search_finds_words_that_only_the_attachments_hold(crawled):
    conn, _, root, _ = crawled
    env = {**os.environ, "NEWSWATCH_CONFIG": ""}
    # 伺服电机 is only in the spreadsheet; the second query needs the page and the .docx.
    for query, name in (("伺服电机产线", "资金安排表.xlsx"),
                        ("工业和信息化 AND 灵巧手与关节", "重点任务分工表.docx")):
        done = subprocess.run([sys.executable, "-m", "newswatch", "search", query, "--json",
                               "--db", str(root / "archive.db")],
                              capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        lines = [json.loads(x) for x in done.stdout.splitlines() if x.strip()]
        assert [x["url"] for x in lines] == [site_files.POLICY], (query, lines)
        assert name in [t.get("attachment") for t in lines[0]["terms"]]
    assert lines[0]["location"] is None  # the snippet is from the page: it has a hit
    table = subprocess.run([sys.executable, "-m", "newswatch", "search", "伺服电机产线",
                            "--db", str(root / "archive.db")],
                           capture_output=True, text=True, env={**env, "COLUMNS": "250"},
                           timeout=120)
    assert "in attachment 《资金安排表》.xlsx, sheet “资金安排”" in table.stdout


def test_a_dry_run_shows_each_attachment_and_stores_nothing(crawled):
    _, _, root, seeds = crawled
    db = root / "dry.db"
    with replay_site(root / "site") as site:
        result = crawl(db, seeds, site.url, "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    decoder, text, items = json.JSONDecoder(), result.stdout, []
    at = text.find("{")
    while at >= 0:
        item, end = decoder.raw_decode(text, at)
        items.append(item)
        at = text.find("{", end)
    policy = next(i for i in items if i.get("url") == site_files.POLICY)
    shown = policy["attachments"]
    assert [a["outcome"] for a in shown] == site_files.POLICY_OUTCOMES
    assert shown[0] == {"name": site_files.PLAN_NAME, "type": "pdf", "outcome": "ok",
                        "detail": "", "page_count": 5, "chars": shown[0]["chars"]}
    assert shown[0]["chars"] > 1000
    assert not db.exists() or not open_archive(db).execute(
        "SELECT COUNT(*) FROM article_attachments").fetchone()[0]
