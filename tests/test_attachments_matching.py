"""Attachment text in the query language, the engine, the archive and the seeds: what
`attachment:` and `in:` mean, where a match says it is, and what is stored."""

from __future__ import annotations

import textwrap

import pytest

from alerts.engine import Engine
from alerts.query import QueryError, parse, to_text
from alerts.topics import Topic
from crawler import archive
from crawler.seeds import SeedError, load_source

PLAN = "第1页 总体要求\n第2页 主要目标\n第3页 加快人形机器人整机攻关，建设创新中心。"
BUDGET = "项目\t金额\n伺服电机\t1200\n按季度拨付"


def files(*extra):
    return [
        {"name": "人形机器人创新发展实施方案.pdf", "url": "https://m.example/plan.pdf",
         "type": "pdf", "outcome": "ok", "unit": "page", "text": PLAN,
         "pages": [[0, "1"], [PLAN.index("第2页"), "2"], [PLAN.index("第3页"), "3"]]},
        {"name": "资金安排表.xlsx", "url": "https://m.example/b.xlsx", "type": "xlsx",
         "outcome": "ok", "unit": "sheet", "text": BUDGET,
         "pages": [[0, "资金"], [BUDGET.index("按季度"), "说明"]]},
        *extra,
    ]


ARTICLE = {"id": 7, "title": "关于印发实施方案的通知", "source": "m", "site": "M",
           "body": "各有关单位：现将实施方案印发给你们，请认真贯彻执行。", "files": files()}


def topic(query):
    return Topic(name="t", title="t", query=parse(query), query_text=query)


def match(query, article=ARTICLE):
    found = Engine([topic(query)]).match(article)
    return found[0] if found else None


@pytest.mark.parametrize("query,text", [
    ("人形机器人 in:attachment", 'attachment:"人形机器人"'),
    ("in:body 芯片 OR title:AI", '(body:"芯片" OR title:"ai")'),
    ("attachment:(方案 OR 目标) in:title 通知", '((attachment:"方案" OR attachment:"目标") AND title:"通知")'),
    ("in:attachment /第\\d页/", "attachment:/第\\d页/"),
])
def test_in_scopes_every_term_without_a_field_and_renders_reparseably(query, text):
    node = parse(query)
    assert to_text(node) == text
    assert parse(to_text(node)) == node


@pytest.mark.parametrize("query,message,column", [
    ("(a in:body)", "in:body applies to the whole query", 4),
    ("in:pages x", "in: takes title, body, attachment, got 'pages'", 1),
    ("in:attachment", "in:attachment needs terms to look for", 1),
    ("-in:body x", "cannot be negated", 2),
    ("in:title a in:body b", "one scope per query", 12),
])
def test_bad_scopes_are_errors_with_their_column(query, message, column):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert message in err.value.message and err.value.position == column - 1


def test_a_term_anywhere_finds_the_attachment_and_says_where():
    m = match("人形机器人")
    assert m.location["attachment"] == "人形机器人创新发展实施方案.pdf"
    assert m.location["page"] == "3" and m.location["unit"] == "page"
    assert m.location["text"] == "in attachment 《人形机器人创新发展实施方案》.pdf, page 3"
    assert m.snippet.startswith("第1页") and "**人形机器人**" in m.snippet
    assert "伺服" not in m.snippet  # cut within its own file
    [hit] = m.terms_json()
    offset = PLAN.index("人形机器人")
    assert hit == {"term": "人形机器人", "field": "attachment", "at": [[offset, offset + 5]],
                   "attachment": "人形机器人创新发展实施方案.pdf", "pages": ["3"]}


def test_fields_and_scopes_keep_page_and_attachments_apart():
    assert match("body:人形机器人") is None
    assert match("in:body 伺服电机") is None
    assert match("attachment:伺服电机").location["page"] == "资金"
    assert match("attachment:季度").location["text"] == "in attachment 《资金安排表》.xlsx, sheet “说明”"
    assert match("in:attachment 贯彻执行") is None  # the notice's words only
    assert match("贯彻执行 AND attachment:伺服电机").location is None  # snippet: the body
    assert match("in:attachment /第\\d页加快/").location["page"] == "3"
    assert match("title:通知 attachment:建设创新中心") is not None


def test_no_phrase_runs_from_one_file_into_the_next():
    assert match('"创新中心。项目"') is None
    assert match("中心项目") is None


