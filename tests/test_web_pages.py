"""Every page and feed of the web interface, over HTTP, against a real archive built by
real crawls of the replay web (tests/support/web_archive.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

feedparser = pytest.importorskip("feedparser", reason="feedparser (test extra) not installed")
from starlette.testclient import TestClient  # noqa: E402

from alerts import matcher  # noqa: E402
from newswatch.storage import open_archive  # noqa: E402
from newswatch.web import i18n  # noqa: E402
from newswatch.web.app import WebOptions, create_app  # noqa: E402
from tests.support.web_archive import HOOK_TOKEN, web_archive  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent.parent / "newswatch" / "web" / "templates"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with web_archive(tmp_path_factory.mktemp("webpages")) as w:
        yield w


@pytest.fixture(scope="module")
def client(world):
    app = create_app(WebOptions(config_path=str(world.config)))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def main_of(html: str) -> str:
    return re.search(r"<main>(.*)</main>", html, re.S).group(1)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_matches_page_lists_matches_newest_first_with_everything(client):
    r = client.get("/matches")
    assert r.status_code == 200
    page = main_of(r.text)
    titles = re.findall(r'<h3><a href="/articles/(\d+)">', page)
    assert len(titles) == 3
    assert [int(t) for t in titles] == sorted((int(t) for t in titles), reverse=True)
    assert "<mark>芯片</mark>" in page and "<mark>人形机器人</mark>" in page
    assert "Also published by" in page and "Industry Ministry (demo)" in page
    assert "Original source: 工业部网站" in page
    # Published in the configured zone (Asia/Shanghai): the datetime attribute is UTC.
    m = re.search(r'<time datetime="2026-\d\d-\d\dT(\d\d):(\d\d)[^"]*">[\d-]+ (\d\d):(\d\d)<',
                  page)
    assert m and (int(m.group(1)) + 8) % 24 == int(m.group(3))
    assert 'href="https://www.eastern-finance.example.cn/' in page


def test_matches_filters_and_keyset_pages(client, world):
    page = main_of(client.get("/matches?topic=chips").text)
    assert page.count('class="match"') == 2 and "人形机器人进入工厂" not in page
    page = main_of(client.get("/matches?source=demo-ministry").text)
    assert page.count('class="match"') == 1
    assert main_of(client.get("/matches?lang=en").text).count('class="match"') == 0
    assert "No matches." in client.get("/matches?from=2001-01-01&to=2001-01-02").text
    r = client.get("/matches?from=yesterday")
    assert "from: expected a date" in r.text
    # Keyset: the page after the newest match holds the others, never the same ones.
    db = open_archive(world.db)
    ids = [m["id"] for m in matcher.matches_before(db)]
    later = main_of(client.get(f"/matches?before={ids[0]}").text)
    assert later.count('class="match"') == len(ids) - 1


def test_article_page_shows_fields_sources_story_and_terms(client, world):
    db = open_archive(world.db)
    chips = [m for m in matcher.matches_before(db, topic="chips")]
    art_id = chips[-1]["article_id"]  # the ministry's original
    page = main_of(client.get(f"/articles/{art_id}").text)
    for field in ("published_text", "date_source", "original_source", "canonical_url",
                  "site_id", "content_hash"):
        assert f"<th>{field}</th>" in page
    art = db["articles"].get(art_id)
    for where in set(json.loads(art["field_sources"]).values()):
        assert str(where) in page
    assert "Other articles of this story" in page and "Eastern Finance Daily (demo)" in page
    # The chain: every member, how it joined, the member it linked to and what they shared.
    chain = re.search(r'<table class="story">(.*?)</table>', page, re.S).group(1)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", chain, re.S)[1:]
    from alerts import stories
    members = stories.members(db, stories.story_of(db, art_id))
    assert len(rows) == len(members) >= 2
    assert "(this article)" in chain and "started the story" in chain
    for row, m in zip(rows, members):
        if m["link"]:
            assert f'href="/articles/{m["matched_article_id"]}"' in row
            assert any(w in row for w in ("same text", "names it as its source", "shared facts"))
            assert all(e in row for e in m["evidence"])
        assert f"<td>{m['lang']}</td>" in row
    assert "<mark>芯片</mark>" in page and "<td>body</td>" in page
    assert client.get("/articles/999999").status_code == 404


def cli_search(world, query: str) -> list[int]:
    out = world.newswatch("search", "--db", str(world.db), "--limit", "100", "--json",
                          query).stdout
    return sorted(json.loads(line)["article_id"] for line in out.splitlines())


def test_search_page_uses_the_topic_language_with_highlights(client, world):
    page = main_of(client.get("/search", params={"q": "芯片"}).text)
    found = sorted(int(i) for i in re.findall(r'<h3><a href="/articles/(\d+)">', page))
    assert "matcher walk" in page and found == cli_search(world, "芯片") and len(found) >= 3
    assert "<mark>芯片</mark>" in page
    page = main_of(client.get("/search", params={"q": "集成电路 AND 攻关"}).text)
    found = sorted(int(i) for i in re.findall(r'<h3><a href="/articles/(\d+)">', page))
    assert found == cli_search(world, "集成电路 AND 攻关") and "full-text index" in page
    assert len(found) >= 2
    r = client.get("/search", params={"q": "芯片 AND (机器人"})
    assert r.status_code == 400
    assert "Invalid query" in r.text and "at column" in r.text
    assert '<mark class="at">' in r.text


def test_topics_list_with_counts_and_editor(client):
    page = main_of(client.get("/topics").text)
    row = re.search(r"<tr><td><a href=\"/matches\?topic=chips\">chips</a>.*?</tr>", page, re.S)
    assert row and "<td>2</td>" in row.group(0)
    editor = client.get("/topics/chips/edit").text
    assert 'hx-get="/topics/preview"' in editor and "芯片 OR 集成电路" in editor
    assert client.get("/topics/nope/edit").status_code == 404


def test_topic_preview_reruns_the_query_and_points_at_errors(client):
    def count(**params) -> int:
        r = client.get("/topics/preview", params=params)
        return int(re.search(r'data-count="(\d+)"', r.text).group(1))

    everything = count(query="芯片", days="365")
    assert everything >= 3
    assert "<mark>芯片</mark>" in client.get("/topics/preview",
                                            params={"query": "芯片", "days": "30"}).text
    assert count(query="芯片 OR 人形机器人", days="365") > everything
    only_daily = count(query="芯片", days="365", sources="demo-daily")
    assert 0 < only_daily < everything
    assert count(query="芯片", days="365", languages="en") == 0
    r = client.get("/topics/preview", params={"query": '"unclosed', "days": "7"})
    assert "Invalid query" in r.text and "at column" in r.text


def test_topic_save_writes_the_file_atomically_and_asks_for_a_reload(client, world):
    editor = client.get("/topics/new").text
    form = {"csrf": csrf_of(editor), "version": re.search(r'name="version" value="([^"]+)"',
                                                           editor).group(1),
            "name": "policy", "title": "Policy / 政策", "query": "政策 OR policy",
            "sources": "", "languages": "", "channels": "", "mode": "daily", "max_age": "3d"}
    r = client.post("/topics/save", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    text = world.topics.read_text(encoding="utf-8")
    assert "# Topics of the web tests" in text and 'name = "policy"' in text
    assert 'mode = "daily"' in text
    assert "policy" in client.get("/topics").text
    db = open_archive(world.db)
    from newswatch.service import recent_requests

    assert any(r["kind"] == "reload" for r in recent_requests(db))
    # A stale form (the file changed since) and an invalid query are refused, file intact.
    r = client.post("/topics/save", data=form)
    assert r.status_code == 400 and "changed since this form was opened" in r.text
    editor = client.get("/topics/policy/edit").text
    bad = {**form, "csrf": csrf_of(editor), "original": "policy", "query": "政策 AND (",
           "version": re.search(r'name="version" value="([^"]+)"', editor).group(1)}
    r = client.post("/topics/save", data=bad)
    assert r.status_code == 400 and "query" in r.text
    assert world.topics.read_text(encoding="utf-8") == text


def test_topic_delete_confirms_then_removes_only_that_topic_and_keeps_its_matches(client, world):
    before = world.topics.read_text(encoding="utf-8")
    try:
        assert 'name = "chips"' in before
        matches_before = main_of(client.get("/matches?topic=chips").text).count("<article")
        assert matches_before > 0
        editor = client.get("/topics/chips/edit").text
        assert 'href="/topics/chips/delete"' in editor
        confirm = client.get("/topics/chips/delete").text  # a page to confirm, no script needed
        form = {"csrf": csrf_of(confirm),
                "version": re.search(r'name="version" value="([^"]+)"', confirm).group(1)}
        assert "past matches stay" in confirm
        # A form opened before the file changed is refused, and the file is left as it was.
        r = client.post("/topics/chips/delete", data={**form, "version": "0" * 64})
        assert r.status_code == 400 and "changed since this form was opened" in r.text
        assert world.topics.read_text(encoding="utf-8") == before
        r = client.post("/topics/chips/delete", data=form, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/topics?deleted=chips"
        after = world.topics.read_text(encoding="utf-8")
        assert 'name = "chips"' not in after
        assert "# Topics of the web tests" in after  # comments and the other topics stay
        others = re.findall(r'name = "([^"]+)"', before)
        assert re.findall(r'name = "([^"]+)"', after) == [n for n in others if n != "chips"]
        page = client.get("/topics?deleted=chips").text
        assert "Deleted" in page and 'href="/matches?topic=chips"' not in page
        assert main_of(client.get("/matches?topic=chips").text).count("<article") == matches_before
        db = open_archive(world.db)
        from newswatch.service import recent_requests

        assert any(r["kind"] == "reload" for r in recent_requests(db))
        assert client.post("/topics/chips/delete", data=form).status_code == 404
    finally:  # the other tests of this module watch chips
        world.topics.write_text(before, encoding="utf-8")


def test_sources_page_health_chart_errors_and_crawl_now(client):
    r = client.get("/sources")
    page = main_of(r.text)
    for name in ("demo-ministry", "demo-daily", "demo-mii-news", "demo-policy-api"):
        assert f'id="{name}"' in page
    assert page.count("<svg class=\"chart\"") >= 5
    assert re.search(r"<title>\d{4}-\d\d-\d\d: [1-9]\d*</title>", page)
    assert "state-ok" in page
    # No service runs on this archive: the request is refused with a reason.
    r = client.post("/sources/demo-daily/crawl", data={"csrf": csrf_of(r.text)})
    assert "No service is running" in r.text
    assert client.post("/sources/not-a-source/crawl",
                       data={"csrf": csrf_of(r.text)}).status_code == 404


def test_deliveries_by_state_attempts_and_retry_without_secrets(client, world):
    page = main_of(client.get("/deliveries?state=dead").text)
    ids = re.findall(r'<a href="/deliveries/(\d+)">', page)
    assert len(ids) == 2 and "ConnectError" in page
    detail = client.get(f"/deliveries/{ids[0]}").text
    assert "<h2>Attempts</h2>" in detail and ">dead<" in detail
    for html in (page, detail):
        assert HOOK_TOKEN not in html and "whsec_" not in html
    r = client.post(f"/deliveries/{ids[0]}/retry", data={"csrf": csrf_of(detail)})
    assert r.status_code == 200 and "Requeued." in r.text
    counts = dict(open_archive(world.db).execute(
        "SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
    assert counts.get("pending") == 1 and counts.get("dead") == 1


def test_feeds_atom_rss_json_per_topic_and_all(client):
    page = client.get("/feeds").text
    r = client.post("/feeds/create", data={"csrf": csrf_of(page), "topic": "chips"})
    url = re.search(r'<code class="feed-url">(http://[^<]+)\.atom</code>', r.text).group(1)
    r = client.post("/feeds/create", data={"csrf": csrf_of(page), "topic": ""})
    all_url = re.search(r'<code class="feed-url">(http://[^<]+)\.atom</code>', r.text).group(1)
    for fmt in ("atom", "rss"):
        resp = client.get(f"{url}.{fmt}")
        assert resp.status_code == 200 and fmt in resp.headers["content-type"]
        parsed = feedparser.parse(resp.content)
        assert not parsed.bozo, parsed.bozo_exception
        assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
        assert len(parsed.entries) == 2
        assert all(e.link.startswith("https://") for e in parsed.entries)
        assert all("芯片" in e.title for e in parsed.entries)
        assert all(e.id.startswith("tag:newswatch,2026:match:") for e in parsed.entries)
        assert parsed.feed.title == "newswatch: Chips / 芯片"
    resp = client.get(f"{url}.json")
    assert resp.headers["content-type"].startswith("application/feed+json")
    doc = resp.json()
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] and len(doc["items"]) == 2
    for item in doc["items"]:
        assert item["id"] and item["url"].startswith("https://") and item["content_html"]
        assert re.match(r"\d{4}-\d\d-\d\dT", item["date_published"])
    assert len(client.get(f"{all_url}.json").json()["items"]) == 3
    assert len(feedparser.parse(client.get(f"{all_url}.atom").content).entries) == 3
    # Only the hash is stored; a wrong token is a 404, and so is a revoked one.
    token = url.rsplit("/", 1)[1]
    assert client.get(url.replace(token, token[:-2] + "xx") + ".atom").status_code == 404
    from newswatch.web import accounts

    stored = open_archive(client.app.state.web.db_path).execute(
        "SELECT token_hash FROM web_feeds").fetchall()
    assert all(token not in row[0] for row in stored)
    feeds = accounts.list_feeds(client.app.state.web.db())
    page = client.get("/feeds").text
    client.post(f"/feeds/{feeds[0]['id']}/revoke", data={"csrf": csrf_of(page)})
    assert client.get(f"{url}.atom").status_code == 404


def test_export_csv_and_json_of_matches_and_search(client, world):
    r = client.get("/export/matches.csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 3 and {r["topic"] for r in rows} == {"chips", "humanoid-robots"}
    assert all(r["url"].startswith("https://") for r in rows)
    data = client.get("/export/matches.json", params={"topic": "chips"}).json()
    assert len(data) == 2 and all("芯片" in d["terms"] or "集成电路" in d["terms"] for d in data)
    assert client.get("/export/matches.json",
                      params={"from": "2001-01-01", "to": "2001-01-31"}).json() == []
    data = client.get("/export/search.json", params={"q": "集成电路"}).json()
    assert sorted(d["article_id"] for d in data) == cli_search(world, "集成电路")
    r = client.get("/export/search.csv", params={"q": "芯片 AND ("})
    assert r.status_code == 400
    assert "Export" in client.get("/export").text


def test_chinese_labels_by_accept_language_and_switch(client):
    r = client.get("/matches", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert "<h1>匹配</h1>" in r.text and 'lang="zh-CN"' in r.text
    r = client.get("/matches", headers={"Accept-Language": "en-GB,zh;q=0.3"})
    assert "<h1>Matches</h1>" in r.text
    r = client.get("/lang", params={"to": "zh", "next": "/topics"}, follow_redirects=False)
    assert r.headers["location"] == "/topics"
    assert client.get("/lang", params={"to": "zh", "next": "//evil.example/x"},
                      follow_redirects=False).headers["location"] == "/"
    client.cookies.set("lang", "zh")
    try:
        assert "<h1>主题</h1>" in client.get("/topics").text
    finally:
        client.cookies.delete("lang")


def test_every_label_has_a_chinese_translation():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r'_\("((?:[^"\\]|\\.)*)"\)', path.read_text(encoding="utf-8")))
    used |= {"Matches", "Search", "Topics", "Sources", "Deliveries", "Feeds", "Export"}
    missing = sorted(u for u in used if u not in i18n.ZH)
    assert not missing, missing


def test_security_headers_and_static_htmx(client):
    r = client.get("/matches")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:200]
    assert "Zero-Clause BSD" in client.get("/static/htmx.LICENSE.txt").text
