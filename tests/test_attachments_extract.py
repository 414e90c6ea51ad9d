"""Extraction of attachments we make here: each format, each bad input, each limit, and
the bounded child that keeps a pathological file from hanging or exhausting the crawl."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from crawler.attachments.bounded import extract_bounded
from crawler.attachments.extract import extract
from crawler.attachments.limits import Limits
from crawler.attachments.names import file_name
from crawler.attachments.sniff import sniff
from tests.support import attachment_files as af

needs_font = pytest.mark.skipif(af.cjk_font() is None,
                                reason=f"no CJK font: apt-get install {af.FONT_PACKAGE}")


@pytest.fixture(scope="module")
def plan_pdf():
    return af.pdf(af.policy_pages(5)) if af.cjk_font() else b""


@needs_font
def test_a_chinese_pdf_gives_its_text_page_by_page(plan_pdf):
    got = extract(plan_pdf, "pdf")
    assert (got.outcome, got.type, got.page_count, got.unit) == ("ok", "pdf", 5, "page")
    assert [label for _, label in got.pages] == ["1", "2", "3", "4", "5"]
    starts = [start for start, _ in got.pages] + [len(got.text)]
    page = [got.text[starts[i]:starts[i + 1]] for i in range(5)]
    assert all(f"第{i + 1}页" in page[i] for i in range(5))
    assert "人形机器人" in page[2] and not any("人形机器人" in p for p in page[:2] + page[3:])
    assert "\x00" not in got.text


@needs_font
def test_a_pdf_encrypted_with_a_password_is_said_to_be_so():
    got = extract(af.pdf(["机密 人形机器人"], password="secret"), "pdf")
    assert (got.outcome, got.detail, got.text) == ("encrypted", "encrypted: needs a password", "")


@needs_font
def test_a_pdf_encrypted_against_editing_only_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(af.pdf(["只限制编辑的文件：算力券"]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    got = extract(out.getvalue(), "pdf")
    assert got.outcome == "ok" and "算力券" in got.text


def test_a_scanned_pdf_is_recorded_as_scanned_not_empty():
    got = extract(af.image_only_pdf(3), "pdf")
    assert got.outcome == "scanned" and got.page_count == 3
    assert got.detail.startswith("scanned: no text")


def test_corrupt_files_give_a_clear_outcome():
    assert extract(af.corrupt_pdf(), "pdf").outcome == "corrupt"
    truncated = extract(af.image_only_pdf(1)[:300], "pdf")
    assert truncated.outcome == "corrupt" and truncated.detail.startswith("corrupt:")
    broken_zip = af.docx(["x"])[:500]
    got = extract(broken_zip, "docx")
    assert got.outcome == "corrupt", got
    assert extract(b"%PDF-1.4\n" + b"\xff" * 50, "pdf").outcome == "corrupt"


def test_a_docx_gives_paragraphs_and_tables_in_order():
    data = af.docx(["一、总体要求", "二、重点任务"], [["序号", "任务"], ["1", "人形机器人整机"]])
    got = extract(data, "docx")
    assert got.outcome == "ok" and got.type == "docx"
    assert got.text.splitlines() == ["一、总体要求", "二、重点任务", "序号 | 任务", "1 | 人形机器人整机"]


def test_an_xlsx_gives_one_section_per_sheet():
    got = extract(af.xlsx({"预算": [["项目", "金额"], ["机器人", 12.5]], "备注": [["无"]]}), "xlsx")
    assert got.outcome == "ok" and got.unit == "sheet"
    assert [label for _, label in got.pages] == ["预算", "备注"]
    assert got.text[got.pages[1][0]:] == "无"
    assert "机器人\t12.5" in got.text


def test_a_docx_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = af.docx_bomb(40)
    assert len(bomb) < 200_000
    started = time.monotonic()
    got = extract(bomb, "docx", Limits(max_unpacked=10 * 2**20))
    assert got.outcome == "too_large" and "zip bomb" in got.detail
    assert time.monotonic() - started < 5


def test_a_zip_whose_headers_lie_about_sizes_is_corrupt_not_unpacked():
    real = af.docx_bomb(20)
    # Declare 1 byte for the document part in both headers: a reader stops there.
    raw = bytearray(real)
    z = zipfile.ZipFile(io.BytesIO(real))
    info = z.getinfo("word/document.xml")
    assert info.file_size == 20 * 2**20
    got = extract(bytes(raw).replace(info.file_size.to_bytes(8, "little"),
                                     (1).to_bytes(8, "little")), "docx")
    assert got.outcome in ("corrupt", "empty", "too_large"), got


def test_the_bytes_decide_the_type_not_the_name():
    word = af.docx(["其实是 Word"])
    got = extract(word, "pdf")
    assert got.type == "docx" and got.outcome == "ok"
    assert got.detail == "named .pdf but is a Word .docx"
    page = extract(b"<!DOCTYPE html><html><body>404 Not Found</body></html>", "pdf")
    assert (page.outcome, page.type) == ("not_document", "html")
    assert page.detail == "not a document: the server sent an HTML page"
    assert extract(b"", "pdf").outcome == "not_document"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    assert extract(png, "docx").detail == "not a document: the server sent an image"
    assert sniff(af.xlsx({"a": [["b"]]}), "doc") == "xlsx"
    assert extract(_zip({"OFD.xml": "<ofd/>"}), "pdf").outcome == "unsupported"
    assert extract(_zip({"a.txt": "x"}), "docx").outcome == "unsupported"


def _zip(members: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return out.getvalue()


def test_a_legacy_doc_goes_to_antiword_and_junk_is_corrupt(monkeypatch):
    import shutil

    if shutil.which("antiword") is None:
        pytest.skip("antiword is not installed (apt-get install antiword)")
    got = extract(af.OLE_JUNK, "doc")
    assert got.outcome == "corrupt" and "antiword" in got.detail


needs_libreoffice = pytest.mark.skipif(
    af.soffice() is None,
    reason=f"LibreOffice is not installed (apt-get install {af.LIBREOFFICE_PACKAGES})")
LEGACY_TEXT = ["关于印发《人形机器人产业创新发展实施方案》的通知",
               "到2027年，培育3至5家具有全球影响力的人形机器人整机企业。"]
# antiword refuses a text stream of a few lines ("too small to handle"): a notice's annex
# runs to pages.
LEGACY_PAGES = LEGACY_TEXT + [f"（{i}）建设人形机器人创新中心、中试验证平台和标准检测平台，推动整机规模应用。"
                              for i in range(1, 60)]


@pytest.fixture(scope="module")
def real_doc():
    return af.legacy(af.docx(LEGACY_PAGES, [["任务", "牵头单位"], ["关节攻关", "工业和信息化部"]]),
                     "docx", "doc") if af.soffice() else b""


@needs_libreoffice
@pytest.mark.parametrize("declared", ["doc", "wps"])
def test_a_real_word_97_file_is_read_by_antiword_as_doc_or_wps(real_doc, declared, monkeypatch):
    import shutil

    if shutil.which("antiword") is None:
        pytest.skip("antiword is not installed (apt-get install antiword)")
    monkeypatch.setenv("NEWSWATCH_SOFFICE", "")  # antiword alone
    assert sniff(real_doc, declared) == declared
    got = extract(real_doc, declared)
    assert (got.outcome, got.type) == ("ok", declared), got.detail
    assert all(line in got.text for line in LEGACY_TEXT)
    assert "工业和信息化部" in got.text  # the table's cells too


@needs_libreoffice
def test_without_antiword_libreoffice_reads_the_doc_and_an_xls(real_doc, monkeypatch):
    monkeypatch.setenv("NEWSWATCH_ANTIWORD", "")
    got = extract(real_doc, "doc")
    assert got.outcome == "ok", got.detail
    assert all(line in got.text for line in LEGACY_TEXT)
    xls = af.legacy(af.xlsx({"企业名单": [["企业", "产品"], ["灵巧科技", "人形机器人"]]}),
                    "xlsx", "xls")
    assert sniff(xls, "xls") == "xls"
    got = extract(xls, "xls")
    assert got.outcome == "ok", got.detail
    assert "灵巧科技" in got.text and "人形机器人" in got.text
    # A damaged file is corrupt with LibreOffice's reason: never its raw bytes as "text".
    for kind in ("doc", "xls"):
        got = extract(af.OLE_JUNK, kind)
        assert got.outcome == "corrupt" and "LibreOffice" in got.detail, (kind, got.text[:40])


@needs_libreoffice
def test_a_doc_antiword_finds_too_small_goes_on_to_libreoffice():
    import shutil

    if shutil.which("antiword") is None:
        pytest.skip("antiword is not installed (apt-get install antiword)")
    small = af.legacy(af.docx(LEGACY_TEXT), "docx", "doc")
    got = extract(small, "doc")
    assert got.outcome == "ok", got.detail
    assert all(line in got.text for line in LEGACY_TEXT)


def test_without_antiword_or_libreoffice_a_doc_is_not_extracted(monkeypatch):
    monkeypatch.setenv("NEWSWATCH_ANTIWORD", "")
    monkeypatch.setenv("NEWSWATCH_SOFFICE", "")
    got = extract(af.OLE_JUNK, "doc")
    assert (got.outcome, got.detail) == ("not_extracted",
                                         "not extracted: needs antiword or LibreOffice")
    assert extract(af.OLE_JUNK, "xls").detail == "not extracted: needs LibreOffice"


@needs_font
def test_page_and_character_limits_truncate_and_say_so():
    data = af.pdf(af.policy_pages(12))
    got = extract(data, "pdf", Limits(max_pages=4))
    assert got.outcome == "truncated" and got.page_count == 12 and len(got.pages) == 4
    assert "only the first 4 of 12 pages" in got.detail
    short = extract(data, "pdf", Limits(max_chars=1000))
    assert short.outcome == "truncated" and len(short.text) <= 1000
    assert "NEWSWATCH_ATTACHMENT_MAX_CHARS" in short.detail


@needs_font
def test_the_bounded_child_returns_the_same_extraction(plan_pdf):
    got, peak = extract_bounded(plan_pdf, "pdf")
    assert got == extract(plan_pdf, "pdf")
    assert peak is not None and peak > 0


@needs_font
def test_a_file_that_takes_too_long_is_killed_at_the_deadline():
    data = af.pdf(af.policy_pages(60))
    started = time.monotonic()
    got, peak = extract_bounded(data, "pdf", Limits(timeout=0.05))
    assert got.outcome == "timeout" and peak is None
    assert "NEWSWATCH_ATTACHMENT_TIMEOUT" in got.detail
    assert time.monotonic() - started < 10
    again, _ = extract_bounded(af.docx(["之后的文件照常读取"]), "docx")  # the server lives on
    assert again.outcome == "ok"


@needs_font
def test_a_file_that_needs_too_much_memory_ends_in_an_outcome():
    got, _ = extract_bounded(af.pdf(af.policy_pages(30)), "pdf", Limits(memory_mb=40))
    assert got.outcome in ("memory", "failed"), got
    assert got.detail.startswith("not extracted:")


def test_file_names_come_from_the_link_text():
    assert file_name("https://x.gov.cn/P020250101.pdf", "附件1：人形机器人创新发展实施方案") == \
        "人形机器人创新发展实施方案.pdf"
    assert file_name("https://x.gov.cn/P020250101.pdf", "附件：实施方案.pdf") == "实施方案.pdf"
    assert file_name("https://x.gov.cn/a/%E6%96%B9%E6%A1%88.docx") == "方案.docx"
    header = "attachment; filename*=UTF-8''%E9%99%84%E8%A1%A8.xlsx"
    assert file_name("https://x.gov.cn/download?id=3", "", header) == "附表.xlsx"
    assert len(file_name("https://x.gov.cn/a.pdf", "长" * 400)) <= 160
    assert file_name("https://x.gov.cn/P1.pdf", "附属医院名单") == "附属医院名单.pdf"
    assert file_name("https://x.gov.cn/P1.pdf", "附2. 申报表") == "申报表.pdf"
    assert file_name("https://x.gov.cn/P1.pdf", "点击下载") == "P1.pdf"


def test_a_hanging_tool_is_killed_with_what_it_started(tmp_path, monkeypatch):
    import os

    pid_file = tmp_path / "pid"
    tool = tmp_path / "antiword"
    tool.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pid_file}\nwait\n")
    tool.chmod(0o755)
    monkeypatch.setenv("NEWSWATCH_ANTIWORD", str(tool))
    monkeypatch.setenv("NEWSWATCH_SOFFICE", "")
    started = time.monotonic()
    got = extract(af.OLE_JUNK, "doc", Limits(timeout=1.0))
    assert got.outcome == "timeout" and "antiword took longer than" in got.detail
    assert time.monotonic() - started < 10
    pid = int(pid_file.read_text())
    for _ in range(100):  # the kill is sent; the zombie may take a moment to be reaped
        try:
            os.kill(pid, 0)
            with open(f"/proc/{pid}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError):
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the tool's child is still running")