def test_unreadable_files_add_no_text_and_articles_without_files_are_unchanged():
    bad = {"name": "扫描件.pdf", "outcome": "scanned", "text": "", "pages": []}
    odd = {"name": "x.pdf", "outcome": "failed", "text": "人形机器人 leftover", "pages": []}
    only_bad = {**ARTICLE, "files": [bad, odd]}
    assert match("人形机器人", only_bad) is None
    plain = {k: v for k, v in ARTICLE.items() if k != "files"}
    m = match("贯彻执行", plain)
    assert m.location is None and m.terms_json()[0]["field"] == "body"


def test_a_body_hit_on_the_attachment_link_yields_the_snippet_to_the_file():
    article = {**ARTICLE, "body": "现将方案印发给你们。\n附件：人形机器人创新发展实施方案"}
    assert match("人形机器人", article).location["page"] == "3"
    told = {**ARTICLE, "body": "要加快人形机器人发展。\n附件：实施方案"}
    assert match("人形机器人", told).location is None


def test_the_archive_stores_finds_and_replaces_attachment_rows(tmp_path):
    db = archive.connect(tmp_path / "a.db")
    with archive.immediate(db):
        db.execute("INSERT INTO articles(canonical_url, url, source, title, body) "
                   "VALUES ('u', 'u', 's', '通知', '正文内容')")
        archive.store_attachments(db, 1, [{**f, "sha256": f"h{i}", "bytes": 10}
                                          for i, f in enumerate(files())])
    [row] = archive.articles_after(db, 0, with_attachments=True)
    assert [f["name"] for f in row["files"]] == ["人形机器人创新发展实施方案.pdf", "资金安排表.xlsx"]
    assert row["files"][0]["pages"][2] == [PLAN.index("第3页"), "3"]
    assert "files" not in archive.get_article(db, 1)
    assert archive.get_article(db, 1, with_attachments=True)["files"][1]["unit"] == "sheet"
    assert archive.known_attachment(db, canonical_url="https://m.example/plan.pdf")["sha256"] == "h0"
    assert archive.known_attachment(db, sha256="h1")["name"] == "资金安排表.xlsx"
    assert list(archive.full_text_ids(db, '"伺服电机"')) == [1]
    assert list(archive.full_text_ids(db, '("正文内容" AND "伺服电机")')) == [1]  # page + file
    assert list(archive.full_text_ids(db, '"不存在的词"')) == []
    with archive.immediate(db):
        archive.store_attachments(db, 1, [{"url": "https://m.example/c.pdf", "name": "c.pdf",
                                           "outcome": "failed", "detail": "not downloaded: HTTP 404"}])
    assert [f["name"] for f in archive.attachments_of(db, [1])[1]] == ["c.pdf"]
    assert list(archive.full_text_ids(db, '"伺服电机"')) == []  # the index follows
    assert archive.known_attachment(db, canonical_url="https://m.example/c.pdf") is None


SEED = """
    name = "m"
    title = "M"
    site = "M"
    kind = "html"
    language = "zh"
    start_urls = ["https://m.example/list/"]
    attachments = {kinds}
    [list]
    link = "a::attr(href)"
    """


def test_seeds_opt_into_attachment_kinds(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text(textwrap.dedent(SEED.format(kinds='["PDF", "docx", "pdf"]')))
    assert load_source(path).attachments == ("pdf", "docx")
    path.write_text(textwrap.dedent(SEED.format(kinds='["pdf", "ofd"]')))
    with pytest.raises(SeedError) as err:
        load_source(path)
    assert f"{path}: field 'attachments': unknown kind 'ofd'" in str(err.value)
    path.write_text(textwrap.dedent(SEED.format(kinds='"pdf"')))
    with pytest.raises(SeedError, match="must be a list of file kinds"):
        load_source(path)
    path.write_text(textwrap.dedent(SEED.replace("attachments = {kinds}\n", "")))
    assert load_source(path).attachments == ()


def test_every_bundled_ministry_seed_reads_attachments():
    from pathlib import Path

    from crawler.seeds import load_sources

    seeds = load_sources(Path(__file__).resolve().parent.parent / "seeds" / "sources")
    ministries = [s for s in seeds if s.name.split("-")[0] in ("cac", "govcn", "miit", "most", "ndrc")]
    assert ministries and all({"pdf", "docx", "doc", "xlsx"} <= set(s.attachments)
                              for s in ministries)
    assert all(not s.attachments for s in seeds if s not in ministries)
