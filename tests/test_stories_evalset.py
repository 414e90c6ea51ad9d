"""The labelled evaluation set is what the issue asks for, and clustering meets the
targets on its held-out half (the benchmark's quality figures, checked on every run)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from alerts import shingles, stories, story_index
from crawler import archive
from tests.support import story_evalset
from newswatch.storage import open_archive  # noqa: E402


@pytest.fixture(scope="module")
def evalset():
    return story_evalset.make_evalset()


def test_the_set_is_the_same_for_the_same_seed(evalset):
    again = story_evalset.make_evalset()
    assert [(d.id, d.title, d.body, d.fetched) for d in again.docs] == \
        [(d.id, d.title, d.body, d.fetched) for d in evalset.docs]
    other = story_evalset.make_evalset(seed=1)
    assert [d.body for d in other.docs] != [d.body for d in evalset.docs]


def test_eighty_stories_of_two_to_six_articles_in_both_languages(evalset):
    found = evalset.stories()
    assert len(found) >= 80
    assert all(2 <= len(m) <= 6 for m in found.values())
    assert sum(1 for m in found.values() if len({d.lang for d in m}) == 2) >= 40
    kinds = Counter(d.kind for d in evalset.docs)
    assert kinds["rewrite"] >= 20 and kinds["translation"] >= 40
    assert kinds["republication"] >= 40
    assert sum(1 for d in evalset.docs if d.doc_number) >= 5  # ministry notices
    assert sum(1 for d in evalset.docs if d.original_source) >= 5  # credited sources


def test_hard_negatives_outnumber_the_same_story_pairs_and_share_institution_and_week(evalset):
    kinds = Counter(p.kind for p in evalset.pairs)
    same = sum(1 for p in evalset.pairs if p.same)
    assert kinds["hard-negative"] >= same
    assert kinds["cross-language"] >= 80 and kinds["rewrite"] >= 40
    firsts = {s: min(d.published for d in m) for s, m in evalset.stories().items()}
    for p in evalset.pairs:
        if p.kind == "hard-negative":
            a, b = evalset.doc(p.a), evalset.doc(p.b)
            assert a.group == b.group and a.story != b.story
            gap = abs(datetime.fromisoformat(firsts[a.story]) - datetime.fromisoformat(firsts[b.story]))
            assert gap.days < 7


def test_a_group_is_wholly_in_one_split(evalset):
    assert set(evalset.splits.values()) == {"tune", "test"}
    for p in evalset.pairs:
        assert evalset.splits[evalset.doc(p.a).group] == p.split == evalset.splits[evalset.doc(p.b).group]


def test_its_page_furniture_is_not_what_the_normaliser_strips(evalset):
    """Most furniture lines survive the shingle normaliser: the set does not test the
    normaliser against its own list."""
    added = kept = 0
    for d in evalset.docs:
        if d.kind != "republication":
            continue
        source = evalset.doc(d.id.split("~")[0])
        for line in d.body.split("\n"):
            if line and line not in source.body:
                added += 1
                kept += bool(shingles.strip_boilerplate(line).strip())
    assert added >= 100 and kept / added >= 0.7


def test_archive_order_is_not_publication_order(evalset):
    by_fetch = sorted(evalset.docs, key=lambda d: d.fetched)
    assert by_fetch != sorted(evalset.docs, key=lambda d: d.published)


def test_clustering_meets_the_targets_on_the_held_out_groups(evalset, tmp_path):
    story_index._indexes.clear()
    db = open_archive(tmp_path / "eval.db")
    ids = {}
    for d in sorted(evalset.docs, key=lambda d: (d.fetched, d.id)):
        url = f"https://eval.example/{d.id}"
        ids[d.id] = db["articles"].insert({
            "canonical_url": url, "url": url, "source": d.site, "site": d.site,
            "title": d.title, "body": d.body, "lang": d.lang, "published": d.published,
            "fetched": d.fetched, "doc_number": d.doc_number,
            "original_source": d.original_source}).last_pk
    stories.cluster_new(db, window_days=3)
    story = {k: stories.story_of(db, v) for k, v in ids.items()}
    test = [p for p in evalset.pairs if p.split == "test"]
    tp = sum(1 for p in test if p.same and story[p.a] == story[p.b])
    fp = sum(1 for p in test if not p.same and story[p.a] == story[p.b])
    fn = sum(1 for p in test if p.same and story[p.a] != story[p.b])
    assert tp / (tp + fp) >= 0.97
    assert tp / (tp + fn) >= 0.90
    for kind in ("cross-language", "rewrite"):
        pairs = [p for p in test if p.kind == kind]
        assert sum(story[p.a] == story[p.b] for p in pairs) / len(pairs) >= 0.85, kind
    # A story's first article is its earliest published, whatever order they came in.
    for members in evalset.stories().values():
        sid = story[members[0].id]
        earliest = min((d for d in members if story[d.id] == sid), key=lambda d: d.published)
        assert stories.get_story(db, sid)["first_article_id"] == ids[earliest.id]
    db.close()
    story_index._indexes.clear()
