"""Decoding: BOM, HTTP header, <meta charset>, detection, and declarations that lie."""

import codecs
from pathlib import Path

import pytest

from crawler.extraction import extract
from crawler.extraction.decoding import decode, normalise_encoding

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
# 镕 is in GBK but not in GB2312: decoding GB2312 strictly as GB2312 would fail on it.
TEXT = "工业和信息化部：加快推进智能制造，朱镕基同志曾说“改革开放”。"


def page(charset: str | None, text: str = TEXT) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    return f"<html><head>{meta}<title>标题</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("label, expected", [
    ("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("GB18030", "gb18030"),
    ("UTF8", "utf-8"), ("iso-8859-1", "cp1252"), ("nonsense-charset", None),
])
def test_labels_are_normalised_to_their_superset(label, expected):
    assert normalise_encoding(label) == expected


def test_bom_decides():
    raw = codecs.BOM_UTF8 + page("gbk").encode("utf-8")
    text, encoding = decode(raw)
    assert encoding == "utf-8" and TEXT in text and not text.startswith("\ufeff")
    raw16 = codecs.BOM_UTF16_LE + page(None).encode("utf-16-le")
    assert TEXT in decode(raw16)[0]


def test_meta_gb2312_is_read_as_gb18030():
    text, encoding = decode(page("gb2312").encode("gbk"))
    assert encoding == "gb18030"
    assert TEXT in text


def test_http_header_charset_is_used():
    raw = page(None).encode("gbk")
    text, encoding = decode(raw, {"Content-Type": "text/html; charset=GBK"})
    assert (encoding, TEXT in text) == ("gb18030", True)
    # Scrapy-style bytes headers
    text, encoding = decode(raw, {b"Content-Type": [b"text/html; charset=gbk"]})
    assert TEXT in text


def test_declares_gbk_but_is_utf8():
    text, encoding = decode(page("gbk").encode("utf-8"))
    assert encoding == "utf-8" and TEXT in text


def test_declares_utf8_but_is_gbk():
    text, encoding = decode(page("utf-8").encode("gbk"))
    assert encoding == "gb18030" and TEXT in text


def test_header_says_latin1_but_bytes_are_gbk():
    raw = page(None).encode("gbk")
    text, encoding = decode(raw, {"content-type": "text/html; charset=ISO-8859-1"})
    assert encoding == "gb18030" and TEXT in text


def test_undeclared_gbk_is_detected():
    text, encoding = decode(page(None).encode("gb18030"))
    assert encoding == "gb18030" and TEXT in text


def test_a_stray_bad_byte_does_not_lose_the_page():
    raw = page("utf-8").encode("utf-8").replace("同志".encode(), b"\xff\xfe", 1)
    text, encoding = decode(raw)
    assert encoding == "utf-8"
    assert "工业和信息化部" in text and "改革开放" in text


def test_ascii_page():
    assert decode(b"<html><body>plain</body></html>") == ("<html><body>plain</body></html>", "ascii")


def test_gb2312_declared_fixture_has_no_mojibake_in_any_field():
    raw = (FIXTURES / "people_gbk.html").read_bytes()
    assert b"GB2312" in raw[:300]
    result = extract(raw, "http://finance.people.com.cn/n1/2025/1104/c1004-40598765.html")
    assert result.encoding == "gb18030"
    assert result.title == "多地加快布局新型储能产业"
    assert "记者王镕" in result.body
    assert result.original_source == "人民网-财经频道"
    for value in (result.title, result.body, result.original_source, result.editor):
        assert "\ufffd" not in value
        assert "Ã" not in value and "â€" not in value


def test_wrong_declared_charset_still_extracts_the_right_text():
    text = (FIXTURES / "people_gbk.html").read_bytes().decode("gbk")
    utf8_claiming_gb2312 = text.encode("utf-8")   # the markup still says GB2312
    result = extract(utf8_claiming_gb2312, "http://finance.people.com.cn/n1/2025/1104/c1.html")
    assert result.encoding == "utf-8"
    assert result.title == "多地加快布局新型储能产业"
    assert "新型储能装机规模" in result.body
