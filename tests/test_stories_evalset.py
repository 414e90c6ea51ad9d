"""The labelled evaluation set is what the issue asks for, and clustering meets the
targets on its held-out half (the benchmark's figures, checked on every test run)."""

from __future__ import annotations

from collections import Counter

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
    assert [(d.id, d.title, d.body) for d in again.docs] == \
        [(d.id, d.title, d.body) for d in evalset.docs]
    other = story_evalset.make_evalset(seed=1)
    assert [d.body for d in other.docs] != [d.body for d in evalset.docs]


def test_it_has_the_pairs_the_issue_asks_for(evalset):
    assert len(evalset.pairs) >= 300
    kinds = Counter(p.kind for p in evalset.pairs)
    for variant in story_evalset.VARIANTS:
        assert kinds[f"variant:{variant}"] >= 40, variant
    assert kinds["same-group"] >= 200  # same ministry, same topic, same day
    assert {p.lang for p in evalset.pairs} == {"zh", "en"}
    assert {p.split for p in evalset.pairs} == {"tune", "test", "extra"}
    assert {p.kind for p in evalset.pairs if p.split == "extra"} == {"rewrite"}
    # A group is wholly in one split, so the held-out figures are honest.
    for p in evalset.pairs:
        if p.kind == "same-group":
            assert evalset.splits[evalset.doc(p.a).group] == p.split


def test_hard_negatives_share_ministry_and_day(evalset):
    for p in evalset.pairs:
        if p.kind == "same-group":
            a, b = evalset.doc(p.a), evalset.doc(p.b)
            assert a.group == b.group and a.base != b.base
            # The stories themselves (not their later reprints) came out the same day.
            assert evalset.doc(a.base).published[:10] == evalset.doc(b.base).published[:10]


def test_edited_republications_change_ten_to_thirty_percent(evalset):
    shares = [d.edit_share for d in evalset.docs if d.variant == "edited"]
    assert len(shares) >= 40
    assert min(shares) >= 0.09 and max(shares) <= 0.31
    assert 0.12 <= sorted(shares)[len(shares) // 2] <= 0.25


def test_script_variants_are_traditional(evalset):
    import opencc

    to_simplified = opencc.OpenCC("t2s")
    for d in evalset.docs:
        if d.variant == "script" and d.lang == "zh":
            assert to_simplified.convert(d.body) != d.body


def test_clustering_meets_the_targets_on_the_held_out_groups(evalset, tmp_path):
    story_index._indexes.clear()
    db = open_archive(tmp_path / "eval.db")
    ids = {}
    for d in sorted(evalset.docs, key=lambda d: (d.published, d.id)):
        url = f"https://{d.site}/{d.id}.html"
        ids[d.id] = db["articles"].insert({
            "canonical_url": url, "url": url, "source": d.site, "site": d.site,
            "title": d.title, "body": d.body, "lang": d.lang, "published": d.published,
            "fetched": d.published}).last_pk
    stories.cluster_new(db, window_days=3)
    story = {k: stories.story_of(db, v) for k, v in ids.items()}
    test = [p for p in evalset.pairs if p.split == "test"]
    tp = sum(1 for p in test if p.same and story[p.a] == story[p.b])
    fp = sum(1 for p in test if not p.same and story[p.a] == story[p.b])
    fn = sum(1 for p in test if p.same and story[p.a] != story[p.b])
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.90
    db.close()
    story_index._indexes.clear()


def test_the_threshold_separates_the_tune_pairs(evalset):
    sets = {d.id: shingles.article_shingles(d.title, d.body, d.lang) for d in evalset.docs}
    tune = [p for p in evalset.pairs if p.split == "tune"]
    said = [(p.same, shingles.resemblance(sets[p.a], sets[p.b]) >= stories.SAME_STORY)
            for p in tune]
    assert sum(1 for same, s in said if same and not s) <= 0.05 * sum(1 for same, _ in said if same)
    assert sum(1 for same, s in said if not same and s) == 0
