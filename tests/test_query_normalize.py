"""Normalisation: case, width, traditional → simplified, punctuation and spacing; the fast
path must agree with OpenCC and NFKC, and offsets must lead back to the original text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opencc import OpenCC

from alerts.normalize import fold, normalize, normalize_with_offsets, position_map


@pytest.mark.parametrize("raw,expected", [
    ("AI", "ai"),
    ("ＡＩ＋製造", "ai+制造"),
    ("ＡＢＣ１２３", "abc123"),
    ("人工智能 ＋ 制造", "人工智能+制造"),
    ("AI + Manufacturing", "ai+manufacturing"),
    ("AI+manufacturing", "ai+manufacturing"),
    ("new   quality\n productive\tforces", "new quality productive forces"),
    ("国发〔2024〕12号", "国发[2024]12号"),
    ("【通知】", "[通知]"),
    ("“人工智能+”", '"人工智能+"'),
    ("工業和資訊化部", "工业和资讯化部"),
    ("不瞭解", "不了解"),  # a phrase whose conversion is not character by character
    ("　全角空格　", "全角空格"),
    ("  leading and trailing  ", "leading and trailing"),
    ("Ｅ－ｍａｉｌ", "e-mail"),
    ("", ""),
])
def test_examples(raw, expected):
    assert normalize(raw) == expected


def test_normalising_twice_changes_nothing_on_every_mapped_character():
    from alerts.normalize import _tables

    table = _tables()[0]
    for code, out in table.items():
        assert normalize(out) == normalize(chr(code)) or not out.strip(), hex(code)


TRADITIONAL = ("國務院關於深入實施「人工智能+」行動的意見，工業和信息化部推動積體電路與"
               "機器人產業發展，加強數據要素與網絡安全，鞏固經濟回升向好態勢。")


T2S = OpenCC("t2s")


def test_traditional_text_agrees_with_opencc():
    assert fold(TRADITIONAL) == T2S.convert(TRADITIONAL).lower().translate(
        {ord("「"): "「", ord("」"): "」", ord("，"): ",", ord("+"): "+"})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(TRADITIONAL + "說話時間學習發現電腦軟體")),
               max_size=40))
def test_characters_fold_like_opencc(text):
    # Character by character OpenCC t2s (phrases aside), then our punctuation folding.
    expected = "".join(T2S.convert(c) for c in text)
    assert fold(expected) == fold(text) or any(len(p) > 1 for p in _phrases_in(text))


def _phrases_in(text):
    from alerts.normalize import _tables

    phrases = _tables()[2]
    return [p for p in phrases if p in text]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_idempotent_and_nfkc_compatible(text):
    once = normalize(text)
    assert normalize(once) == once
    # Latin letters and digits come out as NFKC would have them, lower-cased.
    for ch in text:
        nf = unicodedata.normalize("NFKC", ch).lower()
        if len(nf) == 1 and nf.isascii() and nf.isalnum():
            assert nf in once


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ 1\t\n人工智能＋製造ＡＩ〔〕瞭解ΣΑ-+.,İé\x00")),
               max_size=40))
def test_offsets_lead_back_to_the_original(text):
    normed, offsets = normalize_with_offsets(text)
    assert normed == normalize(text)
    assert len(offsets) == len(normed) + 1
    original = position_map(text)
    for p in range(len(normed) + 1):
        assert original(p) == offsets[p]
    for p, ch in enumerate(normed):
        if ch != " " and not _phrases_in(text):
            assert normalize(text[offsets[p]]) == ch or len(normalize(text[offsets[p]])) != 1


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab1 人智,.\t\n\r\u3000\xa0\x0b\u2028\x00")),
                    max_size=60),
       order=st.randoms(use_true_random=False))
def test_offsets_in_any_order_and_with_every_kind_of_whitespace(text, order):
    # The map keeps earlier answers as starting points: any order of questions must give
    # the reference offsets, with the usual and the rare kinds of whitespace.
    normed, offsets = normalize_with_offsets(text)
    original = position_map(text)
    positions = list(range(len(normed) + 1)) * 2
    order.shuffle(positions)
    for p in positions:
        assert original(p) == offsets[p], (text, p)


def test_every_character_nfkc_or_lower_changes_is_folded():
    import sys

    from alerts.normalize import _tables

    table = _tables()[0]
    for cp in range(0x80, sys.maxunicode + 1):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            continue
        nf = unicodedata.normalize("NFKC", ch).lower()
        if len(nf) == 1 and nf != ch and nf.isascii() and nf.isalnum():
            assert table.get(cp) == nf, hex(cp)
