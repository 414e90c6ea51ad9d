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


# Latin pages whose umlaut pairs are valid GB18030 (ü+r, ü+ß, ö+l...): a GB18030 reading
# decodes without one error, yet it is nonsense. Only real evidence of Chinese may pick it.
GERMAN = ("<html lang='de'><head>{meta}<title>Grüße aus Köln: Bürger für Straßenbäume</title>"
          "</head><body><h1>Grüße aus Köln: Bürger für Straßenbäume</h1>"
          "<p>Die Bürger für Straßenbäume fordern eine öffentliche Anhörung über Änderungen im "
          "Gemeinderat. Schöne Grüße, Jürgen Müßig, Vorsitzender des Vereins für Grünflächen.</p>"
          "<p>Der Oberbürgermeister hat zugesagt, die Vorschläge bis März zu prüfen; "
          "die Fraktionen äußerten sich zurückhaltend.</p></body></html>")
FRENCH = ("<html lang='fr'><head>{meta}<title>L'été à Besançon : les élèves répondent</title>"
          "</head><body><h1>L'été à Besançon : les élèves répondent</h1>"
          "<p>Le maire a annoncé une hausse des impôts locaux. « Ça suffit », déclare un élu de "
          "l'opposition. Où va-t-on ? Les élèves du lycée répondent à l'enquête sur la qualité "
          "de l'air, et les résultats sont présentés à la mairie après les congés d'été.</p>"
          "</body></html>")
POLISH = ("<html lang='pl'><head>{meta}<title>Wiadomości z Łodzi: żółta linia zamknięta</title>"
          "</head><body><h1>Wiadomości z Łodzi: żółta linia zamknięta</h1>"
          "<p>Prezydent miasta ogłosił, że żółta linia tramwajowa będzie zamknięta do końca "
          "miesiąca. Mieszkańcy są źli, bo dojazd do pracy zajmie więcej czasu, a autobusy "
          "zastępcze kursują rzadko. Urzędnicy proszą o cierpliwość.</p></body></html>")
HAN = __import__("re").compile(r"[\u3400-\u9fff]")


def _latin_page(template: str, encoding: str, declare: str) -> tuple[bytes, dict, str]:
    charset = {"latin-1": "ISO-8859-1"}.get(encoding, encoding)
    meta = f'<meta charset="{charset}">' if declare == "meta" else ""
    text = template.format(meta=meta)
    headers = {"Content-Type": f"text/html; charset={charset}"} if declare == "header" else None
    return text.encode(encoding), headers, text


@pytest.mark.parametrize("declare", ["meta", "header", "none"])
@pytest.mark.parametrize("template, encoding", [
    (GERMAN, "latin-1"), (GERMAN, "cp1252"), (FRENCH, "latin-1"), (FRENCH, "cp1252"),
])
def test_latin1_and_cp1252_pages_are_never_read_as_gb18030(template, encoding, declare):
    raw, headers, text = _latin_page(template, encoding, declare)
    if template is GERMAN:
        raw.decode("gb18030")  # the trap is real: these bytes are valid GB18030
    decoded, used = decode(raw, headers)
    assert used in ("cp1252", "iso8859-15", "cp1250") and decoded == text
    result = extract(raw, "http://example.org/news/1.html", headers=headers)
    assert not HAN.search(result.title + result.body)
    assert result.title == text.split("<title>")[1].split("</title>")[0]
    assert ("Müßig" in result.body) if template is GERMAN else ("élèves" in result.body)


@pytest.mark.parametrize("declare", ["meta", "header", "none"])
@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_polish_single_byte_pages_keep_their_letters(encoding, declare):
    raw, headers, text = _latin_page(POLISH, encoding, declare)
    decoded, used = decode(raw, headers)
    assert decoded == text
    result = extract(raw, "http://example.pl/wiadomosci/1.html", headers=headers)
    assert "żółta linia" in result.title and "Mieszkańcy są źli" in result.body
    assert not HAN.search(result.body)


def test_a_short_chinese_page_without_declaration_is_still_chinese():
    raw = page(None, "国务院办公厅关于进一步优化营商环境的通知，各省人民政府要认真贯彻执行。").encode("gbk")
    text, encoding = decode(raw)
    assert encoding == "gb18030" and "营商环境" in text
