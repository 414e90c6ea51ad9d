"""Normalisation, shingles and sketches: what makes two copies of a story compare equal."""

from __future__ import annotations

import subprocess
import sys

import pytest

from alerts import shingles

ORIGINAL = ("工业和信息化部近日印发《关于推动人工智能产业高质量发展的指导意见》，提出到2028年，"
            "我国人工智能核心产业规模超过1.2万亿元。\n"
            "《指导意见》明确了五个方面十八项重点任务，支持智能芯片、深度学习框架和基础软件攻关。")


def test_normalise_folds_width_case_script_and_punctuation():
    assert shingles.normalise("ＡＢＣ１２３，Hello World！") == "abc123helloworld"
    assert shingles.normalise("國務院辦公廳關於進一步加強") == "国务院办公厅关于进一步加强"
    assert shingles.normalise("① Ⅻ ﬁ") == "1xf"  # compatibility forms fold (first character kept)


@pytest.mark.parametrize("line", [
    "责任编辑：王磊", "責任編輯：王磊", "（来源：工业和信息化部网站）", "来源: 新华社", "原标题：工信部印发意见",
    "【纠错】", "分享到：", "扫一扫在手机打开当前页", "（记者 王磊）", "Editor: Li Wei",
    "Source: Xinhua", "Copyright © 2026 Xinhua. All rights reserved.", "Print", "(Xinhua)",
])
def test_editor_source_and_widget_lines_are_dropped(line):
    assert shingles.normalise(ORIGINAL + "\n" + line) == shingles.normalise(ORIGINAL)


def test_a_paragraph_that_only_starts_like_a_credit_is_kept():
    text = "来源地区方面，东部地区完成软件业务收入86,400亿元，同比增长11.5%，中部和西部地区分别增长。"
    assert shingles.normalise(text).startswith("来源地区方面")
    assert "问" in shingles.normalise("问：请问商务部对此有何评论？这是一段很长的提问，不是编辑署名，也不是来源说明，应当保留。")


def test_traditional_reprint_has_the_same_shingles():
    import opencc

    traditional = opencc.OpenCC("s2t").convert(ORIGINAL)
    assert traditional != ORIGINAL
    assert shingles.article_shingles("", traditional, "zh") == \
        shingles.article_shingles("", ORIGINAL, "zh")


def test_shingle_hashes_are_the_same_in_another_process():
    # Signatures are stored: a different process (another PYTHONHASHSEED) must agree.
    here = sorted(shingles.shingles("人工智能产业", 3))
    code = ("from alerts import shingles; "
            "print(sorted(shingles.shingles('人工智能产业', 3)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONHASHSEED": "123", "PATH": ""}, check=True,
                         cwd=str(__import__("pathlib").Path(__file__).parent.parent))
    assert out.stdout.strip() == str(here)
    assert len(here) == 4


def test_short_text_is_one_shingle_and_empty_is_none():
    assert len(shingles.shingles("ab", 3)) == 1
    assert shingles.shingles("", 3) == set()
    assert shingles.article_shingles(None, None, "zh") == set()


def test_a_headline_only_brief_is_shingled_with_its_title():
    assert shingles.article_shingles("国务院常务会议部署稳就业工作", "", "zh")


def test_fast_sketch_equals_datasketch_update_batch(monkeypatch):
    sset = shingles.article_shingles("", ORIGINAL, "zh")
    fast = shingles.sketch(sset)
    monkeypatch.setattr(shingles, "_fmix", None)  # datasketch's own update_batch path
    slow = shingles.sketch(sset)
    assert (fast.hashvalues == slow.hashvalues).all()
    assert fast.jaccard(slow) == 1.0


def test_sketch_bytes_round_trip():
    sk = shingles.sketch(shingles.article_shingles("", ORIGINAL, "zh"))
    blob = shingles.sketch_to_bytes(sk)
    assert len(blob) == 4 * shingles.NUM_PERM
    assert shingles.sketch_from_bytes(blob).jaccard(sk) == 1.0


def test_containment_forgives_a_trimmed_body_jaccard_does_not():
    full = shingles.article_shingles("", ORIGINAL, "zh")
    trimmed = shingles.article_shingles("", ORIGINAL.split("\n")[1], "zh")
    assert shingles.resemblance(full, trimmed) == 1.0
    assert shingles.jaccard(full, trimmed) < 0.6
    assert shingles.resemblance(full, set()) == 0.0
