"""Bad input (issue 2 §8): each is reported with the source and the URL, and the crawl
goes on with the rest."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import pytest

from crawler import archive
from crawler.seeds import load_source
from newswatch.crawl.runner import CrawlOptions, crawl_source
from tests.support.replay_site import replay_site
from newswatch.storage import open_archive  # noqa: E402

H = "www.bad.example"
GOOD_PAGE = ("<html><head><meta charset='utf-8'><title>{t}</title></head><body><h1>{t}</h1>"
             "<div class='content'><p>{t}。{b}</p></div></body></html>")
BODY = "关于推进制造业数字化转型的通知。各地要加快推进重点项目建设，确保按期完成目标任务。" * 3

# article path -> (content or None, sidecar or None)
ARTICLES = {
    "good.html": (GOOD_PAGE.format(t="正常文章标题", b=BODY), None),
    "missing.html": (None, None),  # 404
    "error.html": (None, "status = 500\n"),
    "slow.html": (GOOD_PAGE.format(t="slow", b=BODY), "delay = 8\n"),
    "loop-a.html": (None, f'status = 302\n[headers]\nLocation = "https://{H}/a/loop-b.html"\n'),
    "loop-b.html": (None, f'status = 302\n[headers]\nLocation = "https://{H}/a/loop-a.html"\n'),
    "truncated.html": (GOOD_PAGE.format(t="截断的文章标题", b=BODY)[:-40], None),
    "huge.html": ("<html><body>" + "x" * (20 * 1024 * 1024) + "</body></html>", None),
    "doc.html": ("%PDF-1.4 binary", 'content_type = "application/pdf"\n'),
    "wrong-charset.html": (GOOD_PAGE.format(t="错误字符集的标题", b=BODY).encode("gbk"),
                           'charset = "utf-8"\n'),
}
LISTS = {  # source name -> [(list path, list content or None, sidecar or None)]
    "bad-articles": [("list/", "<ul>" + "".join(f"<li><a href='/a/{p}'>{p}</a></li>"
                                                 for p in ARTICLES) + "</ul>", None)],
    "list-failed": [("gone/", None, None), ("down/", None, "status = 500\n")],
    "list-empty": [("empty/", "<html><body><p>页面改版了</p></body></html>", None)],
    "list-blocked": [("forbidden/", "Forbidden", "status = 403\n"),
                     ("challenge/", "<html><script>document.cookie='__jsl_clearance=1';"
                                    "location.reload()</script></html>", None)],
}


def seed(name: str, *urls: str) -> str:
    return textwrap.dedent(f"""\
        name = "{name}"
        title = "{name}"
        site = "Bad"
        kind = "html"
        language = "zh"
        start_urls = {json.dumps(list(urls))}
        download_delay = 0
        [list]
        link = "a::attr(href)"
        [article]
        body = "div.content"
        """)


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    seeds = root / "seeds"
    seeds.mkdir()
    with replay_site(root / "web") as site:
        for name, pages in LISTS.items():
            urls = [f"https://{H}/{path}" for path, _, _ in pages]
            for url, (_, content, meta) in zip(urls, pages):
                if content is not None or meta is not None:
                    site.publish(url, content or "", meta=meta)
                    if content is None:
                        site.file_for(url).unlink()
            (seeds / f"{name}.toml").write_text(seed(name, *urls), encoding="utf-8")
        for path, (content, meta) in ARTICLES.items():
            if content is not None or meta is not None:
                site.publish(f"https://{H}/a/{path}", content or "", meta=meta)
                if content is None:
                    site.file_for(f"https://{H}/a/{path}").unlink()
        (seeds / "broken-toml.toml").write_text('name = "broken-toml"\ntitle = ', "utf-8")
        (seeds / "bad-kind.toml").write_text(seed("bad-kind", f"https://{H}/list/").replace(
            'kind = "html"', 'kind = "rss"'), "utf-8")
        (seeds / "no-urls.toml").write_text(seed("no-urls", "x").replace(
            'start_urls = ["x"]\n', ""), "utf-8")
        db = root / "bad.db"
        env = {**os.environ, "NEWSWATCH_CONFIG": "", "COLUMNS": "250"}
        result = subprocess.run(
            [sys.executable, "-m", "newswatch", "crawl", "--db", str(db), "--sources-dir",
             str(seeds), "--replay", site.url, "--jobs", "4", "-s", "DOWNLOAD_TIMEOUT=4",
             "-s", "RETRY_TIMES=0"], capture_output=True, text=True, env=env, timeout=240)
    conn = open_archive(db)
    runs = {r["source"]: dict(r, errors=json.loads(r["errors"]))
            for r in conn.query("SELECT * FROM runs")}
    articles = {r["url"].rsplit("/", 1)[1]: dict(r) for r in conn.query("SELECT * FROM articles")}
    return result, runs, articles


def errors_of(runs, source) -> dict[str, str]:
    return {e["url"].rsplit("/", 1)[-1] or e["url"]: e["error"] for e in runs[source]["errors"]}


def test_the_crawl_goes_on_and_exits_non_zero(bad_crawl):
    result, runs, articles = bad_crawl
    assert result.returncode == 1
    assert set(runs) == set(LISTS)
    assert "good.html" in articles


def test_invalid_seeds_are_named_with_file_and_field(bad_crawl):
    result, _, _ = bad_crawl
    out = result.stdout + result.stderr
    assert "broken-toml.toml: not valid TOML" in out
    assert "bad-kind.toml: field 'kind': must be one of html, json, feed, sitemap, got 'rss'" in out
    assert "no-urls.toml: field 'start_urls': missing" in out
    assert out.count("invalid") >= 3


def test_bad_article_pages_are_reported_by_url(bad_crawl):
    result, runs, articles = bad_crawl
    run = runs["bad-articles"]
    errors = errors_of(runs, "bad-articles")
    assert run["outcome"] == "ok"
    assert errors["missing.html"] == "HTTP 404"
    assert errors["error.html"] == "HTTP 500"
    assert errors["slow.html"] == "timed out after 4 s"
    assert errors["loop-a.html"].startswith("redirect loop")
    assert errors["huge.html"].startswith("page too large: 20,971,5")
    assert "expected an HTML page, got application/pdf" in errors["doc.html"]
    assert run["items_failed"] == 7  # loop-b.html is listed too
    # The summary names source and URL.
    assert f"bad-articles: https://{H}/a/missing.html: HTTP 404" in result.stderr


def test_truncated_and_mislabelled_pages_are_still_archived(bad_crawl):
    _, runs, articles = bad_crawl
    assert articles["truncated.html"]["title"] == "截断的文章标题"
    assert articles["wrong-charset.html"]["title"] == "错误字符集的标题"
    assert "制造业数字化转型" in articles["wrong-charset.html"]["body"]
    assert runs["bad-articles"]["items_new"] == 3


@pytest.mark.parametrize("source,outcome,words", [
    ("list-failed", "failed", "list page: HTTP 404"),
    ("list-failed", "failed", "list page: HTTP 500"),
    ("list-empty", "empty", "0 items"),
    ("list-blocked", "blocked", "blocked: HTTP 403"),
    ("list-blocked", "blocked", "challenge page"),
])
def test_list_page_failures_have_their_outcome(bad_crawl, source, outcome, words):
    result, runs, _ = bad_crawl
    run = runs[source]
    assert run["outcome"] == outcome
    assert any(words in e["error"] and e["url"].startswith(f"https://{H}/")
               for e in run["errors"]), run["errors"]
    assert f"{source}:" in result.stderr


def test_connection_refused_is_a_failed_run(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    (tmp_path / "refused.toml").write_text(seed("refused", f"http://127.0.0.1:{port}/list/"))
    source = load_source(tmp_path / "refused.toml")
    result = crawl_source(source, CrawlOptions(db=tmp_path / "r.db", sources_dir=tmp_path,
                                               polite=False,
                                               settings={"RETRY_TIMES": "0"}))
    assert result.outcome == "failed"
    assert any("connection refused" in e["error"].lower() for e in result.errors), result.errors
