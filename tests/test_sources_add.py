"""`newswatch sources add`: a saved page's inferred items as JSON lines, a seed built from a
live list page (here a loopback replay web), feeds and news sitemaps preferred when they
cover the list, and `sources doctor` on a good and a broken seed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.seeds import load_source
from newswatch.cli import main
from tests.support.list_site import HOST, LIST_URL, article_url, title, write_seed, write_site
from tests.support.replay_site import replay_site

ROOT = Path(__file__).resolve().parent.parent
SITES = ROOT / "tests" / "fixtures" / "sites"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_a_saved_page_prints_its_items_as_json_lines():
    page = SITES / "www.ndrc.gov.cn" / "xwdt" / "xwfb" / "index.html"
    result = run("sources", "add", page, "--url", "https://www.ndrc.gov.cn/xwdt/xwfb/",
                 "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0] == {"url": "https://www.ndrc.gov.cn/xwdt/xwfb/202611/t20261126_1401783.html",
                       "title": "国家发展改革委举行11月份新闻发布会", "date": "2026/11/26"}
    assert len(rows) == 2


def test_a_saved_json_wrapped_page_works_too():
    unit = next((SITES / "www.miit.gov.cn/api-gateway/jpaas-publish-server/front/page/build")
                .glob("unit@sha1-c2*"))
    result = run("sources", "add", unit, "--url", "https://www.miit.gov.cn/api/unit?x=1",
                 "--json")
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["date"] for r in rows] == ["2026-11-23", "2026-11-18"]


def test_a_saved_page_needs_its_url_and_bad_input_says_what_is_wrong(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>nothing here</p></body></html>")
    result = CliRunner().invoke(main, ["sources", "add", str(page), "--json"])
    assert result.exit_code != 0 and "--url" in result.output
    result = CliRunner().invoke(main, ["sources", "add", str(page), "--url",
                                       "https://x.example.cn/", "--json"])
    assert result.exit_code == 1 and "no article list" in result.output
    result = CliRunner().invoke(main, ["sources", "add", str(tmp_path / "missing.html"),
                                       "--url", "https://x.example.cn/"])
    assert result.exit_code == 1 and "missing.html" in result.output


@pytest.fixture()
def web(tmp_path):
    root = tmp_path / "web"
    write_site(root, [5, 4, 3, 2, 1])
    with replay_site(root) as site:
        yield site, root


def test_add_builds_a_validated_commented_seed_from_the_live_page(web, tmp_path):
    site, _ = web
    seeds = tmp_path / "seeds"
    result = run("sources", "--sources-dir", seeds, "add", LIST_URL, "--replay", site.url,
                 "--name", "gxt-new")
    assert result.exit_code == 0, result.output
    path = seeds / "gxt-new.toml"
    text = path.read_text(encoding="utf-8")
    assert "unverified" in text and text.startswith("# ")
    source = load_source(path)
    assert source.kind == "html" and source.language == "zh"
    assert source.list["items"] == "ul.list > li" and source.list["date"] == "span::text"
    assert source.site_id(article_url(3)) == "20261113_5003"
    assert source.pagination["next"]
    assert source.article.get("body") == "div.TRS_Editor"
    assert title(5) in result.output  # the preview table
    # Added twice: the file is kept, the error names it.
    again = CliRunner().invoke(main, ["sources", "--sources-dir", str(seeds), "add", LIST_URL,
                                      "--replay", site.url, "--name", "gxt-new"])
    assert again.exit_code == 1 and "exists already" in again.output


def test_dry_run_writes_nothing(web, tmp_path):
    site, _ = web
    seeds = tmp_path / "seeds"
    result = run("sources", "--sources-dir", seeds, "add", LIST_URL, "--replay", site.url,
                 "--dry-run")
    assert result.exit_code == 0 and "dry run: not written" in result.output
    assert not seeds.exists() or not list(seeds.glob("*.toml"))


def test_an_advertised_feed_covering_the_list_is_preferred(web, tmp_path):
    site, root = web
    page = root / HOST / "zwdt" / "tzgg" / "index.html"
    html = page.read_text(encoding="utf-8").replace(
        "<head>", '<head><link rel="alternate" type="application/rss+xml" href="/rss/tzgg.xml">')
    page.write_text(html, encoding="utf-8")
    items = "".join(f"<item><title>{title(i)}</title><link>{article_url(i)}</link>"
                    f"<pubDate>Tue, {10 + i} Nov 2026 01:30:00 GMT</pubDate></item>"
                    for i in (5, 4, 3))
    site.publish(f"https://{HOST}/rss/tzgg.xml",
                 f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>')
    result = run("sources", "--sources-dir", tmp_path / "s", "add", LIST_URL, "--replay",
                 site.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert 'kind = "feed"' in result.output
    assert f'start_urls = ["https://{HOST}/rss/tzgg.xml"]' in result.output


def test_a_news_sitemap_in_robots_txt_stands_in_for_a_script_rendered_list(tmp_path):
    root = tmp_path / "web"
    with replay_site(root) as site:
        site.publish(f"https://{HOST}/zwdt/tzgg/", "<html><body><div id='app'></div>"
                     "<script src='/app.js'></script></body></html>")
        site.publish(f"https://{HOST}/robots.txt",
                     f"User-agent: *\nSitemap: https://{HOST}/news-sitemap.xml\n")
        urls = "".join(f"<url><loc>{article_url(i)}</loc><news:news><news:title>{title(i)}"
                       f"</news:title></news:news><lastmod>2026-11-{10 + i}</lastmod></url>"
                       for i in (2, 1))
        site.publish(f"https://{HOST}/news-sitemap.xml",
                     '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                     'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                     f"{urls}</urlset>")
        result = run("sources", "--sources-dir", tmp_path / "s", "add", LIST_URL, "--replay",
                     site.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert 'kind = "sitemap"' in result.output and "robots.txt" in result.output


def test_doctor_passes_a_working_seed_and_names_the_lines_to_change_after_a_redesign(
        tmp_path):
    root, seeds = tmp_path / "web", tmp_path / "seeds"
    write_seed(seeds)
    with replay_site(root) as site:
        write_site(root, [3, 2, 1])
        good = run("sources", "--sources-dir", seeds, "doctor", "gxt-notices", "--replay",
                   site.url, "--json")
        write_site(root, [3, 2, 1], redesigned=True)
        bad = run("sources", "--sources-dir", seeds, "doctor", "gxt-notices", "--replay",
                  site.url)
        bad_json = run("sources", "--sources-dir", seeds, "doctor", "gxt-notices", "--replay",
                       site.url, "--json")
    assert good.exit_code == 0, good.output
    report = json.loads(good.output)
    assert report["ok"] and report["urls"][0]["status"] == 200
    assert report["urls"][0]["seed_items"] == 3 and report["urls"][0]["inferred_items"] == 3
    assert len(report["samples"]) == 3
    assert report["samples"][0]["sources"]["title"] == "meta"
    assert bad.exit_code == 1
    assert "the seed's selectors find no article link" in bad.output
    assert "items = \"div.news-list > div\"  # was \"ul.list li\"" in bad.output
    changes = json.loads(bad_json.output)["changes"]
    assert 'date = "em.d::text"  # was "span::text"' in changes


def test_doctor_reports_a_block_and_an_unknown_source(tmp_path):
    root, seeds = tmp_path / "web", tmp_path / "seeds"
    write_seed(seeds)
    with replay_site(root) as site:
        site.publish(LIST_URL, "<html><script>document.cookie='__jsl_clearance=1';"
                     "location.reload()</script></html>")
        result = run("sources", "--sources-dir", seeds, "doctor", "gxt-notices", "nope",
                     "--replay", site.url)
    assert result.exit_code == 1
    assert "blocked (challenge (" in result.output  # the access classifier's words
    assert "unknown source 'nope'" in result.output


def test_a_sitemap_url_becomes_a_sitemap_seed(tmp_path):
    root = tmp_path / "web"
    with replay_site(root) as site:
        site.publish(f"https://{HOST}/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http:'
                     '//www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
                         f"<url><loc>{article_url(i)}</loc></url>" for i in (1, 2)) + "</urlset>")
        result = run("sources", "--sources-dir", tmp_path / "s", "add",
                     f"https://{HOST}/sitemap.xml", "--replay", site.url, "--dry-run")
    assert result.exit_code == 0, result.output
    assert 'kind = "sitemap"' in result.output and 'name = "gxt-sitemap"' in result.output


def test_doctor_proposes_the_article_selector_that_replaces_a_broken_one(tmp_path):
    root, seeds = tmp_path / "web", tmp_path / "seeds"
    write_seed(seeds)
    write_site(root, [2, 1])
    for page in (root / HOST).rglob("t2026*.html"):
        page.write_text(page.read_text(encoding="utf-8").replace("TRS_Editor", "article-body"),
                        encoding="utf-8")
    with replay_site(root) as site:
        result = run("sources", "--sources-dir", seeds, "doctor", "gxt-notices", "--replay",
                     site.url, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["problems"] == ["[article] selectors that match nothing: body"]
    changes = report["changes"]
    assert changes[0] == "[article]"
    assert changes[1].startswith('body = "div.article-body"  # was "div.TRS_Editor"')


def test_add_on_a_blocked_page_says_so(tmp_path):
    with replay_site(tmp_path / "web") as site:
        site.publish(LIST_URL, "<html><script>document.cookie='__jsl_clearance=1';"
                     "location.reload()</script></html>")
        result = CliRunner().invoke(main, ["sources", "--sources-dir", str(tmp_path / "s"),
                                           "add", LIST_URL, "--replay", site.url])
    assert result.exit_code == 1
    assert f"{LIST_URL}: could not fetch the page: blocked (challenge (" in result.output
    assert 'render = "auto"' in result.output  # and what to do
