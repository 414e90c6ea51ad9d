"""cluster_new on a real SQLite archive: who joins which story, the cursor, crashes."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alerts import stories, story_index
from crawler import archive
from tests.support.archive_articles import add_article, story_db  # noqa: F401 (fixture db)
from tests.support.backends import archive_target, postgres_server  # noqa: F401
from newswatch.storage import open_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)

GUIDELINE = [
    "近日，工业和信息化部印发《关于推动人工智能产业高质量发展的指导意见》，提出到2028年，我国人工智能核心产业"
    "规模超过1.2万亿元，培育50家以上具有国际竞争力的领军企业。",
    "《指导意见》明确了五个方面十八项重点任务：夯实算力基础，有序布局智能算力中心；突破关键技术，支持智能芯片、"
    "深度学习框架和基础软件攻关；丰富应用场景，在制造、能源、交通等领域打造标杆应用。",
    "在产业生态方面，《指导意见》提出建立人工智能安全评测体系，完善数据标注、模型训练等环节的标准。",
    "工业和信息化部有关负责人表示，下一步将会同有关部门加强统筹协调，建立部省联动工作机制。",
]
STANDARDS = [
    "11月20日，工业和信息化部在北京召开全国人工智能标准化工作推进会，总结近两年人工智能标准体系建设进展。",
    "会议指出，我国已发布人工智能国家标准46项、行业标准31项，覆盖基础共性、关键技术、安全治理等方向。",
    "会议要求，要加快大模型能力评估、智能体互操作、人形机器人等急需标准的研制，缩短标准制定周期。",
]


def at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def test_republications_join_one_story_and_a_sibling_story_does_not(db):
    original = add_article(db, title="工业和信息化部印发指导意见", body="\n".join(GUIDELINE),
                           site="www.miit.gov.cn", published=at(0))
    sibling = add_article(db, title="全国人工智能标准化工作推进会在京召开", body="\n".join(STANDARDS),
                          site="www.miit.gov.cn", published=at(1))
    reprint = add_article(db, title="权威发布｜工信部：推动人工智能产业高质量发展",
                          body="新华社北京11月20日电 " + "\n".join(GUIDELINE[1:])
                          + "\n责任编辑：王磊\n（来源：工业和信息化部网站）",
                          site="www.news.cn", published=at(3))
    import opencc

    hk = add_article(db, title=opencc.OpenCC("s2t").convert("工信部印发人工智能指导意见"),
                     body=opencc.OpenCC("s2t").convert("\n".join(reversed(GUIDELINE))),
                     site="www.hkcna.hk", published=at(20))
    assert stories.cluster_new(db, now=T0 + timedelta(days=1)) == 4
    story = stories.story_of(db, original)
    assert stories.story_of(db, reprint) == story
    assert stories.story_of(db, hk) == story
    assert stories.story_of(db, sibling) not in (None, story)
    members = stories.members(db, story)
    assert [m["id"] for m in members] == [original, reprint, hk]
    assert members[0]["matched_article_id"] is None and members[0]["similarity"] == 1.0
    assert members[1]["matched_article_id"] == original and members[1]["similarity"] > 0.9
    assert {"url", "title", "site", "source", "original_source", "published", "fetched",
            "lang"} <= set(members[0])
    row = stories.get_story(db, story)
    assert row["first_article_id"] == original and row["size"] == 3
    assert row["first_seen"] == at(0) and row["last_seen"] == at(20)


def test_recent_lists_outlets_and_respects_days(db):
    a = add_article(db, title="t", body="\n".join(GUIDELINE), site="www.miit.gov.cn", published=at(0))
    add_article(db, title="t2", body="\n".join(GUIDELINE) + "\n编辑：李娜", site="www.gov.cn",
                published=at(2))
    add_article(db, title="old", body="\n".join(STANDARDS), site="www.miit.gov.cn",
                published=at(-24 * 10))
    stories.cluster_new(db, now=T0)
    found = stories.recent(db, 3, now=T0 + timedelta(hours=3))
    assert len(found) == 1
    assert found[0]["first_article_id"] == a
    assert found[0]["outlets"] == ["www.miit.gov.cn", "www.gov.cn"]
    assert len(stories.recent(db, 30, now=T0 + timedelta(hours=3))) == 2


def test_the_same_text_outside_the_window_starts_a_story(db):
    body = "\n".join(GUIDELINE)
    first = add_article(db, title="a", body=body, published=at(0))
    later = add_article(db, title="b", body=body + "\n编辑：李娜", published=at(24 * 5))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(days=6))
    assert stories.story_of(db, first) != stories.story_of(db, later)


def test_shingles_compare_one_language_only_but_the_facts_cross_over(db):
    """The same Chinese text under an `en` tag shares no shingle index with its original;
    it still joins through its fingerprints (the same figures, bodies and titles)."""
    body = "\n".join(GUIDELINE)
    first = add_article(db, title="a", body=body, published=at(0))
    other_lang = add_article(db, title="c", body=body + "\n编辑：张静", lang="en", published=at(1))
    stories.cluster_new(db, window_days=3, now=T0 + timedelta(hours=2))
    assert stories.story_of(db, first) == stories.story_of(db, other_lang)
    joined = stories.members(db, stories.story_of(db, first))[1]
    assert joined["link"] == "fingerprints"


def test_exact_duplicates_are_one_story(db):
    body = "\n".join(GUIDELINE)
    a = add_article(db, title="same", body=body, published=at(0))
    b = add_article(db, title="same", body=body, published=at(0))
    stories.cluster_new(db, now=T0)
    assert stories.story_of(db, a) == stories.story_of(db, b)
    assert stories.members(db, stories.story_of(db, a))[1]["similarity"] == 1.0


def test_cursor_advances_and_a_second_run_does_nothing(db):
    ids = [add_article(db, title=f"t{i}", body=f"第{i}条消息。" + STANDARDS[i % 3], published=at(i))
           for i in range(5)]
    assert stories.cursor(db) == 0
    assert stories.cluster_new(db, now=T0, batch=2) == 5
    assert stories.cursor(db) == ids[-1]
    assert stories.cluster_new(db, now=T0) == 0
    assert db.execute("SELECT COUNT(*) FROM story_members").fetchone()[0] == 5


def test_a_crash_mid_batch_commits_nothing_and_the_rerun_assigns_each_once(db, monkeypatch):
    ids = [add_article(db, title=f"t{i}", body="\n".join(GUIDELINE) + f"\n编辑：{i}号",
                       published=at(i)) for i in range(6)]
    real = stories._assign
    calls = []

    def crashing(db_, index, article, *args):
        calls.append(article["id"])
        if len(calls) == 5:
            raise RuntimeError("power cut")
        return real(db_, index, article, *args)

    monkeypatch.setattr(stories, "_assign", crashing)
    with pytest.raises(RuntimeError):
        stories.cluster_new(db, now=T0, batch=3)
    # The first batch of three is committed with its cursor; the second is not.
    assert stories.cursor(db) == ids[2]
    assert db.execute("SELECT COUNT(*) FROM story_members").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM story_signatures").fetchone()[0] == 3
    monkeypatch.setattr(stories, "_assign", real)
    assert stories.cluster_new(db, now=T0) == 3
    rows = db.execute("SELECT article_id, story_id FROM story_members ORDER BY article_id").fetchall()
    assert [r[0] for r in rows] == ids
    assert len({r[1] for r in rows}) == 1
    assert stories.get_story(db, rows[0][1])["size"] == 6


def test_a_new_process_rebuilds_the_index_from_signatures_without_reading_bodies(db, monkeypatch):
    first = add_article(db, title="a", body="\n".join(GUIDELINE), published=at(0))
    stories.cluster_new(db, now=T0)
    story_index._indexes.clear()  # as if a new process started

    def no_reads(*args, **kwargs):
        raise AssertionError("the index rebuild read an article")

    monkeypatch.setattr(archive, "get_article", no_reads)
    index = story_index.index_for(db)
    index.refresh(db, T0.timestamp() - 3 * 86400)
    assert first in index.times
    monkeypatch.undo()
    reprint = add_article(db, title="b", body="\n".join(GUIDELINE[1:]) + "\n来源：新华社",
                          published=at(5))
    stories.cluster_new(db, now=T0)
    assert stories.story_of(db, reprint) == stories.story_of(db, first)


def test_backfilled_old_articles_still_find_each_other(db):
    now = T0 + timedelta(days=60)
    add_article(db, title="new", body="\n".join(STANDARDS), published=now.isoformat())
    stories.cluster_new(db, now=now)
    old = add_article(db, title="old", body="\n".join(GUIDELINE), published=at(0))
    old_reprint = add_article(db, title="old2", body="\n".join(GUIDELINE[1:]), published=at(6))
    stories.cluster_new(db, now=now)
    assert stories.story_of(db, old) == stories.story_of(db, old_reprint)


def test_articles_without_text_or_with_bad_dates_get_their_own_story(db):
    empty = add_article(db, title="", body="", published=at(0))
    bad_date = add_article(db, title="x", body="\n".join(GUIDELINE), published="not a date")
    untagged = add_article(db, title="y", body="\n".join(GUIDELINE) + "\n编辑：周婷", lang=None,
                           published=at(1))
    assert stories.cluster_new(db, now=T0) == 3
    assert stories.story_of(db, empty) is not None
    assert stories.story_of(db, bad_date) == stories.story_of(db, untagged)


def test_an_article_that_cannot_be_sketched_does_not_stop_the_cursor(db, monkeypatch, caplog):
    bad = add_article(db, title="bad", body="\n".join(STANDARDS), published=at(0))
    good = add_article(db, title="good", body="\n".join(GUIDELINE), published=at(1))
    real = stories.shingles.article_shingles

    def flaky(title, body, lang):
        if title == "bad":
            raise ValueError("undecodable")
        return real(title, body, lang)

    monkeypatch.setattr(stories.shingles, "article_shingles", flaky)
    assert stories.cluster_new(db, now=T0) == 2
    assert stories.story_of(db, bad) is not None and stories.story_of(db, good) is not None
    assert "cannot be sketched" in caplog.text


def test_two_processes_clustering_at_once_assign_each_article_once(db, archive_target):
    for i in range(120):
        body = "\n".join(GUIDELINE if i % 2 else STANDARDS) + f"\n第{i // 2}版"
        add_article(db, title=f"t{i}", body=body, published=at(i / 10))
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from newswatch.storage import open_archive\n"
        "from alerts import stories\nfrom crawler import archive\n"
        "from datetime import datetime, timezone\n"
        "db = open_archive(%r)\n"
        "print(stories.cluster_new(db, batch=7, now=datetime(2026, 11, 21, tzinfo=timezone.utc)))\n"
    ) % (str(ROOT), archive_target)
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    counts = [int(p.communicate(timeout=120)[0].strip()) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(counts) == 120
    rows = db.execute("SELECT story_id, COUNT(*) FROM story_members GROUP BY story_id").fetchall()
    assert sum(n for _, n in rows) == 120
    assert len(rows) == 2  # two stories, whichever process placed each article
    sizes = db.execute("SELECT SUM(size) FROM stories").fetchone()[0]
    assert sizes == 120


def test_an_index_kept_by_one_process_sees_what_another_process_added(db, monkeypatch):
    now = T0 + timedelta(days=40)
    recent = "\n".join(STANDARDS)
    old = "\n".join(GUIDELINE)
    add_article(db, title="a", body="第一条。" + "\n".join(GUIDELINE[:2]), published=now.isoformat())
    stories.cluster_new(db, now=now)  # this process now holds an index (max id 1)
    ours = dict(story_index._indexes)
    monkeypatch.setattr(story_index, "_indexes", {})  # another process, its own index
    b_recent = add_article(db, title="b", body=recent, published=now.isoformat())
    b_old = add_article(db, title="c", body=old, published=at(0))  # a backfilled old story
    stories.cluster_new(db, now=now)
    monkeypatch.setattr(story_index, "_indexes", ours)  # back in the first process
    reprint_old = add_article(db, title="d", body=old + "\n编辑：李娜", published=at(2))
    reprint_recent = add_article(db, title="e", body=recent + "\n来源：新华社",
                                 published=now.isoformat())
    stories.cluster_new(db, now=now)
    assert stories.story_of(db, reprint_old) == stories.story_of(db, b_old)
    assert stories.story_of(db, reprint_recent) == stories.story_of(db, b_recent)


def test_an_archive_replaced_under_a_running_process_is_not_confused_with_the_old(tmp_path):
    story_index._indexes.clear()
    path = tmp_path / "swap.db"
    old = open_archive(path)
    add_article(old, title="a", body="\n".join(GUIDELINE), published=at(0))
    stories.cluster_new(old, now=T0)
    old.close()
    for p in tmp_path.glob("swap.db*"):
        p.unlink()
    new = open_archive(path)  # a restored or fresh file at the same path
    first = add_article(new, title="other", body="\n".join(STANDARDS), published=at(0))
    copy = add_article(new, title="b", body="\n".join(GUIDELINE) + "\n编辑：李娜", published=at(1))
    reprint = add_article(new, title="c", body="\n".join(STANDARDS) + "\n来源：新华社",
                          published=at(2))
    stories.cluster_new(new, now=T0)
    assert stories.story_of(new, copy) != stories.story_of(new, first)
    assert stories.story_of(new, reprint) == stories.story_of(new, first)
    new.close()
    story_index._indexes.clear()
